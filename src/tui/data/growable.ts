/** An append-only Uint32Array that doubles as it fills (frame numbers of matches, of a drop group). */
export class U32List {
  private buf: Uint32Array;
  length = 0;

  constructor(initial = 1024) {
    this.buf = new Uint32Array(Math.max(16, initial));
  }

  push(v: number): void {
    if (this.length === this.buf.length) {
      const grown = new Uint32Array(this.buf.length * 2);
      grown.set(this.buf);
      this.buf = grown;
    }
    this.buf[this.length++] = v;
  }

  at(i: number): number {
    return this.buf[i];
  }

  /** Index of the first element >= v (the list is sorted ascending when filled in frame order). */
  lowerBound(v: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.buf[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  static of(values: readonly number[]): U32List {
    const l = new U32List(values.length);
    for (const v of values) l.push(v);
    return l;
  }
}
