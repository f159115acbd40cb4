import { BOOL, uint } from "../model/filter-field-type.js";
import { cutShort, has, hex16, pushLayer, u16 } from "./bytes.js";
import { fromDetail, fromFields, hexNumber, type LayerFieldDecl, type ProtocolDecl } from "./filter-decl.js";
import { dispatch, ethertypes } from "./registry.js";
import type { DecodeCtx, Decoder, Layer } from "./types.js";

/**
 * One 802.1Q / 802.1ad / 0x9100 tag. tshark reports an 802.1ad S-tag without the inner type (its
 * ieee8021ad dissector has no such field), so the layer introduced by 0x88a8 carries none.
 */
function tagDecoder(showType: boolean): Decoder {
  return (ctx: DecodeCtx, off: number, end: number) => {
    const l = pushLayer(ctx, "vlan", off, 4);
    const d = ctx.data;
    if (!has(ctx, off, 2, end)) return cutShort(ctx, "vlan", end);
    const tci = u16(d, off);
    l.fields.vid = tci & 0x0fff;
    l.fields.pcp = tci >> 13;
    l.detail = { dei: (tci >> 12) & 1 };
    if (!has(ctx, off + 2, 2, end)) return cutShort(ctx, "vlan", end);
    const type = u16(d, off + 2);
    if (type < 0x0600) return;
    if (showType) l.fields.type = hex16(type);
    dispatch(ethertypes, type, ctx, off + 4, end);
  };
}

export const decodeDot1q = tagDecoder(true);
export const decodeDot1ad = tagDecoder(false);

/** An 802.1ad S-tag is a `vlan` layer after a 0x88a8 type, as tshark names it `ieee8021ad`. */
const isSTag = (layers: readonly Layer[], i: number): boolean =>
  i > 0 && layers[i - 1].fields.type === "0x88a8";

/** The fields every tag has (`vlan.id`, `vlan.priority`, `vlan.dei`; the same under `ieee8021ad.`). */
function tagFields(prefix: string, what: string): LayerFieldDecl[] {
  return [
    { name: `${prefix}.id`, description: `${what} VLAN id`, type: uint(16), read: fromFields("vid") },
    {
      name: `${prefix}.priority`,
      description: `${what} priority (PCP)`,
      type: uint(16),
      read: fromFields("pcp"),
    },
    {
      name: `${prefix}.dei`,
      description: `${what} drop eligible`,
      type: BOOL,
      read: fromDetail("dei", (v) => v === 1),
    },
  ];
}

/** The display-filter fields of 802.1ad S-tags. */
export const DOT1AD_PROTOCOL: ProtocolDecl = {
  name: "ieee8021ad",
  description: "802.1ad S-tag",
  layer: "vlan",
  is: isSTag,
  fields: tagFields("ieee8021ad", "802.1ad S-tag"),
};

/** The display-filter fields of 802.1Q tags (C-tags, and 0x9100 tags). */
export const DOT1Q_PROTOCOL: ProtocolDecl = {
  name: "vlan",
  description: "802.1Q tag (C-tag, or a 0x9100 tag)",
  layer: "vlan",
  fields: [
    ...tagFields("vlan", "802.1Q"),
    {
      name: "vlan.pcp",
      description: "802.1Q priority (same as vlan.priority)",
      type: uint(16),
      read: fromFields("pcp"),
    },
    {
      name: "vlan.etype",
      description: "802.1Q inner ethertype",
      type: uint(16),
      read: fromFields("type", hexNumber),
    },
  ],
};
