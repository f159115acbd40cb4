/**
 * Applies a display filter to the whole capture in the background: its own reader walks the file in
 * chunks, decodes each frame, and keeps the numbers of the matching frames in a growing Uint32Array.
 * Frames the replay has not reached yet are not scanned while the replay runs (a filter may name
 * verdict fields).
 */
import { type CaptureReader, openCapture } from "../../capture/index.js";
import { decodeFrame } from "../../decode/index.js";
import type { DecodedFrame } from "../../decode/types.js";
import type { FrameInfo } from "../../explain/filter-fields.js";
import type { FrameVerdict } from "../../explain/types.js";
import type { DisplayFilter, FilterRecord } from "../../model/display-filter.js";
import type { Result } from "../../util/diagnostic.js";
import { U32List } from "./growable.js";

/** Builds the record a filter reads (src/explain/filter-fields.ts's frameRecord). */
export type RecordOf = (frame: FrameInfo, decoded: DecodedFrame, verdict?: FrameVerdict) => FilterRecord;

export interface ScanLimits {
  /** The highest frame whose verdict is known (or Infinity when there is no replay). */
  replayed(): number;
  verdict(frame: number): FrameVerdict | undefined;
}

export class FilterScan {
  readonly matches = new U32List();
  /** Frames scanned so far. */
  scanned = 0;
  done = false;
  private first: { sec: number; nsec: number } | null | undefined;

  private constructor(
    readonly filter: DisplayFilter,
    private readonly reader: CaptureReader,
    private readonly recordOf: RecordOf,
    private readonly limits: ScanLimits,
  ) {}

  static open(
    file: string,
    filter: DisplayFilter,
    recordOf: RecordOf,
    limits: ScanLimits,
  ): Result<FilterScan> {
    const r = openCapture(file);
    if (!r.ok) return r;
    return { ok: true, value: new FilterScan(filter, r.value, recordOf, limits) };
  }

  get text(): string {
    return this.filter.text;
  }

  /** Scans for at most `budgetMs`; true when every frame has been scanned. */
  step(budgetMs: number): boolean {
    if (this.done) return true;
    const until = performance.now() + budgetMs;
    const reader = this.reader;
    for (let n = 1; ; n++) {
      if (this.scanned + 1 > this.limits.replayed()) return false;
      const rec = reader.next();
      if (!rec) {
        this.done = true;
        reader.close();
        return true;
      }
      if (this.first === undefined)
        this.first = rec.hasTimestamp ? { sec: rec.tsSec, nsec: rec.tsNsec } : null;
      const data = rec.bytes.subarray(rec.offset, rec.offset + rec.caplen);
      const info: FrameInfo = { number: rec.frame, length: rec.len, captured: rec.caplen };
      if (rec.hasTimestamp && this.first)
        info.time = rec.tsSec - this.first.sec + (rec.tsNsec - this.first.nsec) / 1e9;
      const ifName = reader.interfaces[rec.interfaceId]?.name;
      if (ifName !== undefined) info.interface = ifName;
      const record = this.recordOf(info, decodeFrame(data, rec.linktype), this.limits.verdict(rec.frame));
      if (this.filter.matches(record)) this.matches.push(rec.frame);
      this.scanned = rec.frame;
      if ((n & 255) === 0 && performance.now() >= until) return false;
    }
  }

  close(): void {
    if (!this.done) this.reader.close();
  }
}
