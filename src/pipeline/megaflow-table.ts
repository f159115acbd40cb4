/**
 * One subtable of a megaflow cache: the entries cached under one mask, as a subtable of OVS's dpcls.
 * A cached replay asks it once a frame, so it is built for that lookup: the mask's words and their masks
 * side by side, every entry's masked words in one flat array, and an open-addressing index of their
 * hashes in typed arrays (a Map of buckets, before, cost as much as the hash and the compare together).
 */
import { FLOW_WORDS, type FlowKey } from "../model/layout.js";

const INITIAL_SLOTS = 16;

export class MaskTable<V> {
  /** The key words the mask has bits in, and the mask of each. */
  readonly words: Uint32Array;
  readonly masks: Uint32Array;
  /** Entry i's masked words at [i * words.length, (i + 1) * words.length). */
  private values: Uint32Array;
  private readonly results: V[] = [];
  /** Entry i's hash, kept for growing the index. */
  private entryHashes = new Int32Array(INITIAL_SLOTS);
  /** Slot → entry index + 1 (0: empty), and that entry's hash, probed linearly. */
  private slots = new Int32Array(INITIAL_SLOTS);
  private hashes = new Int32Array(INITIAL_SLOTS);

  constructor(mask: FlowKey) {
    const words: number[] = [];
    for (let i = 0; i < FLOW_WORDS; i++) if (mask[i] !== 0) words.push(i);
    this.words = Uint32Array.from(words);
    this.masks = Uint32Array.from(words, (w) => mask[w]);
    this.values = new Uint32Array(words.length * INITIAL_SLOTS);
  }

  get size(): number {
    return this.results.length;
  }

  /** The result of the first entry added whose masked words `key` agrees with. */
  find(key: FlowKey): V | undefined {
    const h = this.hash(key);
    const { slots, hashes } = this;
    const last = slots.length - 1;
    for (let s = h & last; ; s = (s + 1) & last) {
      const e = slots[s];
      if (e === 0) return undefined;
      if (hashes[s] === h && this.agrees(key, e - 1)) return this.results[e - 1];
    }
  }

  /** Adds `key`'s masked words; a later entry equal to an earlier one is never found (as before it). */
  add(key: FlowKey, result: V): void {
    const { words, masks } = this;
    const n = words.length;
    const index = this.results.length;
    if (index === this.entryHashes.length) {
      const values = new Uint32Array(this.values.length * 2);
      values.set(this.values);
      this.values = values;
      const entryHashes = new Int32Array(index * 2);
      entryHashes.set(this.entryHashes);
      this.entryHashes = entryHashes;
    }
    for (let i = 0; i < n; i++) this.values[index * n + i] = (key[words[i]] & masks[i]) >>> 0;
    this.entryHashes[index] = this.hash(key);
    this.results.push(result);
    // At most half full: a miss ends at an empty slot after a probe or two.
    if (this.results.length * 2 > this.slots.length) this.reindex(this.slots.length * 2);
    else this.place(index);
  }

  /** FNV-1a over the masked words. */
  private hash(key: FlowKey): number {
    const { words, masks } = this;
    let h = 0x811c9dc5 | 0;
    for (let i = 0; i < words.length; i++) h = Math.imul(h ^ (key[words[i]] & masks[i]), 0x01000193);
    return h;
  }

  private agrees(key: FlowKey, entry: number): boolean {
    const { words, masks, values } = this;
    const n = words.length;
    const base = entry * n;
    for (let i = 0; i < n; i++) if ((key[words[i]] & masks[i]) >>> 0 !== values[base + i]) return false;
    return true;
  }

  private place(entry: number): void {
    const h = this.entryHashes[entry];
    const last = this.slots.length - 1;
    let s = h & last;
    while (this.slots[s] !== 0) s = (s + 1) & last;
    this.slots[s] = entry + 1;
    this.hashes[s] = h;
  }

  /** Rebuilds the index at `size` slots, entries in the order they were added (the first still wins). */
  private reindex(size: number): void {
    this.slots = new Int32Array(size);
    this.hashes = new Int32Array(size);
    for (let e = 0; e < this.results.length; e++) this.place(e);
  }
}
