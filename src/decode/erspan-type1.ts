import { pushLayer } from "./bytes.js";
import { inner } from "./tunnel.js";
import type { DecodeCtx } from "./types.js";

/**
 * ERSPAN type I: GRE 0x88be without a sequence number carries the mirrored Ethernet frame with no
 * ERSPAN header at all. tshark still shows an `erspan` layer (with no field) before the frame, so
 * the layer is kept, zero bytes long.
 */
export function decodeErspanTypeI(ctx: DecodeCtx, off: number, end: number): void {
  const l = pushLayer(ctx, "erspan", off, 0);
  l.note = "ERSPAN type I has no header: this empty layer is shown because tshark shows it";
  inner(ctx, 0x6558, off, end);
}
