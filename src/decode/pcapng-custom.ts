import type { DecodeCtx } from "./types.js";

/**
 * A pcapng Custom Block's record (see LINKTYPE_PCAPNG_CUSTOM): no layer, as tshark shows none the
 * corpus schema knows; the stop says why a "frame" carries no packet.
 */
export function decodePcapngCustom(ctx: DecodeCtx): void {
  ctx.stop = "pcapng Custom Block, not a packet (tshark lists it as a frame, so its number is kept)";
}
