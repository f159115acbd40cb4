import { uint } from "../model/filter-field-type.js";
import { cutShort, has, hex16, pushLayer, u16 } from "./bytes.js";
import { fromDetail, fromFields, hexNumber, type ProtocolDecl } from "./filter-decl.js";
import { dispatch, ethertypes } from "./registry.js";
import type { DecodeCtx } from "./types.js";

/** Linux cooked capture v1 (tcpdump -i any): 16 bytes, the protocol last. */
export function decodeSll(ctx: DecodeCtx, off: number, end: number): void {
  const l = pushLayer(ctx, "sll", off, 16);
  if (!has(ctx, off + 14, 2, end)) return cutShort(ctx, "sll", end);
  const type = u16(ctx.data, off + 14);
  l.fields.type = hex16(type);
  l.detail = { packetType: u16(ctx.data, off), arphrd: u16(ctx.data, off + 2) };
  dispatch(ethertypes, type, ctx, off + 16, end);
}

/** Linux cooked capture v2: 20 bytes, the protocol first. */
export function decodeSll2(ctx: DecodeCtx, off: number, end: number): void {
  const l = pushLayer(ctx, "sll", off, 20);
  if (!has(ctx, off, 2, end)) return cutShort(ctx, "sll2", end);
  const type = u16(ctx.data, off);
  l.fields.type = hex16(type);
  if (!has(ctx, off, 20, end)) return cutShort(ctx, "sll2", end);
  l.detail = { ifindex: (ctx.data[off + 4] << 24) | (ctx.data[off + 5] << 16) | u16(ctx.data, off + 6) };
  dispatch(ethertypes, type, ctx, off + 20, end);
}

/** Raw IP: no link header, the version nibble says v4 or v6. */
export function decodeRawIp(ctx: DecodeCtx, off: number, end: number): void {
  if (!has(ctx, off, 1, end)) return;
  const v = ctx.data[off] >> 4;
  if (v === 4) dispatch(ethertypes, 0x0800, ctx, off, end);
  else if (v === 6) dispatch(ethertypes, 0x86dd, ctx, off, end);
  else ctx.stop = `raw IP packet with version ${v}`;
}

/** BSD loopback (linktype 0): a 4-byte address family in the capturing host's byte order. */
export function decodeNull(ctx: DecodeCtx, off: number, end: number): void {
  if (!has(ctx, off, 4, end)) return cutShort(ctx, "null", end);
  const d = ctx.data;
  const family =
    d[off] === 0 && d[off + 1] === 0 ? d[off + 3] | (d[off + 2] << 8) : d[off] | (d[off + 1] << 8);
  if (family === 2) dispatch(ethertypes, 0x0800, ctx, off + 4, end);
  else if (family === 24 || family === 28 || family === 30) dispatch(ethertypes, 0x86dd, ctx, off + 4, end);
  else ctx.stop = `loopback address family ${family}`;
}

/** The display-filter fields of Linux cooked capture headers (v1 and v2). */
export const SLL_PROTOCOL: ProtocolDecl = {
  name: "sll",
  description: "Linux cooked capture header",
  layer: "sll",
  fields: [
    {
      name: "sll.etype",
      description: "Linux cooked capture protocol",
      type: uint(16),
      read: fromFields("type", hexNumber),
    },
    {
      name: "sll.pkttype",
      description: "Linux cooked capture packet type",
      type: uint(16),
      read: fromDetail("packetType"),
    },
  ],
};
