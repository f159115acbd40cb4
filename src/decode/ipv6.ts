import { IPV6, uint } from "../model/filter-field-type.js";
import { cutShort, has, ipv6Str, pushLayer, setDetail, u16, u32 } from "./bytes.js";
import { fromDetail, fromFields, type ProtocolDecl, sourceAndDestination } from "./filter-decl.js";
import { dispatch, ipProtocols } from "./registry.js";
import type { DecodeCtx } from "./types.js";

const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const AUTH = 51;
const NO_NEXT = 59;
const DEST_OPTS = 60;
const MAX_EXTENSIONS = 16;

/** IPv6 with its extension headers (they belong to this layer); a non-first fragment ends here. */
export function decodeIpv6(ctx: DecodeCtx, off: number, end: number): void {
  const d = ctx.data;
  const l = pushLayer(ctx, "ipv6", off, 40);
  if (has(ctx, off + 6, 1, end)) l.fields.nextHeader = d[off + 6];
  if (has(ctx, off + 7, 1, end)) l.fields.hlim = d[off + 7];
  if (has(ctx, off + 8, 16, end)) l.fields.src = ipv6Str(d, off + 8);
  if (has(ctx, off + 24, 16, end)) l.fields.dst = ipv6Str(d, off + 24);
  if (!has(ctx, off, 40, end)) return cutShort(ctx, "ipv6", end);
  setDetail(l, "flowLabel", u32(d, off) & 0xfffff);
  const plen = u16(d, off + 4);
  const limit = plen === 0 ? end : Math.min(end, off + 40 + plen);
  let next = d[off + 6];
  let p = off + 40;
  for (let i = 0; i < MAX_EXTENSIONS; i++) {
    if (next === HOP_BY_HOP || next === ROUTING || next === DEST_OPTS || next === AUTH) {
      if (!has(ctx, p, 2, limit)) return cutShort(ctx, "ipv6 extension", limit);
      const len = next === AUTH ? (d[p + 1] + 2) * 4 : (d[p + 1] + 1) * 8;
      next = d[p];
      p += len;
    } else if (next === FRAGMENT) {
      if (!has(ctx, p, 8, limit)) return cutShort(ctx, "ipv6 fragment", limit);
      const fragOffset = u16(d, p + 2) >> 3;
      setDetail(l, "fragOffset", fragOffset);
      setDetail(l, "mf", (d[p + 3] & 1) === 1);
      next = d[p];
      p += 8;
      if (fragOffset !== 0) {
        l.length = p - off;
        return;
      }
    } else {
      break;
    }
  }
  l.length = p - off;
  setDetail(l, "payloadProto", next);
  if (next === NO_NEXT) return;
  dispatch(ipProtocols, next, ctx, p, limit);
}

/** The display-filter fields of IPv6 headers. */
export const IPV6_PROTOCOL: ProtocolDecl = {
  name: "ipv6",
  description: "IPv6",
  layer: "ipv6",
  fields: [
    ...sourceAndDestination({
      names: ["ipv6.src", "ipv6.dst", "ipv6.addr"],
      protocol: "IPv6",
      noun: "address",
      type: IPV6,
    }),
    {
      name: "ipv6.nxt",
      description: "IPv6 next header (of the fixed header)",
      type: uint(8),
      read: fromFields("nextHeader"),
    },
    { name: "ipv6.hlim", description: "IPv6 hop limit", type: uint(8), read: fromFields("hlim") },
    { name: "ipv6.flow", description: "IPv6 flow label", type: uint(32), read: fromDetail("flowLabel") },
  ],
};
