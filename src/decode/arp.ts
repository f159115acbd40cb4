import { IPV4, MAC, uint } from "../model/filter-field-type.js";
import { cutShort, has, ipv4Str, macStr, pushLayer, u16 } from "./bytes.js";
import { fromDetail, fromFields, type ProtocolDecl } from "./filter-decl.js";
import type { DecodeCtx } from "./types.js";

/** ARP (and RARP). Addresses are printed as IPv4 and MAC only for Ethernet/IPv4 ARP. */
export function decodeArp(ctx: DecodeCtx, off: number, end: number): void {
  const d = ctx.data;
  if (!has(ctx, off, 8, end)) {
    pushLayer(ctx, "arp", off, 8);
    return cutShort(ctx, "arp", end);
  }
  const hlen = d[off + 4];
  const plen = d[off + 5];
  const l = pushLayer(ctx, "arp", off, 8 + 2 * (hlen + plen));
  l.fields.op = u16(d, off + 6);
  const ipv4 = u16(d, off + 2) === 0x0800 && plen === 4;
  const mac = hlen === 6;
  const sha = off + 8;
  const spa = sha + hlen;
  const tha = spa + plen;
  const tpa = tha + hlen;
  if (ipv4 && has(ctx, spa, 4, end)) l.fields.spa = ipv4Str(d, spa);
  if (ipv4 && has(ctx, tpa, 4, end)) l.fields.tpa = ipv4Str(d, tpa);
  l.detail = {};
  if (mac && has(ctx, sha, 6, end)) l.detail.sha = macStr(d, sha);
  if (mac && has(ctx, tha, 6, end)) l.detail.tha = macStr(d, tha);
  if (!has(ctx, tpa, plen, end)) cutShort(ctx, "arp", end);
}

/** The display-filter fields of ARP and RARP. */
export const ARP_PROTOCOL: ProtocolDecl = {
  name: "arp",
  description: "ARP or RARP",
  layer: "arp",
  fields: [
    {
      name: "arp.opcode",
      description: "ARP opcode (1 request, 2 reply)",
      type: uint(16),
      read: fromFields("op"),
    },
    { name: "arp.src.proto_ipv4", description: "ARP sender IPv4", type: IPV4, read: fromFields("spa") },
    { name: "arp.dst.proto_ipv4", description: "ARP target IPv4", type: IPV4, read: fromFields("tpa") },
    { name: "arp.src.hw_mac", description: "ARP sender MAC", type: MAC, read: fromDetail("sha") },
    { name: "arp.dst.hw_mac", description: "ARP target MAC", type: MAC, read: fromDetail("tha") },
  ],
};
