/**
 * The per-port index: Neutron's chains hold one or two rules per port keyed by `--physdev-in/-out
 * DEV` (200 ports make FORWARD and sg-chain hundreds of rules long). A frame only needs the rules with
 * no such key plus those keyed by its own bridge ports, in their original order, so each chain's rules
 * are grouped by device once and merged per (in, out) pair on first use.
 */
import type { Chain, Rule } from "./rule.js";

interface ChainIndex {
  generic: Rule[];
  byIn: Map<string, Rule[]>;
  byOut: Map<string, Rule[]>;
  merged: Map<string, Rule[]>;
}

const indexes = new WeakMap<Chain, ChainIndex>();

function build(chain: Chain): ChainIndex {
  const ix: ChainIndex = { generic: [], byIn: new Map(), byOut: new Map(), merged: new Map() };
  for (const r of chain.rules) {
    const key = r.matches.find((m) => m.physdev)?.physdev;
    if (!key) {
      ix.generic.push(r);
      continue;
    }
    const map = key.dir === "in" ? ix.byIn : ix.byOut;
    const list = map.get(key.dev) ?? [];
    list.push(r);
    map.set(key.dev, list);
  }
  return ix;
}

/** The rules of `chain` a frame between bridge ports `physIn` → `physOut` can match, in order. */
export function candidateRules(chain: Chain, physIn: string, physOut: string): Rule[] {
  if (chain.rules.length < 16) return chain.rules;
  let ix = indexes.get(chain);
  if (!ix) {
    ix = build(chain);
    indexes.set(chain, ix);
  }
  const key = `${physIn}\n${physOut}`;
  let rules = ix.merged.get(key);
  if (!rules) {
    rules = [...ix.generic, ...(ix.byIn.get(physIn) ?? []), ...(ix.byOut.get(physOut) ?? [])].sort(
      (a, b) => a.index - b.index,
    );
    // Keep the memo bounded on hosts where frames cross many port pairs.
    if (ix.merged.size > 4096) ix.merged.clear();
    ix.merged.set(key, rules);
  }
  return rules;
}
