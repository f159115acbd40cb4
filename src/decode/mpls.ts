import { uint } from "../model/filter-field-type.js";
import { cutShort, has, pushLayer, u32 } from "./bytes.js";
import { fromDetail, fromFields, type ProtocolDecl } from "./filter-decl.js";
import { dispatch, ethertypes } from "./registry.js";
import { inner } from "./tunnel.js";
import type { DecodeCtx } from "./types.js";

const MAX_LABELS = 16;

/** An MPLS label stack; after bottom of stack, IPv4 or IPv6 by the first nibble, as tshark guesses. */
export function decodeMpls(ctx: DecodeCtx, off: number, end: number): void {
  const d = ctx.data;
  let p = off;
  for (let i = 0; i < MAX_LABELS; i++) {
    const l = pushLayer(ctx, "mpls", p, 4);
    if (!has(ctx, p, 4, end)) return cutShort(ctx, "mpls", end);
    const lse = u32(d, p);
    const bos = (lse >>> 8) & 1;
    l.fields.label = lse >>> 12;
    l.fields.bos = bos;
    l.detail = { tc: (lse >>> 9) & 7, ttl: lse & 0xff };
    p += 4;
    if (bos) {
      if (!has(ctx, p, 1, end)) return;
      const nibble = d[p] >> 4;
      if (nibble === 4) dispatch(ethertypes, 0x0800, ctx, p, end);
      else if (nibble === 6) dispatch(ethertypes, 0x86dd, ctx, p, end);
      return;
    }
  }
  ctx.stop = `MPLS label stack deeper than ${MAX_LABELS}`;
}

/** MPLS over UDP (RFC 7510, port 6635). */
export function decodeMplsOverUdp(ctx: DecodeCtx, off: number, end: number): void {
  inner(ctx, 0x8847, off, end);
}

/** The display-filter fields of MPLS label stack entries. */
export const MPLS_PROTOCOL: ProtocolDecl = {
  name: "mpls",
  description: "MPLS label",
  layer: "mpls",
  fields: [
    { name: "mpls.label", description: "MPLS label", type: uint(32), read: fromFields("label") },
    { name: "mpls.bottom", description: "MPLS bottom of stack", type: uint(8), read: fromFields("bos") },
    { name: "mpls.exp", description: "MPLS traffic class", type: uint(8), read: fromDetail("tc") },
    { name: "mpls.ttl", description: "MPLS TTL", type: uint(8), read: fromDetail("ttl") },
  ],
};
