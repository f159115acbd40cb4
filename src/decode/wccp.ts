import { cutShort, has, setDetail, u32 } from "./bytes.js";
import { inner } from "./tunnel.js";
import type { DecodeCtx } from "./types.js";

/**
 * GRE protocol 0x883e (WCCP v2 redirection): an IPv4 packet, after a 4-byte redirect header unless
 * the next byte already starts IPv4 (version 4), as tshark decides. tshark shows the redirect header
 * inside the GRE layer, so it extends that layer instead of starting one.
 */
export function decodeWccp(ctx: DecodeCtx, off: number, end: number): void {
  if ((ctx.data[off] ?? 0) >> 4 === 4) return inner(ctx, 0x0800, off, end);
  if (!has(ctx, off, 4, end)) return cutShort(ctx, "wccp redirect", end);
  const gre = ctx.layers[ctx.layers.length - 1];
  setDetail(gre, "wccpRedirect", `0x${u32(ctx.data, off).toString(16).padStart(8, "0")}`);
  gre.length += 4;
  inner(ctx, 0x0800, off + 4, end);
}
