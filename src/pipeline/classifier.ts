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
import { FLOW_WORDS, type FlowKey, K, newFlowKey, ownFlowKey } from "../model/layout.js";
import { type CompiledMatch, compileMatchInto, type PortResolver } from "../model/match.js";
import type { TraceStep } from "./trace-tree.js";

export interface ClassifiedFlow {
  flow: FlowEntry;
  match: CompiledMatch;
  /** Position in the dump, for OVS-like tie-breaking and stable output. */
  order: number;
  /**
   * Set when every action of the flow is `conjunction(id,k/n)`: such a flow is one clause of a
   * conjunctive match, a "soft" match that only counts once every clause of its conjunction matched.
   */
  conjunctions?: readonly Conjunction[];
  /** The trace's line for this flow, formatted on first use: the same flows serve every packet. */
  traceLine?: TableLine;
  /**
   * The last lookup result that was this flow alone (no ties, no soft match): returned again to the
   * lookups that probe as many subtables (results are read-only), a packet's path's lookups each time.
   * One object, made when the count differs: no more than a result per lookup costs anyway.
   */
  result?: Search;
  /** Whether every action of the flow is reversible (see patchedActions), worked out on first use. */
  reversible?: boolean;
}

/** A matched flow's line as a trace prints it (` 4. tun_id=0x64, priority 1, cookie 0x…`). */
export interface TableLine {
  table: number;
  match: string;
  text: string;
  /** The trace step of a hit without ties, made once: steps are read-only, shared by every packet. */
  step?: TraceStep;
  /**
   * The bridge (a SimBridge: one host's) `step` was made in: compared by identity, where comparing the
   * step's host and bridge names cost ~2% of an uncached replay's frame.
   */
  stepBridge?: object;
}

export interface Conjunction {
  id: number;
  /** 0-based clause index (`k - 1` of `conjunction(id,k/n)`). */
  clause: number;
  nClauses: number;
}

/**
 * The flows of a subtable with one masked value, highest priority first: each matches every key the
 * bucket is found for, so a lookup compares the key's masked words once, not once per flow. An array
 * and nothing more: a 100k-flow table has 100k buckets, made at its first lookup.
 */
type Bucket = ClassifiedFlow[];

interface Subtable {
  mask: FlowKey;
  maxPriority: number;
  /** The flow-key words the mask looks at (the rest are wildcards), and their masks. */
  words: Uint32Array;
  masks: Uint32Array;
  /** Its buckets, in the order its segment numbers them. */
  buckets: Bucket[];
  /** Flows added since the buckets were settled: put in their buckets by the next lookup. */
  pending: ClassifiedFlow[];
  /**
   * Per pending flow, its masked words' plan hash and then the words, as a slot holds them (n + 1
   * ints): taken at insert, while the flow's value key is in cache, so that the next lookup buckets a
   * big table's flows without reading 100k value keys again.
   */
  pendingWords: Int32Array;
  /**
   * The subtable's part of the plan (below), made when its buckets change: its header (the table's
   * plan writes its kind, priority and first bucket), its triples and, with more than one bucket, its
   * slots.
   */
  segment: Int32Array;
}

export interface LookupResult {
  flow: ClassifiedFlow;
  /** Other flows of the same priority that also match (OVS leaves the choice undefined). */
  ties: ClassifiedFlow[];
  /** How many subtables were probed (for the benchmark's honesty, and tests of the early exit). */
  probes: number;
  /** When the flow was found through a conjunctive match: its id and the clause flows that completed it. */
  conjunction?: { id: number; clauses: ClassifiedFlow[] };
}

/**
 * Hashes are cut to 30 bits: V8 keeps such numbers unboxed (small integers), while a full 32-bit hash
 * is a heap number allocated by every probe, and a slower Map key.
 */
const SMI_BITS = 0x3fffffff;

/** A bucket's order: best first, then first in the dump. */
function settleBucket(b: Bucket): void {
  if (b.length > 1) b.sort(byPriorityThenOrder);
}

