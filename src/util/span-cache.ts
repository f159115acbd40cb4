/**
 * A bounded cache keyed by a span of a text, text[from, to), looked up without cutting the span out.
 *
 * A flow dump repeats tokens (`reg5=0x1a`, `ct_state=+new-est`) and action lists (`goto_table:73`) flow
 * after flow, and the loader shares what it parsed for them. Keyed by strings in a Map, every lookup
 * first cut a fresh string, which V8 then hashed in its runtime and compared with a key cut from a line
 * read long before: a quarter of the parse's time. Here the span is hashed where it lies, the hashes sit
 * side by side in a typed array, and a key is the span it was first seen at (its text and offset, no
 * string of its own), compared character by character only when its hash matched.
 */
export class SpanCache<V> {
  private readonly hashes: Int32Array;
  /** Each kept key as the span it was first read from: keyTexts[slot][keyFroms[slot], + keyLengths[slot]). */
  private readonly keyTexts: string[];
  private readonly keyFroms: Int32Array;
  private readonly keyLengths: Int32Array;
  private readonly values: Array<V | undefined>;
  private readonly slotMask: number;
  private count = 0;
  /**
   * Entries that may still be added before the cache is emptied. The first emptying comes early, after
   * FIRST_ROOM entries: that branch then runs while the loader's token walk is still being warmed up, and
   * V8 optimises the walk with it, rather than throwing the optimised walk away (deoptimised, then
   * compiled again) when a large dump first fills the cache. Not at once: V8 records nothing of a
   * function's first few calls.
   */
  private room: number;
  /** The span of the last miss, and the slot and hash where its probe stopped: set() adds it there. */
  private lastText = "";
  private lastFrom = -1;
  private lastTo = -1;
  private lastSlot = 0;
  private lastHash = 0;

  /**
   * Holds at most `bound` entries and is emptied when full, which keeps the entries of the flows just
   * read (a port's flows are written together).
   */
  constructor(private readonly bound: number) {
    // At most half full: a miss ends its probe after a slot or two.
    let size = 2;
    while (size < bound * 2) size *= 2;
    this.hashes = new Int32Array(size);
    this.keyTexts = new Array<string>(size).fill("");
    this.keyFroms = new Int32Array(size);
    this.keyLengths = new Int32Array(size);
    this.values = new Array<V | undefined>(size).fill(undefined);
    this.slotMask = size - 1;
    this.room = Math.min(bound, FIRST_ROOM);
  }

  get size(): number {
    return this.count;
  }

  /** The value kept for text[from, to), or undefined. */
  get(text: string, from: number, to: number): V | undefined {
    const h = spanHash(text, from, to);
    const length = to - from;
    let slot = h & this.slotMask;
    // Probed through the hashes alone (0 marks a free slot): a key's text is read only when its hash
    // matches, nearly always the one looked for.
    for (let kept = this.hashes[slot]; kept !== 0; kept = this.hashes[slot]) {
      if (
        kept === h &&
        this.keyLengths[slot] === length &&
        sameChars(text, from, this.keyTexts[slot], this.keyFroms[slot], length)
      )
        return this.values[slot];
      slot = (slot + 1) & this.slotMask;
    }
    this.lastText = text;
    this.lastFrom = from;
    this.lastTo = to;
    this.lastSlot = slot;
    this.lastHash = h;
    return undefined;
  }

  /**
   * Keeps `value` for text[from, to), which is not kept yet. Right after get() missed it (the loader's
   * use: look up, parse, keep), the slot that miss found is taken without hashing the span again.
   */
  set(text: string, from: number, to: number, value: V): void {
    if (this.room === 0) this.clear();
    const missed = text === this.lastText && from === this.lastFrom && to === this.lastTo;
    if (this.count === 0 || !missed) this.get(text, from, to);
    const slot = this.lastSlot;
    this.hashes[slot] = this.lastHash;
    // The key is kept as where it lies (a loaded dump is kept whole by its flows anyway).
    this.keyTexts[slot] = text;
    this.keyFroms[slot] = from;
    this.keyLengths[slot] = to - from;
    this.values[slot] = value;
    // Forgotten once used: the text may be a whole dump, which this should not keep alive for nothing.
    this.lastText = "";
    this.lastFrom = -1;
    this.count++;
    this.room--;
  }

  clear(): void {
    this.hashes.fill(0);
    this.keyTexts.fill("");
    this.values.fill(undefined);
    this.count = 0;
    this.room = this.bound;
  }
}

/** See SpanCache.room. */
const FIRST_ROOM = 64;

/** FNV-1a over the span's character codes, never 0 (which marks a free slot). */
function spanHash(text: string, from: number, to: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = from; i < to; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h === 0 ? 1 : h;
}

/**
 * a[aFrom, + n) === b[bFrom, + n), compared in place: a loop the optimizer inlines, where startsWith
 * (or a cut string's compare) is a builtin call for each flow of a large dump.
 */
export function sameChars(a: string, aFrom: number, b: string, bFrom: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a.charCodeAt(aFrom + i) !== b.charCodeAt(bFrom + i)) return false;
  return true;
}
