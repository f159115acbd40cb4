import { uint } from "../model/filter-field-type.js";
import { cutShort, has, hex16, pushLayer, setDetail, u16, u32 } from "./bytes.js";
import { decodeErspanTypeI } from "./erspan-type1.js";
import { fromFields, hexNumber, type ProtocolDecl } from "./filter-decl.js";
import { greProtocols } from "./registry.js";
import { inner } from "./tunnel.js";
import type { DecodeCtx } from "./types.js";

const GRE_C = 0x8000;
const GRE_R = 0x4000;
const GRE_K = 0x2000;
const GRE_S = 0x1000;

/** GRE (RFC 2784/2890): checksum, key and sequence are present as their bits say. */
export function decodeGre(ctx: DecodeCtx, off: number, end: number): void {
  const d = ctx.data;
  const l = pushLayer(ctx, "gre", off, 4);
  if (!has(ctx, off, 4, end)) return cutShort(ctx, "gre", end);
  const flags = u16(d, off);
  const ptype = u16(d, off + 2);
  l.fields.ptype = hex16(ptype);
  let p = off + 4;
  if (flags & (GRE_C | GRE_R)) p += 4;
  let key: number | null = null;
  l.fields.key = key;
  if (flags & GRE_K) {
    if (!has(ctx, p, 4, end)) return cutShort(ctx, "gre", end);
    // Enhanced GRE (version 1, PPTP) puts payload length and call ID there, which is no key.
    if ((flags & 7) === 1) setDetail(l, "callId", u16(d, p + 2));
    else key = u32(d, p);
    p += 4;
  }
  l.fields.key = key;
  setDetail(l, "version", flags & 7);
  setDetail(l, "checksum", (flags & GRE_C) !== 0);
  if (flags & GRE_S) {
    if (!has(ctx, p, 4, end)) return cutShort(ctx, "gre", end);
    setDetail(l, "seq", u32(d, p));
    p += 4;
  }
  l.length = p - off;
  // ERSPAN type I has no header: without the S bit, 0x88be carries Ethernet directly.
  if (ptype === 0x88be && !(flags & GRE_S)) return decodeErspanTypeI(ctx, p, end);
  const next = greProtocols.get(ptype);
  if (next && has(ctx, p, 1, end)) next(ctx, p, end);
}

/** GRE's Ethernet and IP payloads (0x6558, 0x0800, 0x86dd, MPLS) are inner frames. */
export function greInner(ethertype: number) {
  return (ctx: DecodeCtx, off: number, end: number) => inner(ctx, ethertype, off, end);
}

/** The display-filter fields of GRE. */
export const GRE_PROTOCOL: ProtocolDecl = {
  name: "gre",
  description: "GRE",
  layer: "gre",
  fields: [
    {
      name: "gre.key",
      description: "GRE key (when the K bit is set)",
      type: uint(32),
      read: fromFields("key"),
    },
    {
      name: "gre.proto",
      description: "GRE protocol type",
      type: uint(16),
      read: fromFields("ptype", hexNumber),
    },
  ],
};