/**
 * Whether a compiled value has no bit its mask clears, in the mask's words. One that has can match no
 * key (a key's masked word never has such a bit): such a flow is listed, never put in a bucket.
 */
function isMasked(m: CompiledMatch, words: Uint32Array): boolean {
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if ((m.value[w] & m.mask[w]) >>> 0 !== m.value[w]) return false;
  }
  return true;
}

/** The words a mask looks at: the rest of the key is wildcarded. */
function maskWords(mask: FlowKey): number[] {
  const words: number[] = [];
  for (let i = 0; i < FLOW_WORDS; i++) if (mask[i] !== 0) words.push(i);
  return words;
}

/**
 * A hash of a mask, over its nonzero words and their positions. Numbers, not a string of the whole
 * key: building one string per flow of a ~200-word key was most of a 100k-flow classifier's build time.
 */
function hashMask(mask: FlowKey, words: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const w of words) {
    h = Math.imul(h ^ w, 0x01000193);
    h = Math.imul(h ^ mask[w], 0x01000193);
  }
  return (h ^ (h >>> 30)) & SMI_BITS;
}

function sameMask(st: Subtable, mask: FlowKey, words: readonly number[]): boolean {
  const own = st.words;
  if (own.length !== words.length) return false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (own[i] !== w || st.mask[w] !== mask[w]) return false;
  }
  return true;
}

/** The conjunction clauses of a flow whose actions are nothing but `conjunction(...)`, as OVS decides. */
export function conjunctionsOf(flow: FlowEntry): Conjunction[] | undefined {
  if (flow.actions.length === 0) return undefined;
  const out: Conjunction[] = [];
  for (const a of flow.actions) {
    if (a.type !== "conjunction") return undefined;
    out.push({ id: a.id, clause: a.clause - 1, nClauses: a.nClauses });
  }
  return out;
}

const NO_TIES: ClassifiedFlow[] = [];

/** Highest priority first, then first in the dump (OVS's undefined case, settled as a dump lists it). */
const byPriorityThenOrder = (a: ClassifiedFlow, b: ClassifiedFlow) =>
  b.flow.priority - a.flow.priority || a.order - b.order;
const NO_SOFT: SoftCursor[] = [];

/** A soft match being considered: the flows of one subtable with the key's masked value, and which one. */
interface SoftCursor {
  list: ClassifiedFlow[];
  at: number;
}

/**
 * A table's probing plan, one Int32Array read front to back by a lookup: per subtable, in the order
 * probed, a header (its best priority, its mask's word count, its kind, its slots, its first bucket in
 * the plan's list) and then (word, mask, value) per word of its mask. A subtable of one bucket has that
 * bucket's masked value there; one of more has its buckets' slots next: an open-addressing index, each
 * slot the bucket's number in the subtable + 1 (0: empty) and its masked words. A lookup so reads one
 * typed array where it read each subtable's object, its words, masks and index and its bucket's value
 * key: objects spread over the heap, out of the cache again by the next lookup after a translation's
 * allocations (a Map of hash buckets per subtable, before, cost as much as the hash and the compare
 * together). A subtable's segment also finds the bucket of a flow added or replaced.
 */
const PLAN_HEADER = 5;
/** Kinds: a subtable with slots... */
const INDEXED = -2;
/** ...one bucket, its flows read in full, or (a kind ≥ 0) one bucket of one hard flow, of that priority. */
const ONLY = -1;
const EMPTY_SEGMENT = new Int32Array(0);
/** Table.planHeads: the head's priority is the low 16 bits; these flags are above them. */
const HEAD_PRIORITY = 0xffff;
const HEAD_LONE = 1 << 16;
const HEAD_SOFT = 1 << 17;

/** Slots for `buckets` buckets: a power of two, at most half full (a miss ends after a probe or two). */
function slotsFor(buckets: number): number {
  let slots = 4;
  while (slots < buckets * 2) slots *= 2;
  return slots;
}

