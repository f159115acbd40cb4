import { uint } from "../model/filter-field-type.js";
import { cutShort, has, pushLayer, u16 } from "./bytes.js";
import { fromDetail, type ProtocolDecl, portFields } from "./filter-decl.js";
import { udpPorts } from "./registry.js";
import type { DecodeCtx } from "./types.js";

/**
 * UDP. The payload goes to the decoder registered for the lower port first, then the higher one, as
 * Wireshark tries them; the UDP length bounds the payload.
 */
export function decodeUdp(ctx: DecodeCtx, off: number, end: number): void {
  const d = ctx.data;
  const l = pushLayer(ctx, "udp", off, 8);
  if (has(ctx, off, 2, end)) l.fields.sport = u16(d, off);
  if (has(ctx, off + 2, 2, end)) l.fields.dport = u16(d, off + 2);
  if (!has(ctx, off, 8, end)) return cutShort(ctx, "udp", end);
  const sport = u16(d, off);
  const dport = u16(d, off + 2);
  const len = u16(d, off + 4);
  l.detail = { length: len };
  const limit = len >= 8 ? Math.min(end, off + len) : end;
  const low = Math.min(sport, dport);
  const high = Math.max(sport, dport);
  const next = udpPorts.get(low) ?? udpPorts.get(high);
  if (next && has(ctx, off + 8, 1, limit)) next(ctx, off + 8, limit);
}

/** The display-filter fields of UDP. */
export const UDP_PROTOCOL: ProtocolDecl = {
  name: "udp",
  description: "UDP",
  layer: "udp",
  fields: [
    ...portFields("udp", "UDP"),
    { name: "udp.length", description: "UDP length", type: uint(16), read: fromDetail("length") },
  ],
};
