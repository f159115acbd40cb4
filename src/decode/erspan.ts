import { uint } from "../model/filter-field-type.js";
import { cutShort, has, malformed, pushLayer, u16 } from "./bytes.js";
import { fromFields, type ProtocolDecl } from "./filter-decl.js";
import { inner } from "./tunnel.js";
import type { DecodeCtx } from "./types.js";

/** ERSPAN type II (version 1) and type III (version 2): header, then the mirrored Ethernet frame. */
export function decodeErspan(ctx: DecodeCtx, off: number, end: number): void {
  const d = ctx.data;
  const l = pushLayer(ctx, "erspan", off, 8);
  if (!has(ctx, off, 4, end)) return cutShort(ctx, "erspan", end);
  const version = d[off] >> 4;
  l.fields.version = version;
  l.fields.sessionId = u16(d, off + 2) & 0x03ff;
  l.detail = { vlan: u16(d, off) & 0x0fff };
  let len = 8;
  if (version === 2) {
    if (!has(ctx, off, 12, end)) return cutShort(ctx, "erspan", end);
    len = 12 + (d[off + 11] & 1 ? 8 : 0);
  } else if (version !== 1) {
    return malformed(ctx, "erspan", `version ${version}`);
  }
  l.length = len;
  if (!has(ctx, off, len, end)) return cutShort(ctx, "erspan", end);
  inner(ctx, 0x6558, off + len, end);
}

/** The display-filter fields of ERSPAN. */
export const ERSPAN_PROTOCOL: ProtocolDecl = {
  name: "erspan",
  description: "ERSPAN type II or III",
  layer: "erspan",
  fields: [
    {
      name: "erspan.version",
      description: "ERSPAN version (1: type II, 2: type III)",
      type: uint(16),
      read: fromFields("version"),
    },
    {
      name: "erspan.spanid",
      description: "ERSPAN session id",
      type: uint(16),
      read: fromFields("sessionId"),
    },
  ],
};