/**
 * A subtable's segment with room for `slots` slots (0: one bucket, its value in the triples), its
 * buckets placed: their masked words are read from its current segment (`from`), not from the buckets'
 * value keys, spread over the heap.
 */
function segmentOf(st: Subtable, slots: number, from: Int32Array = st.segment): Int32Array {
  const { words, masks } = st;
  const n = words.length;
  const seg = new Int32Array(PLAN_HEADER + 3 * n + slots * (n + 1));
  seg[1] = n;
  seg[3] = slots;
  for (let i = 0; i < n; i++) {
    seg[PLAN_HEADER + 3 * i] = words[i];
    seg[PLAN_HEADER + 3 * i + 1] = masks[i];
  }
  if (from.length === 0) return seg;
  // A bucket's words gathered as a pending flow's are (its hash, then its words).
  const one = new Int32Array(n + 1);
  if (from[3] === 0) {
    // One bucket, its words in the triples.
    for (let i = 0; i < n; i++) one[1 + i] = from[PLAN_HEADER + 3 * i + 2];
    one[0] = wordsHash(one, 1, n);
    placeWords(seg, slots, n, one, 0, 0);
    return seg;
  }
  for (let base = PLAN_HEADER + 3 * n; base < from.length; base += n + 1) {
    if (from[base] === 0) continue;
    for (let i = 0; i < n; i++) one[1 + i] = from[base + 1 + i];
    one[0] = wordsHash(one, 1, n);
    placeWords(seg, slots, n, one, 0, from[base] - 1);
  }
  return seg;
}

/**
 * Places bucket `b` in a segment: with slots, in the empty slot its words (`src[at + 1 .. at + n]`, their
 * hash at `src[at]`) lead to (a segment has more slots than buckets); without, in its triples.
 */
function placeWords(seg: Int32Array, slots: number, n: number, src: Int32Array, at: number, b: number) {
  if (slots === 0) {
    for (let i = 0; i < n; i++) seg[PLAN_HEADER + 3 * i + 2] = src[at + 1 + i];
    return;
  }
  const base = slotOfWords(seg, n, slots, src, at);
  seg[base] = b + 1;
  for (let i = 0; i < n; i++) seg[base + 1 + i] = src[at + 1 + i];
}

/**
 * As `slotOf`, for masked words already gathered (`src[at + 1 .. at + n]`) and hashed (`src[at]`): the
 * slot holding them, or the empty slot where they would go.
 */
function slotOfWords(seg: Int32Array, n: number, slots: number, src: Int32Array, at: number): number {
  const region = PLAN_HEADER + 3 * n;
  for (let slot = src[at] & (slots - 1); ; slot = (slot + 1) & (slots - 1)) {
    const base = region + slot * (n + 1);
    if (seg[base] === 0) return base;
    let i = 0;
    while (i < n && src[at + 1 + i] === seg[base + 1 + i]) i++;
    if (i === n) return base;
  }
}

/**
 * Where the slot of `key`'s masked words is, among the `slots` slots of the subtable whose (word, mask,
 * value) triples start at `first` (its slots after them): the slot holding them (its first int is the
 * bucket's number + 1), or the empty slot (0) where they would go.
 */
function slotOf(plan: Int32Array, first: number, n: number, slots: number, key: FlowKey): number {
  const region = first + 3 * n;
  for (let slot = planHash(plan, first, region, key) & (slots - 1); ; slot = (slot + 1) & (slots - 1)) {
    const base = region + slot * (n + 1);
    if (plan[base] === 0) return base;
    let i = 0;
    while (i < n && (key[plan[first + 3 * i]] & plan[first + 3 * i + 1]) === plan[base + 1 + i]) i++;
    if (i === n) return base;
  }
}

