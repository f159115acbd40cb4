import { uint } from "../model/filter-field-type.js";
import { cutShort, has, hex16, pushLayer, u16, u24 } from "./bytes.js";
import { fromFields, type ProtocolDecl } from "./filter-decl.js";
import { inner } from "./tunnel.js";
import type { DecodeCtx } from "./types.js";

/** VXLAN: 8 bytes, the VNI in bytes 4-6, then Ethernet. */
export function decodeVxlan(ctx: DecodeCtx, off: number, end: number): void {
  const d = ctx.data;
  const l = pushLayer(ctx, "vxlan", off, 8);
  if (!has(ctx, off, 8, end)) return cutShort(ctx, "vxlan", end);
  l.fields.vni = u24(d, off + 4);
  l.detail = { flags: hex16(u16(d, off)) };
  inner(ctx, 0x6558, off + 8, end);
}

/** The display-filter fields of VXLAN. */
export const VXLAN_PROTOCOL: ProtocolDecl = {
  name: "vxlan",
  description: "VXLAN",
  layer: "vxlan",
  fields: [
    { name: "vxlan.vni", description: "VXLAN network identifier", type: uint(24), read: fromFields("vni") },
  ],
};
