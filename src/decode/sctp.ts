import { uint } from "../model/filter-field-type.js";
import { cutShort, has, pushLayer, u16, u32 } from "./bytes.js";
import { fromDetail, type ProtocolDecl, portFields } from "./filter-decl.js";
import type { DecodeCtx } from "./types.js";

/** SCTP: ports and the verification tag. */
export function decodeSctp(ctx: DecodeCtx, off: number, end: number): void {
  const d = ctx.data;
  const l = pushLayer(ctx, "sctp", off, 12);
  if (has(ctx, off, 2, end)) l.fields.sport = u16(d, off);
  if (has(ctx, off + 2, 2, end)) l.fields.dport = u16(d, off + 2);
  if (!has(ctx, off, 12, end)) return cutShort(ctx, "sctp", end);
  l.detail = { vtag: u32(d, off + 4) };
}

/** The display-filter fields of SCTP. */
export const SCTP_PROTOCOL: ProtocolDecl = {
  name: "sctp",
  description: "SCTP",
  layer: "sctp",
  fields: [
    ...portFields("sctp", "SCTP"),
    {
      name: "sctp.verification_tag",
      description: "SCTP verification tag",
      type: uint(32),
      read: fromDetail("vtag"),
    },
  ],
};