/** The bucket of `st` whose masked value `value` (masked) is, if it has one: from its segment. */
function bucketOf(st: Subtable, value: FlowKey): Bucket | undefined {
  const seg = st.segment;
  if (seg.length === 0) return undefined;
  const n = seg[1];
  const slots = seg[3];
  if (slots > 0) {
    const found = seg[slotOf(seg, PLAN_HEADER, n, slots, value)];
    return found === 0 ? undefined : st.buckets[found - 1];
  }
  for (let i = 0; i < n; i++)
    if ((value[seg[PLAN_HEADER + 3 * i]] & seg[PLAN_HEADER + 3 * i + 1]) !== seg[PLAN_HEADER + 3 * i + 2])
      return undefined;
  return st.buckets[0];
}

/**
 * The slot, among `slots`, where a subtable of these mask words and masks starts looking for `key`:
 * for tests, to craft masked values that collide.
 */
export function firstSlotOf(
  words: readonly number[],
  masks: readonly number[],
  key: FlowKey,
  slots: number,
): number {
  const triples = new Int32Array(words.flatMap((w, i) => [w, masks[i], 0]));
  return planHash(triples, 0, triples.length, key) & (slots - 1);
}

/** A plan's hash of `key`'s masked words (FNV-1a, then mixed: the slot is its low bits). */
function planHash(plan: Int32Array, first: number, end: number, key: FlowKey): number {
  let h = 0x811c9dc5 | 0;
  for (let q = first; q < end; q += 3) h = Math.imul(h ^ (key[plan[q]] & plan[q + 1]), 0x01000193);
  return mixHash(h);
}

/** `planHash` of masked words already gathered, `n` of them from `src[at]`. */
function wordsHash(src: Int32Array, at: number, n: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ src[at + i], 0x01000193);
  return mixHash(h);
}

function mixHash(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return h ^ (h >>> 16);
}

/** A search's result: shaped as a LookupResult (the winner is `flow`), so a hit is returned as it is. */
interface Search {
  flow: ClassifiedFlow | undefined;
  ties: ClassifiedFlow[];
  soft: SoftCursor[];
  probes: number;
}

/** Queues a flow for its subtable's next settle, its masked words gathered and hashed now. */
function addPending(st: Subtable, cf: ClassifiedFlow): void {
  const { words } = st;
  const n = words.length;
  const at = st.pending.length * (n + 1);
  let buf = st.pendingWords;
  if (at + n + 1 > buf.length) {
    // Doubled as it fills: its copies add up to no more than its final size.
    const grown = new Int32Array(Math.max(64, 2 * buf.length, at + n + 1));
    grown.set(buf);
    st.pendingWords = buf = grown;
  }
  // The value is masked (isMasked): its words are the key's masked words that find its bucket.
  const value = cf.match.value;
  for (let i = 0; i < n; i++) buf[at + 1 + i] = value[words[i]];
  buf[at] = wordsHash(buf, at + 1, n);
  st.pending.push(cf);
}

export class Table {
  private subtables: Subtable[] = [];
  /** Mask hash → the subtables with that hash (almost always one). */
  private byMask = new Map<number, Subtable[]>();
  /** Inserts only append; the orders lookups rely on are restored once, before the next lookup. */
  private dirty = false;
  /** Whether a bucket changed since the plan was made (an insert, or a replace). */
  private unplanned = false;
  private plan = new Int32Array(0);
  /** The buckets the plan numbers. */
  private planBuckets: Bucket[] = [];
  /**
   * Per bucket of the plan, what a search first reads of it, in one int: its head's priority (low 16
   * bits), HEAD_LONE when it is one hard flow, HEAD_SOFT when its head is a conjunction clause. Read
   * here, not through the bucket, its head and the head's flow (three objects apart on the heap, which
   * a translation's allocations have mostly pushed out of the cache by the next lookup).
   */
  private planHeads = new Int32Array(0);
  /** Whether any flow is a conjunction clause: without one, lookups skip the soft-match machinery. */
  private hasConjunctions = false;
  /** Flows whose value has bits outside their mask: never matched, only listed. */
  private unmatchable: ClassifiedFlow[] = [];
  size = 0;
  /** Bumped when the table's contents change (an insert, or a replace with different actions). */
  version = 0;

