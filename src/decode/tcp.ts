import { cutShort, has, hex16, pushLayer, u16, u32 } from "./bytes.js";
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
