import { dispatch, ethertypes } from "./registry.js";
import type { DecodeCtx } from "./types.js";

/** Enters a tunnel payload: one level deeper, or a stop when the nesting bound is reached. */
export function enterTunnel(ctx: DecodeCtx): boolean {
  if (ctx.depth >= ctx.maxDepth) {
    ctx.stop = `tunnel nesting deeper than ${ctx.maxDepth}`;
    return false;
  }
  ctx.depth++;
  return true;
}

/** A tunnel's payload, as a new inner frame (Ethernet or IP by ethertype). */
export function inner(ctx: DecodeCtx, ethertype: number, off: number, end: number): void {
  if (!enterTunnel(ctx)) return;
  dispatch(ethertypes, ethertype, ctx, off, end);
}