  /** Brings the plan up to date after inserts (callers test `unplanned` first: a lookup's check stays inline). */
  private settle(): void {
    for (const st of this.subtables) if (st.pending.length > 0) this.absorb(st);
    if (this.dirty) {
      this.subtables.sort((a, b) => b.maxPriority - a.maxPriority);
      this.dirty = false;
    }
    this.makePlan();
    this.unplanned = false;
  }

  /**
   * Puts a subtable's pending flows in their buckets (found through a segment with room for them all,
   * kept when the subtable still has more than one bucket), and settles the order of the buckets they
   * joined.
   */
  private absorb(st: Subtable): void {
    const { buckets, pending, pendingWords } = st;
    const n = st.words.length;
    const slots = slotsFor(buckets.length + pending.length);
    const seg = segmentOf(st, slots);
    const before = buckets.length;
    const grown: Bucket[] = [];
    for (let p = 0; p < pending.length; p++) {
      const cf = pending[p];
      const at = p * (n + 1);
      const base = slotOfWords(seg, n, slots, pendingWords, at);
      const found = seg[base];
      if (found > 0) {
        buckets[found - 1].push(cf);
        if (found <= before) grown.push(buckets[found - 1]);
        continue;
      }
      seg[base] = buckets.push([cf]);
      for (let i = 0; i < n; i++) seg[base + 1 + i] = pendingWords[at + 1 + i];
    }
    st.pending = [];
    st.pendingWords = EMPTY_SEGMENT;
    for (let b = before; b < buckets.length; b++) settleBucket(buckets[b]);
    for (const b of grown) settleBucket(b);
    st.segment = buckets.length === 1 ? segmentOf(st, 0, seg) : seg;
  }

  /** The plan: the subtables' segments in order, each header completed. */
  private makePlan(): void {
    let size = 0;
    for (const st of this.subtables) {
      // A subtable of flows that match nothing (`unmatchable`) is still probed, as it was before.
      if (st.segment.length === 0) st.segment = segmentOf(st, slotsFor(0));
      size += st.segment.length;
    }
    const plan = new Int32Array(size);
    const planBuckets: Bucket[] = [];
    let at = 0;
    for (const st of this.subtables) {
      const seg = st.segment;
      plan.set(seg, at);
      const only = seg[3] === 0 ? st.buckets[0] : undefined;
      plan[at] = st.maxPriority;
      plan[at + 2] = !only
        ? INDEXED
        : only.length === 1 && !only[0].conjunctions
          ? only[0].flow.priority
          : ONLY;
      plan[at + 4] = planBuckets.length;
      for (const b of st.buckets) planBuckets.push(b);
      at += seg.length;
    }
    const planHeads = new Int32Array(planBuckets.length);
    for (let b = 0; b < planBuckets.length; b++) {
      const bucket = planBuckets[b];
      const head = bucket[0];
      planHeads[b] =
        head.flow.priority | (head.conjunctions ? HEAD_SOFT : bucket.length === 1 ? HEAD_LONE : 0);
    }
    this.plan = plan;
    this.planBuckets = planBuckets;
    this.planHeads = planHeads;
  }

  /** The subtable of `mask`, if the table has one. */
  private subtableOf(mask: FlowKey): { st?: Subtable; words: number[]; hash: number } {
    const words = maskWords(mask);
    const hash = hashMask(mask, words);
    const st = this.byMask.get(hash)?.find((s) => sameMask(s, mask, words));
    return { st, words, hash };
  }

