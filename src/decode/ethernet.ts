import { MAC, uint } from "../model/filter-field-type.js";
import { cutShort, has, hex16, macStr, pushLayer, u16 } from "./bytes.js";
import { fromDetail, fromFields, hexNumber, type ProtocolDecl, sourceAndDestination } from "./filter-decl.js";
import { dispatch, ethertypes } from "./registry.js";
import type { DecodeCtx } from "./types.js";

/** Ethernet II, or IEEE 802.3 with a length in place of the type (LLC is not decoded further). */
export function decodeEthernet(ctx: DecodeCtx, off: number, end: number): void {
  const l = pushLayer(ctx, "eth", off, 14);
  const d = ctx.data;
  if (has(ctx, off, 6, end)) l.fields.dst = macStr(d, off);
  if (has(ctx, off + 6, 6, end)) l.fields.src = macStr(d, off + 6);
  if (!has(ctx, off + 12, 2, end)) return cutShort(ctx, "eth", end);
  const type = u16(d, off + 12);
  // As Wireshark: a type below 0x0600 is an 802.3 length, except 0x0000, taken as Ethernet II.
  if (type < 0x0600 && type !== 0) {
    l.detail = { length: type };
    return;
  }
  l.fields.type = hex16(type);
  dispatch(ethertypes, type, ctx, off + 14, end);
}

/** The display-filter fields of Ethernet layers. */
export const ETHERNET_PROTOCOL: ProtocolDecl = {
  name: "eth",
  description: "Ethernet",
  layer: "eth",
  fields: [
    ...sourceAndDestination({
      names: ["eth.src", "eth.dst", "eth.addr"],
      protocol: "Ethernet",
      noun: "MAC",
      type: MAC,
    }),
    { name: "eth.type", description: "Ethernet type", type: uint(16), read: fromFields("type", hexNumber) },
    { name: "eth.len", description: "802.3 length", type: uint(16), read: fromDetail("length") },
  ],
};
