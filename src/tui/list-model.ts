/**
 * The packet list's rows: every frame of the capture, or the frames of a match set (a filter's matches,
 * a drop group) when the list is filtered. Row ↔ frame number, marks, and the jumps that search the
 * rows (the next dropped frame). Pure over the data it is given.
 */
import type { CaptureSource } from "./data/capture-source.js";
import type { MatchSet } from "./data/tui-data.js";

export interface ListView {
  matches: MatchSet | null;
  /** The list shows the matches only (else all frames, the matches marked). */
  filtered: boolean;
}

export class ListModel {
  constructor(
    private readonly source: CaptureSource | undefined,
    private readonly view: ListView,
  ) {}

  private get shown(): MatchSet | null {
    return this.view.filtered ? this.view.matches : null;
  }

  get rows(): number {
    return this.shown ? this.shown.list.length : (this.source?.count ?? 0);
  }

  frameAt(row: number): number {
    return this.shown ? this.shown.list.at(row) : row + 1;
  }

  /** The row showing `frame` (in a match set: the first row at or after it). */
  rowOf(frame: number): number {
    return this.shown ? this.shown.list.lowerBound(frame) : frame - 1;
  }

  /** The frame of row `row`, clamped to the rows there are. */
  frameOfRow(row: number): number | undefined {
    const n = this.rows;
    return n > 0 ? this.frameAt(Math.min(row, n - 1)) : undefined;
  }

  /** A frame of the match set shown marked in the full list. */
  isMarked(frame: number): boolean {
    const m = this.view.matches;
    if (!m || this.view.filtered) return false;
    const i = m.list.lowerBound(frame);
    return i < m.list.length && m.list.at(i) === frame;
  }

  /** The nearest row after (dir 1) or before (dir -1) `row` whose frame passes `test`; -1 if none. */
  findRow(row: number, dir: 1 | -1, test: (frame: number) => boolean): number {
    for (let r = row + dir; r >= 0 && r < this.rows; r += dir) if (test(this.frameAt(r))) return r;
    return -1;
  }
}