  /**
   * Adds a flow. With `scratchMask`, its mask is a key the caller reuses: the flow then takes its
   * subtable's mask (a copy of it for a new subtable).
   */
  insert(cf: ClassifiedFlow, scratchMask = false): void {
    const found = this.subtableOf(cf.match.mask);
    let st = found.st;
    if (!st) {
      const mask = scratchMask ? ownFlowKey(cf.match.mask) : cf.match.mask;
      const words = Uint32Array.from(found.words);
      const masks = Uint32Array.from(found.words, (w) => mask[w]);
      st = {
        mask,
        maxPriority: -1,
        words,
        masks,
        buckets: [],
        pending: [],
        pendingWords: EMPTY_SEGMENT,
        segment: EMPTY_SEGMENT,
      };
      const same = this.byMask.get(found.hash);
      if (same) same.push(st);
      else this.byMask.set(found.hash, [st]);
      this.subtables.push(st);
    }
    if (scratchMask) cf.match = { mask: st.mask, value: cf.match.value };
    if (!isMasked(cf.match, st.words)) this.unmatchable.push(cf);
    else addPending(st, cf);
    st.maxPriority = Math.max(st.maxPriority, cf.flow.priority);
    if (cf.conjunctions) this.hasConjunctions = true;
    this.dirty = true;
    this.unplanned = true;
    this.size++;
    this.version++;
  }

  /**
   * Adds a flow, replacing one with the same match and priority (an OpenFlow "add" of an existing
   * flow, which is what learn() does when it relearns).
   */
  replace(cf: ClassifiedFlow): void {
    if (this.unplanned) this.settle();
    const { st } = this.subtableOf(cf.match.mask);
    if (st && isMasked(cf.match, st.words)) {
      const bucket = bucketOf(st, cf.match.value);
      const i = bucket?.findIndex((o) => o.flow.priority === cf.flow.priority);
      if (bucket && i !== undefined && i >= 0) {
        if (bucket[i].flow.actionsText !== cf.flow.actionsText) this.version++;
        const wasSoft = bucket[0].conjunctions !== undefined;
        bucket[i] = cf;
        // In the dump's order among its equals again (a learned flow's order is -1).
        settleBucket(bucket);
        // The plan holds buckets, not flows: it changes only with what it reads of the head.
        if ((bucket[0].conjunctions !== undefined) !== wasSoft) this.unplanned = true;
        if (cf.conjunctions) this.hasConjunctions = true;
        return;
      }
    }
    this.insert(cf);
  }

  /**
   * The flow OVS's classifier would pick for `key`: the highest-priority hard match, unless a
   * conjunctive match of higher priority is complete (every clause 1..n of one conjunction id matched at
   * that priority), in which case the table is looked up again with `conj_id` set to that id — as
   * classifier_lookup__() does, including its fall back to lower-priority flows with an identical match.
   */
  lookup(key: FlowKey, probed?: FlowKey): LookupResult | undefined {
    if (this.unplanned) this.settle();
    const s = this.search(key, this.hasConjunctions, probed);
    // Without soft matches the search's own object is the answer: no second object per lookup.
    if (s.soft.length === 0) return s.flow ? (s as LookupResult) : undefined;
    return this.resolveSoft(key, s, probed);
  }

