import { BOOL, IPV4, uint } from "../model/filter-field-type.js";
import { cutShort, has, ipv4Str, malformed, pushLayer, u16 } from "./bytes.js";
import { fromDetail, fromFields, type ProtocolDecl, sourceAndDestination } from "./filter-decl.js";
import { sourceRouteDestination } from "./ipv4-options.js";
import { dispatch, ipProtocols } from "./registry.js";
import type { DecodeCtx } from "./types.js";

/** IPv4. Only a first fragment (offset 0) carries the L4 header; later fragments end at this layer. */
export function decodeIpv4(ctx: DecodeCtx, off: number, end: number): void {
  const d = ctx.data;
  const l = pushLayer(ctx, "ipv4", off, 20);
  if (!has(ctx, off, 1, end)) return cutShort(ctx, "ipv4", end);
  const ihl = (d[off] & 0x0f) * 4;
  const version = d[off] >> 4;
  l.length = ihl;
  if (has(ctx, off + 8, 1, end)) l.fields.ttl = d[off + 8];
  if (has(ctx, off + 9, 1, end)) l.fields.ipProto = d[off + 9];
  if (has(ctx, off + 6, 2, end)) {
    const frag = u16(d, off + 6);
    l.fields.mf = (frag & 0x2000) !== 0;
    l.fields.fragOffset = frag & 0x1fff;
  }
  if (has(ctx, off + 12, 4, end)) l.fields.src = ipv4Str(d, off + 12);
  if (has(ctx, off + 16, 4, end)) l.fields.dst = ipv4Str(d, off + 16);
  if (version !== 4) return malformed(ctx, "ipv4", `version ${version}`);
  if (ihl < 20) return malformed(ctx, "ipv4", `header length ${ihl} < 20`);
  if (!has(ctx, off, ihl, end)) return cutShort(ctx, "ipv4", end);
  // A total length of 0 is segmentation offload (TSO, BIG TCP): the length is the captured one.
  const totalField = u16(d, off + 2);
  const total = totalField === 0 ? end - off : totalField;
  if (total < ihl) return malformed(ctx, "ipv4", `total length ${total} < header length ${ihl}`);
  l.detail = { tos: d[off + 1], totalLength: totalField, id: u16(d, off + 4), df: (d[off + 6] & 0x40) !== 0 };
  const routed = ihl > 20 ? sourceRouteDestination(d, off + 20, off + ihl) : undefined;
  if (routed !== undefined && l.fields.dst !== undefined) {
    // tshark's quirk, kept for the schema: dst is the route's end; the header's is kept in detail.
    l.detail.headerDst = l.fields.dst;
    l.note = `dst ${routed} is the source route's last hop, as tshark shows it; the header's destination (what OVS matches as nw_dst) is headerDst ${l.fields.dst}`;
    l.fields.dst = routed;
  }
  if ((u16(d, off + 6) & 0x1fff) !== 0) return;
  dispatch(ipProtocols, d[off + 9], ctx, off + ihl, Math.min(end, off + total));
}

/** The display-filter fields of IPv4 headers (outer and inner). */
export const IPV4_PROTOCOL: ProtocolDecl = {
  name: "ip",
  description: "IPv4",
  layer: "ipv4",
  fields: [
    // Every occurrence: the outer and the inner header of a tunnelled frame.
    ...sourceAndDestination({
      names: ["ip.src", "ip.dst", "ip.addr"],
      protocol: "IPv4",
      noun: "address",
      type: IPV4,
    }),
    { name: "ip.proto", description: "IPv4 protocol", type: uint(8), read: fromFields("ipProto") },
    { name: "ip.ttl", description: "IPv4 TTL", type: uint(8), read: fromFields("ttl") },
    { name: "ip.len", description: "IPv4 total length", type: uint(16), read: fromDetail("totalLength") },
    { name: "ip.id", description: "IPv4 identification", type: uint(16), read: fromDetail("id") },
    { name: "ip.dsfield", description: "IPv4 DS field (TOS byte)", type: uint(8), read: fromDetail("tos") },
    {
      name: "ip.dsfield.dscp",
      description: "IPv4 DSCP",
      type: uint(8),
      read: fromDetail("tos", (v) => Number(v) >> 2),
    },
    {
      name: "ip.dsfield.ecn",
      description: "IPv4 ECN",
      type: uint(8),
      read: fromDetail("tos", (v) => Number(v) & 3),
    },
    { name: "ip.flags.df", description: "IPv4 don't fragment", type: BOOL, read: fromDetail("df") },
    { name: "ip.flags.mf", description: "IPv4 more fragments", type: BOOL, read: fromFields("mf") },
    {
      name: "ip.frag_offset",
      description: "IPv4 fragment offset (8-byte units)",
      type: uint(16),
      read: fromFields("fragOffset"),
    },
  ],
};
