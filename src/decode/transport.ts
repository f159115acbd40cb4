import { cutShort, has, hex16, pushLayer, u16, u32 } from "./bytes.js";
import { udpPorts } from "./registry.js";
import type { DecodeCtx } from "./types.js";

/** TCP: ports and the 12 flag bits (NS, CWR, ECE, URG, ACK, PSH, RST, SYN, FIN and reserved). */
export function decodeTcp(ctx: DecodeCtx, off: number, end: number): void {
  const d = ctx.data;
  const l = pushLayer(ctx, "tcp", off, 20);
  if (has(ctx, off, 2, end)) l.fields.sport = u16(d, off);
  if (has(ctx, off + 2, 2, end)) l.fields.dport = u16(d, off + 2);
  if (!has(ctx, off + 12, 2, end)) return cutShort(ctx, "tcp", end);
  l.fields.flags = hex16(u16(d, off + 12) & 0x0fff);
  l.length = (d[off + 12] >> 4) * 4;
  l.detail = { seq: u32(d, off + 4), ack: u32(d, off + 8) };
  if (has(ctx, off + 14, 2, end)) l.detail.window = u16(d, off + 14);
}

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

export function decodeSctp(ctx: DecodeCtx, off: number, end: number): void {
  const d = ctx.data;
  const l = pushLayer(ctx, "sctp", off, 12);
  if (has(ctx, off, 2, end)) l.fields.sport = u16(d, off);
  if (has(ctx, off + 2, 2, end)) l.fields.dport = u16(d, off + 2);
  if (!has(ctx, off, 12, end)) return cutShort(ctx, "sctp", end);
  l.detail = { vtag: u32(d, off + 4) };
}