  /**
   * The main loop: subtables in order of their best priority, each giving its best matching flow.
   * `probed` collects the masks of the subtables looked at: the bits the result depends on (a megaflow).
   */
  private search(key: FlowKey, allowConjunctions: boolean, probed?: FlowKey): Search {
    let hard: ClassifiedFlow | undefined;
    // Shared until a tie is found (ties are rare): copied on write, never pushed onto.
    let ties: ClassifiedFlow[] = NO_TIES;
    // Shared while empty, as the ties: only conjunction clauses add to it.
    let soft: SoftCursor[] = NO_SOFT;
    let probes = 0;
    // The priority to beat: hard's, or below every flow's (priorities are 0..65535) while none.
    let best = -1;
    // Whether hard is a lone flow (its result is then reused).
    let lone = false;
    const { plan, planBuckets, planHeads } = this;
    for (let at = 0; at < plan.length; ) {
      if (plan[at] < best) break;
      probes++;
      const n = plan[at + 1];
      const kind = plan[at + 2];
      const slots = plan[at + 3];
      const firstBucket = plan[at + 4];
      const first = at + PLAN_HEADER;
      const region = first + 3 * n;
      at = region + slots * (n + 1);
      if (probed) for (let q = first; q < region; q += 3) probed[plan[q]] |= plan[q + 1];
      let b: number;
      if (kind === INDEXED) {
        const found = plan[slotOf(plan, first, n, slots, key)];
        if (found === 0) continue;
        b = firstBucket + found - 1;
      } else {
        let q = first;
        while (q < region && (key[plan[q]] & plan[q + 1]) === plan[q + 2]) q += 3;
        if (q < region) continue;
        b = firstBucket;
        // The common case, a lone flow better than any so far, decided from the plan alone.
        if (kind > best) {
          hard = planBuckets[b][0];
          best = kind;
          lone = true;
          if (ties.length > 0) ties = [];
          continue;
        }
      }
      const head = planHeads[b];
      const priority = head & HEAD_PRIORITY;
      if (priority < best) continue;
      // Every flow of the bucket matches, best first: they are this subtable's candidates, in order.
      const list = planBuckets[b];
      if (head & HEAD_SOFT) {
        if (allowConjunctions) {
          if (soft === NO_SOFT) soft = [];
          soft.push({ list, at: 0 });
        }
        continue;
      }
      // The common case, a lone flow better than any so far, decided from the plan alone.
      if (head & HEAD_LONE && priority > best) {
        hard = list[0];
        best = priority;
        lone = true;
        if (ties.length > 0) ties = [];
        continue;
      }
      for (let i = 0; i < list.length; i++) {
        const cf = list[i];
        if (cf.conjunctions) break;
        const priority = cf.flow.priority;
        if (!hard || priority > best) {
          hard = cf;
          best = priority;
          lone = false;
          if (ties.length > 0) ties = [];
        } else if (priority < best) break;
        else if (cf.order < hard.order) {
          ties = [...ties, hard];
          hard = cf;
          lone = false;
        } else ties = [...ties, cf];
      }
    }
    if (lone && hard !== undefined && ties.length === 0 && soft === NO_SOFT) {
      const kept = hard.result;
      if (kept !== undefined && kept.probes === probes) return kept;
      const made = { flow: hard, ties: NO_TIES, soft: NO_SOFT, probes };
      hard.result = made;
      return made;
    }
    if (ties.length > 1) ties.sort((a, b) => a.order - b.order);
    return { flow: hard, ties, soft, probes };
  }

  private resolveSoft(key: FlowKey, s: Search, probed?: FlowKey): LookupResult | undefined {
    let hard = s.flow;
    let ties = s.ties;
    let soft: Array<SoftCursor | undefined> = s.soft;
    const pri = (c: SoftCursor) => c.list[c.at].flow.priority;
    for (;;) {
      const hardPri = hard ? hard.flow.priority : -1;
      const live = soft.filter((c): c is SoftCursor => c !== undefined && pri(c) > hardPri);
      if (live.length === 0) break;
      soft = live;
      const softPri = Math.max(...live.map(pri));
      const top = live.filter((c) => pri(c) === softPri);
      const done = completeConjunction(top);
      if (done) {
        const saved = key[K.conjId];
        key[K.conjId] = done.id;
        if (probed) probed[K.conjId] = 0xffffffff;
        const again = this.search(key, false, probed);
        key[K.conjId] = saved;
        if (again.flow)
          return {
            flow: again.flow,
            ties: again.ties,
            probes: s.probes + again.probes,
            conjunction: done,
          };
      }
      // No complete conjunction at this priority: each of its soft matches gives way to the next
      // lower-priority flow with the identical match, which may be soft or hard.
      soft = live.map((c) => {
        if (pri(c) !== softPri) return c;
        const next = c.list[c.at + 1];
        if (!next) return undefined;
        if (next.conjunctions) return { list: c.list, at: c.at + 1 };
        if (next.flow.priority > hardPri) {
          hard = next;
          ties = [];
        }
        return undefined;
      });
    }
    return hard ? { flow: hard, ties, probes: s.probes } : undefined;
  }

