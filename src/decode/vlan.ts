import { cutShort, has, hex16, pushLayer, u16 } from "./bytes.js";
import { dispatch, ethertypes } from "./registry.js";
import type { DecodeCtx, Decoder } from "./types.js";

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
