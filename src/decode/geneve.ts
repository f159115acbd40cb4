import { uint } from "../model/filter-field-type.js";
import { cutShort, has, hex16, pushLayer, u16, u24 } from "./bytes.js";
import { fromFields, hexNumber, type ProtocolDecl } from "./filter-decl.js";
import { enterTunnel, inner } from "./tunnel.js";
import type { DecodeCtx } from "./types.js";

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

/** The display-filter fields of Geneve. */
export const GENEVE_PROTOCOL: ProtocolDecl = {
  name: "geneve",
  description: "Geneve",
  layer: "geneve",
  fields: [
    {
      name: "geneve.vni",
      description: "Geneve virtual network identifier",
      type: uint(24),
      read: fromFields("vni"),
    },
    {
      name: "geneve.proto_type",
      description: "Geneve protocol type",
      type: uint(16),
      read: fromFields("ptype", hexNumber),
    },
  ],
};
