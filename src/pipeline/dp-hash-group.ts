/**
 * Select groups with the dp_hash method, as OVS 3.x runs them (ofproto-dpif: group_set_selection_method,
 * group_setup_dp_hash_table; xlate_dp_hash_select_group). A select group without a selection method
 * uses dp_hash with a symmetric L4 hash when its buckets fit in 64 hash values; OVN asks for
 * `selection_method=dp_hash` (an L4 hash). The first pass has no hash yet (dp_hash 0): OVS emits
 * `hash(ALG(BASIS)),recirc(ID)` and freezes the rest of the translation; the pass resumed with
 * `recirc_id=ID,dp_hash=H` takes the bucket the hash value maps to. The map spreads the hash values
 * over the buckets by weight (Webster's method), so a bucket's share follows its weight.
 */
import type { GroupDesc } from "../dumps/ofctl/groups.js";

export interface DpHashGroup {
  /** `l4` (OVN's dp_hash) or `sym_l4` (OVS's default), as the datapath action prints it. */
  algorithm: "l4" | "sym_l4";
  basis: number;
  /** Hash value (masked) → bucket index. */
  map: number[];
}

const MAX_HASH_VALUES = 256;

/** How OVS runs this select group with dp_hash, or undefined when it does not (then another method). */
export function dpHashGroup(g: GroupDesc): DpHashGroup | undefined {
  if (g.type !== "select" || g.buckets.length === 0) return undefined;
  const method = g.props.selection_method;
  if (method !== undefined && method !== "dp_hash") return undefined;
  const weights = g.buckets.map((b) => Number(b.props.weight ?? 1));
  const total = weights.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const min = Math.min(...weights.filter((w) => w > 0));
  const slots = Math.ceil(total / min);
  const n = Math.max(16, 2 ** Math.ceil(Math.log2(slots)));
  // Without a method the table may hold 64 values at most; with dp_hash asked for, up to OVS's maximum.
  if (n > MAX_HASH_VALUES || (method === undefined && n > 64)) return undefined;
  const divisor = weights.map(() => 1);
  const value = [...weights];
  const map: number[] = [];
  for (let h = 0; h < n; h++) {
    let win = 0;
    for (let i = 1; i < weights.length; i++) if (value[i] > value[win]) win = i;
    divisor[win] += 2;
    value[win] = weights[win] / divisor[win];
    map.push(win);
  }
  // selection_method_param: the algorithm in its upper 32 bits (0 = L4), the basis in the lower.
  const param = BigInt(g.props.selection_method_param ?? 0);
  return {
    algorithm: method === undefined ? "sym_l4" : "l4",
    basis: Number(param & 0xffffffffn),
    map,
  };
}
