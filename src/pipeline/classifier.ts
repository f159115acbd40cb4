/**
 * The OpenFlow classifier of one bridge, indexed as OVS's own is (tuple space search): flows of a table
 * are grouped by their mask ("subtable"); each subtable is a hash of masked values. A lookup probes the
 * subtables in order of their highest priority and stops as soon as no remaining subtable can beat the
 * best match — never a scan of every flow.
 *
 * Two matching flows of the same priority are OVS's "undefined" case; the lookup returns the one that
 * came first in the dump and flags the tie so the explanation can say so.
 */
import type { FlowEntry } from "../dumps/flows.js";
import { FLOW_WORDS, type FlowKey } from "../model/layout.js";
import { type CompiledMatch, compileMatch, type PortResolver } from "../model/match.js";

export interface ClassifiedFlow {
  flow: FlowEntry;
  match: CompiledMatch;
  /** Position in the dump, for OVS-like tie-breaking and stable output. */
  order: number;
}

interface Subtable {
  mask: FlowKey;
  /** The flow-key words this mask looks at (the rest are wildcards). */
  words: Uint32Array;
  maxPriority: number;
  /** Masked-value hash → flows with that masked value, highest priority first. */
  buckets: Map<number, ClassifiedFlow[]>;
}

export interface LookupResult {
  flow: ClassifiedFlow;
  /** Other flows of the same priority that also match (OVS leaves the choice undefined). */
  ties: ClassifiedFlow[];
  /** How many subtables were probed (for the benchmark's honesty, and tests of the early exit). */
  probes: number;
}

function hashMasked(key: FlowKey, mask: FlowKey, words: Uint32Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    h = Math.imul(h ^ (key[w] & mask[w]), 0x01000193) >>> 0;
  }
  return h;
}

function sameMasked(key: FlowKey, m: CompiledMatch, words: Uint32Array): boolean {
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if ((key[w] & m.mask[w]) >>> 0 !== m.value[w]) return false;
  }
  return true;
}

function maskKey(mask: FlowKey): string {
  return Array.from(mask, (w) => w.toString(36)).join(",");
}

export class Table {
  private subtables: Subtable[] = [];
  private byMask = new Map<string, Subtable>();
  /** Inserts only append; the orders lookups rely on are restored once, before the next lookup. */
  private dirty = false;
  size = 0;

  private settle(): void {
    if (!this.dirty) return;
    for (const st of this.subtables)
      for (const b of st.buckets.values())
        b.sort((a, c) => c.flow.priority - a.flow.priority || a.order - c.order);
    this.subtables.sort((a, b) => b.maxPriority - a.maxPriority);
    this.dirty = false;
  }

  insert(cf: ClassifiedFlow): void {
    const k = maskKey(cf.match.mask);
    let st = this.byMask.get(k);
    if (!st) {
      const words: number[] = [];
      for (let i = 0; i < FLOW_WORDS; i++) if (cf.match.mask[i] !== 0) words.push(i);
      st = { mask: cf.match.mask, words: Uint32Array.from(words), maxPriority: -1, buckets: new Map() };
      this.byMask.set(k, st);
      this.subtables.push(st);
    }
    const h = hashMasked(cf.match.value, st.mask, st.words);
    const bucket = st.buckets.get(h);
    if (bucket) bucket.push(cf);
    else st.buckets.set(h, [cf]);
    st.maxPriority = Math.max(st.maxPriority, cf.flow.priority);
    this.dirty = true;
    this.size++;
  }

  /**
   * Adds a flow, replacing one with the same match and priority (an OpenFlow "add" of an existing
   * flow, which is what learn() does when it relearns).
   */
  replace(cf: ClassifiedFlow): void {
    const st = this.byMask.get(maskKey(cf.match.mask));
    if (st) {
      const h = hashMasked(cf.match.value, st.mask, st.words);
      const bucket = st.buckets.get(h);
      const i = bucket?.findIndex(
        (o) => o.flow.priority === cf.flow.priority && sameMasked(o.match.value, cf.match, st.words),
      );
      if (bucket && i !== undefined && i >= 0) {
        bucket[i] = cf;
        return;
      }
    }
    this.insert(cf);
  }

  lookup(key: FlowKey): LookupResult | undefined {
    this.settle();
    let best: ClassifiedFlow | undefined;
    let ties: ClassifiedFlow[] = [];
    let probes = 0;
    for (const st of this.subtables) {
      if (best && st.maxPriority < best.flow.priority) break;
      probes++;
      const bucket = st.buckets.get(hashMasked(key, st.mask, st.words));
      if (!bucket) continue;
      for (const cf of bucket) {
        if (best && cf.flow.priority < best.flow.priority) break;
        if (!sameMasked(key, cf.match, st.words)) continue;
        if (!best || cf.flow.priority > best.flow.priority) {
          best = cf;
          ties = [];
        } else if (cf.order < best.order) {
          ties.push(best);
          best = cf;
        } else ties.push(cf);
        // Keep going only through flows of the same priority (possible ties); lower ones cannot win.
      }
    }
    ties.sort((a, b) => a.order - b.order);
    return best ? { flow: best, ties, probes } : undefined;
  }

  /** Every flow, highest priority first (for listings and the explainer's near misses). */
  flows(): ClassifiedFlow[] {
    this.settle();
    return this.subtables
      .flatMap((st) => [...st.buckets.values()].flat())
      .sort((a, b) => b.flow.priority - a.flow.priority || a.order - b.order);
  }
}

export interface Classifier {
  tables: Map<number, Table>;
  /** Flows whose match could not be compiled (a port name the bridge does not have), with why. */
  rejected: Array<{ flow: FlowEntry; reason: string }>;
}

export function buildClassifier(flows: readonly FlowEntry[], resolvePort: PortResolver): Classifier {
  const c: Classifier = { tables: new Map(), rejected: [] };
  flows.forEach((flow, order) => {
    const m = compileMatch(flow.match, resolvePort);
    if (!m.ok) {
      c.rejected.push({ flow, reason: m.message });
      return;
    }
    let t = c.tables.get(flow.table);
    if (!t) {
      t = new Table();
      c.tables.set(flow.table, t);
    }
    t.insert({ flow, match: m.value, order });
  });
  return c;
}
