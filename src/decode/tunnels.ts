import { cutShort, has, hex16, malformed, pushLayer, u16, u24, u32 } from "./bytes.js";
import { dispatch, ethertypes, greProtocols } from "./registry.js";
import type { DecodeCtx } from "./types.js";

/** Enters a tunnel payload: one level deeper, or a stop when the nesting bound is reached. */
function enterTunnel(ctx: DecodeCtx): boolean {
  if (ctx.depth >= ctx.maxDepth) {
    ctx.stop = `tunnel nesting deeper than ${ctx.maxDepth}`;
    return false;
  }
  ctx.depth++;
  return true;
}

/** A tunnel's payload, as a new inner frame (Ethernet or IP by ethertype). */
function inner(ctx: DecodeCtx, ethertype: number, off: number, end: number): void {
  if (!enterTunnel(ctx)) return;
  dispatch(ethertypes, ethertype, ctx, off, end);
}

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
    key = u32(d, p);
    p += 4;
  }
  l.fields.key = key;
  l.detail = { version: flags & 7, checksum: (flags & GRE_C) !== 0 };
  if (flags & GRE_S) {
    if (!has(ctx, p, 4, end)) return cutShort(ctx, "gre", end);
    l.detail.seq = u32(d, p);
    p += 4;
  }
  l.length = p - off;
  // ERSPAN type I has no header: without the S bit, 0x88be carries Ethernet directly.
  if (ptype === 0x88be && !(flags & GRE_S)) return inner(ctx, 0x6558, p, end);
  const next = greProtocols.get(ptype);
  if (next && has(ctx, p, 1, end)) next(ctx, p, end);
}

/** GRE's Ethernet and IP payloads (0x6558, 0x0800, 0x86dd, MPLS) are inner frames. */
export function greInner(ethertype: number) {
  return (ctx: DecodeCtx, off: number, end: number) => inner(ctx, ethertype, off, end);
}

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

/** VXLAN: 8 bytes, the VNI in bytes 4-6, then Ethernet. */
export function decodeVxlan(ctx: DecodeCtx, off: number, end: number): void {
  const d = ctx.data;
  const l = pushLayer(ctx, "vxlan", off, 8);
  if (!has(ctx, off, 8, end)) return cutShort(ctx, "vxlan", end);
  l.fields.vni = u24(d, off + 4);
  l.detail = { flags: hex16(u16(d, off)) };
  inner(ctx, 0x6558, off + 8, end);
}

/** Geneve: options as class/type/data, then the payload by its protocol type. */
export function decodeGeneve(ctx: DecodeCtx, off: number, end: number): void {
  const d = ctx.data;
  const l = pushLayer(ctx, "geneve", off, 8);
  if (!has(ctx, off, 8, end)) return cutShort(ctx, "geneve", end);
  const optLen = (d[off] & 0x3f) * 4;
  const ptype = u16(d, off + 2);
  l.fields.vni = u24(d, off + 4);
  l.fields.ptype = hex16(ptype);
  l.length = 8 + optLen;
  l.detail = { oam: (d[off + 1] & 0x80) !== 0, critical: (d[off + 1] & 0x40) !== 0 };
  const optEnd = off + 8 + optLen;
  if (!has(ctx, off, 8 + optLen, end)) return cutShort(ctx, "geneve options", end);
  const options: string[] = [];
  for (let p = off + 8; p + 4 <= optEnd; ) {
    const len = (d[p + 3] & 0x1f) * 4;
    if (p + 4 + len > optEnd) {
      // tshark flags the option and still decodes the payload after the option area; so do we.
      l.detail.badOption = true;
      break;
    }
    const data = Array.from(d.subarray(p + 4, p + 4 + len), (b) => b.toString(16).padStart(2, "0")).join("");
    options.push(`class=${hex16(u16(d, p))},type=0x${d[p + 2].toString(16).padStart(2, "0")},data=0x${data}`);
    p += 4 + len;
  }
  if (options.length > 0) l.detail.options = options.join(" ");
  // tshark hands Geneve's payload to the next dissector even when it is empty, which shows as an
  // empty inner layer; match it so the layer lists agree.
  if (ptype === 0x6558 && !has(ctx, optEnd, 1, end) && enterTunnel(ctx)) {
    pushLayer(ctx, "eth", optEnd, 0);
    return cutShort(ctx, "eth", end);
  }
  inner(ctx, ptype, optEnd, end);
}

/** MPLS over UDP (RFC 7510, port 6635). */
export function decodeMplsOverUdp(ctx: DecodeCtx, off: number, end: number): void {
  inner(ctx, 0x8847, off, end);
}
