import { ipv4Str } from "./bytes.js";

const OPT_EOL = 0;
const OPT_NOP = 1;
const OPT_LSRR = 131;
const OPT_SSRR = 137;

/**
 * The final destination a loose or strict source route option names (its last address), or undefined.
 * tshark shows that as the packet's `ip.dst` and the header's own destination as "Current Route";
 * the header's is what a switch matches (OVS's nw_dst), so callers keep both.
 */
export function sourceRouteDestination(d: Uint8Array, from: number, to: number): string | undefined {
  let p = from;
  while (p < to) {
    const type = d[p];
    if (type === OPT_EOL) return undefined;
    if (type === OPT_NOP) {
      p++;
      continue;
    }
    if (p + 1 >= to) return undefined;
    const len = d[p + 1];
    if (len < 2 || p + len > to) return undefined;
    if ((type === OPT_LSRR || type === OPT_SSRR) && len >= 7 && (len - 3) % 4 === 0) {
      return ipv4Str(d, p + len - 4);
    }
    p += len;
  }
  return undefined;
}
