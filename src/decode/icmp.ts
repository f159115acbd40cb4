import { IPV6, uint } from "../model/filter-field-type.js";
import { cutShort, has, ipv6Str, macStr, pushLayer, setDetail } from "./bytes.js";
import { fromDetail, fromFields, type LayerFieldDecl, type ProtocolDecl } from "./filter-decl.js";
import { dispatch, ethertypes } from "./registry.js";
import type { DecodeCtx, Layer } from "./types.js";

/** ICMP error types that quote the offending datagram, which tshark decodes as further layers. */
const ICMP_ERRORS = new Set([3, 4, 5, 11, 12]);
const ICMPV6_ERRORS = new Set([1, 2, 3, 4]);

/** ICMP: type and code; an error's quoted IP datagram follows as layers, as tshark shows it. */
export function decodeIcmp(ctx: DecodeCtx, off: number, end: number): void {
  const l = pushLayer(ctx, "icmp", off, 8);
  if (has(ctx, off, 1, end)) l.fields.type = ctx.data[off];
  if (has(ctx, off + 1, 1, end)) l.fields.code = ctx.data[off + 1];
  if (!has(ctx, off, 4, end)) return cutShort(ctx, "icmp", end);
  if (ICMP_ERRORS.has(ctx.data[off]) && has(ctx, off + 8, 20, end))
    dispatch(ethertypes, 0x0800, ctx, off + 8, end);
}

const ND_SOLICIT = 135;
const ND_ADVERT = 136;

/** ICMPv6, with the neighbour discovery target and source/target link-layer address options. */
export function decodeIcmpv6(ctx: DecodeCtx, off: number, end: number): void {
  const d = ctx.data;
  const l = pushLayer(ctx, "icmpv6", off, 8);
  if (has(ctx, off, 1, end)) l.fields.type = d[off];
  if (has(ctx, off + 1, 1, end)) l.fields.code = d[off + 1];
  if (!has(ctx, off, 4, end)) return cutShort(ctx, "icmpv6", end);
  const type = d[off];
  if (ICMPV6_ERRORS.has(type) && has(ctx, off + 8, 40, end))
    return void dispatch(ethertypes, 0x86dd, ctx, off + 8, end);
  if (type !== ND_SOLICIT && type !== ND_ADVERT) return;
  if (!has(ctx, off + 8, 16, end)) return cutShort(ctx, "icmpv6 nd", end);
  setDetail(l, "ndTarget", ipv6Str(d, off + 8));
  let p = off + 24;
  while (has(ctx, p, 2, end)) {
    const optType = d[p];
    const optLen = d[p + 1] * 8;
    if (optLen === 0 || !has(ctx, p, optLen, end)) {
      setDetail(l, "ndBadOption", optType);
      return;
    }
    if (optLen === 8 && optType === 1) setDetail(l, "ndSll", macStr(d, p + 2));
    if (optLen === 8 && optType === 2) setDetail(l, "ndTll", macStr(d, p + 2));
    p += optLen;
  }
}

/** `icmp.type` and `icmp.code` (the same for icmpv6). */
const typeAndCode = (proto: string, what: string): LayerFieldDecl[] => [
  { name: `${proto}.type`, description: `${what} type`, type: uint(8), read: fromFields("type") },
  { name: `${proto}.code`, description: `${what} code`, type: uint(8), read: fromFields("code") },
];

/** The display-filter fields of ICMP. */
export const ICMP_PROTOCOL: ProtocolDecl = {
  name: "icmp",
  description: "ICMP",
  layer: "icmp",
  fields: typeAndCode("icmp", "ICMP"),
};

/** The neighbour discovery target of an ICMPv6 message of type `type`. */
const ndTarget = (type: number) => (l: Layer) => (l.fields.type === type ? fromDetail("ndTarget")(l) : []);

/** The display-filter fields of ICMPv6. */
export const ICMPV6_PROTOCOL: ProtocolDecl = {
  name: "icmpv6",
  description: "ICMPv6",
  layer: "icmpv6",
  fields: [
    ...typeAndCode("icmpv6", "ICMPv6"),
    {
      name: "icmpv6.nd.ns.target_address",
      description: "neighbour solicitation target",
      type: IPV6,
      read: ndTarget(ND_SOLICIT),
    },
    {
      name: "icmpv6.nd.na.target_address",
      description: "neighbour advertisement target",
      type: IPV6,
      read: ndTarget(ND_ADVERT),
    },
  ],
};