  /** Every flow, highest priority first (for listings and the explainer's near misses). */
  flows(): ClassifiedFlow[] {
    if (this.unplanned) this.settle();
    return [...this.subtables.flatMap((st) => st.buckets.flat()), ...this.unmatchable].sort(
      byPriorityThenOrder,
    );
  }
}

/**
 * A classifier's tables by id, kept as an array by id too: a translation looks a table up for every
 * resubmit and goto_table, and the Map's `get` there was ~1.5% of an uncached replay's frame.
 */
export class Tables extends Map<number, Table> {
  /** Table id → its table (OpenFlow's ids are 0–254). */
  readonly byId: Array<Table | undefined> = new Array<Table | undefined>(256).fill(undefined);

  override set(id: number, table: Table): this {
    super.set(id, table);
    this.byId[id] = table;
    return this;
  }

  override delete(id: number): boolean {
    this.byId[id] = undefined;
    return super.delete(id);
  }

  override clear(): void {
    this.byId.fill(undefined);
    super.clear();
  }
}

export interface Classifier {
  tables: Tables;
  /** Flows whose match could not be compiled (a port name the bridge does not have), with why. */
  rejected: Array<{ flow: FlowEntry; reason: string }>;
}

export function buildClassifier(flows: readonly FlowEntry[], resolvePort: PortResolver): Classifier {
  const c: Classifier = { tables: new Tables(), rejected: [] };
  // Each mask is compiled into one scratch key and kept once per subtable (the flows of a subtable
  // share it): a mask of its own per flow was 692 bytes, 69 MB for 100k flows.
  const scratch = ownFlowKey();
  for (let order = 0; order < flows.length; order++) {
    const flow = flows[order];
    const value = newFlowKey();
    scratch.fill(0);
    const failed = compileMatchInto(flow.match, resolvePort, scratch, value);
    if (failed !== undefined) {
      c.rejected.push({ flow, reason: failed });
      continue;
    }
    let t = c.tables.get(flow.table);
    if (!t) {
      t = new Table();
      c.tables.set(flow.table, t);
    }
    // `result` made a field from the start: given later, it would cost each flow a properties store.
    const cf = {
      flow,
      match: { mask: scratch, value },
      order,
      conjunctions: conjunctionsOf(flow),
      result: undefined,
      reversible: undefined,
    };
    t.insert(cf, true);
  }
  return c;
}

/**
 * The first conjunction id (in the order the soft matches were found, as OVS walks them) for which the
 * soft matches of one priority cover every clause. A conjunction needing more clauses than there are
 * soft matches cannot be complete and is not counted.
 */
function completeConjunction(
  top: readonly SoftCursor[],
): { id: number; clauses: ClassifiedFlow[] } | undefined {
  const seen = new Map<number, { n: number; clauses: Set<number>; flows: ClassifiedFlow[] }>();
  for (const c of top) {
    const cf = c.list[c.at];
    for (const conj of cf.conjunctions ?? []) {
      if (conj.nClauses > top.length) continue;
      let m = seen.get(conj.id);
      if (!m) {
        m = { n: conj.nClauses, clauses: new Set(), flows: [] };
        seen.set(conj.id, m);
      }
      // OVS keeps the clause count of the first flow seen for an id, as a bitmap whose bits from n up
      // are already set: a clause number beyond it (another flow said k/n with a larger n) adds nothing.
      if (conj.clause < m.n) m.clauses.add(conj.clause);
      if (!m.flows.includes(cf)) m.flows.push(cf);
      if (m.clauses.size === m.n) return { id: conj.id, clauses: m.flows };
    }
  }
  return undefined;
}
