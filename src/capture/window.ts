import type { ByteSource } from "./source.js";

/** The reader's buffer starts at 1 MiB and grows only for one oversized record, up to this cap. */
export const INITIAL_WINDOW = 1 << 20;
export const MAX_RECORD_BYTES = 64 << 20;

/**
 * A sliding window over a ByteSource: `ensure(pos, n)` makes bytes [pos, pos+n) available in `buf`
 * and returns their index there. Leftover bytes are moved to the front once per refill, so walking a
 * file is linear whatever the record sizes, and memory stays bounded by the largest record.
 */
export class ByteWindow {
  buf: Uint8Array;
  /** File position of buf[0]. */
  private start = 0;
  /** Number of valid bytes in buf. */
  private end = 0;

  constructor(
    private readonly source: ByteSource,
    initial = INITIAL_WINDOW,
  ) {
    this.buf = new Uint8Array(Math.min(initial, Math.max(64, source.size)));
  }

  get size(): number {
    return this.source.size;
  }

  /**
   * Index in `buf` of file position `pos` with at least `n` bytes after it; -1 when the file ends
   * first. `n` must not exceed MAX_RECORD_BYTES (callers check lengths before asking).
   */
  ensure(pos: number, n: number): number {
    if (pos >= this.start && pos + n <= this.start + this.end) return pos - this.start;
    if (pos + n > this.source.size) return -1;
    if (n > this.buf.length) {
      let cap = this.buf.length;
      while (cap < n) cap *= 2;
      const grown = new Uint8Array(Math.min(cap, MAX_RECORD_BYTES));
      const keep = this.keepFrom(pos);
      grown.set(this.buf.subarray(keep, this.end));
      this.end -= keep;
      this.start += keep;
      this.buf = grown;
    } else {
      const keep = this.keepFrom(pos);
      if (keep > 0) {
        this.buf.copyWithin(0, keep, this.end);
        this.end -= keep;
        this.start += keep;
      }
    }
    if (pos < this.start || pos > this.start + this.end) {
      this.start = pos;
      this.end = 0;
    }
    while (this.start + this.end < pos + n) {
      const got = this.source.read(this.buf, this.end, this.buf.length - this.end, this.start + this.end);
      if (got <= 0) return -1;
      this.end += got;
    }
    return pos - this.start;
  }

  /** How many leading bytes of the window can be discarded to serve a request at `pos`. */
  private keepFrom(pos: number): number {
    if (pos >= this.start && pos <= this.start + this.end) return pos - this.start;
    return this.end;
  }
}
