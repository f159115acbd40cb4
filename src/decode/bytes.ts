import { formatIpv6Groups } from "../model/value/ip.js";
import type { DecodeCtx, FieldValue, Layer } from "./types.js";

export const u16 = (d: Uint8Array, o: number): number => (d[o] << 8) | d[o + 1];
export const u32 = (d: Uint8Array, o: number): number =>
  ((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0;
export const u24 = (d: Uint8Array, o: number): number => (d[o] << 16) | (d[o + 1] << 8) | d[o + 2];

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function macStr(d: Uint8Array, o: number): string {
  return `${HEX[d[o]]}:${HEX[d[o + 1]]}:${HEX[d[o + 2]]}:${HEX[d[o + 3]]}:${HEX[d[o + 4]]}:${HEX[d[o + 5]]}`;
}

export function ipv4Str(d: Uint8Array, o: number): string {
  return `${d[o]}.${d[o + 1]}.${d[o + 2]}.${d[o + 3]}`;
}

/** As inet_ntop prints it, and tshark: the value module's printer (`::ffff:10.0.0.1` for a mapped address). */
export function ipv6Str(d: Uint8Array, o: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(u16(d, o + i * 2));
  return formatIpv6Groups(g);
}

export const hex16 = (v: number): string => `0x${v.toString(16).padStart(4, "0")}`;

/** Starts a layer; returns it so the decoder can add fields while they are within the captured bytes. */
export function pushLayer(ctx: DecodeCtx, proto: string, offset: number, length: number): Layer {
  const layer: Layer = { proto, offset, length, fields: {}, depth: ctx.depth };
  ctx.layers.push(layer);
  return layer;
}

/** True when [off, off+n) lies within both the captured bytes and the layer's bound. */
export function has(ctx: DecodeCtx, off: number, n: number, end: number): boolean {
  return off + n <= Math.min(end, ctx.data.length);
}

/** Ends decoding at this layer: the header is shorter than it must be. */
export function cutShort(ctx: DecodeCtx, proto: string, end: number): void {
  if (ctx.stop === undefined) ctx.stop = `${proto} header cut short`;
  if (end >= ctx.data.length) ctx.truncated = true;
}

export function malformed(ctx: DecodeCtx, proto: string, why: string): void {
  if (ctx.stop === undefined) ctx.stop = `malformed ${proto}: ${why}`;
}

export function setDetail(layer: Layer, key: string, value: FieldValue): void {
  if (!layer.detail) layer.detail = {};
  layer.detail[key] = value;
}
