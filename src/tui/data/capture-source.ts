/**
 * The packet list's data: the capture indexed once (a file offset per frame, in chunks off the render
 * path), rows decoded on demand for the frames on screen and kept in a bounded LRU, and the selected
 * frame's bytes and layers. Memory: 8 bytes per frame for the index plus the caches.
 */
import { statSync } from "node:fs";
import { type CaptureReader, openCapture } from "../../capture/index.js";
import { decodeFrame, summarizeFrame } from "../../decode/index.js";
import type { DecodedFrame } from "../../decode/types.js";
import type { Diagnostic, Result } from "../../util/diagnostic.js";
import { Lru } from "./lru.js";

/** One line of the packet list. `summary` is escaped already. */
export interface Row {
  frame: number;
  /** Seconds since the first frame, "0.000000"; "-" without a timestamp. */
  time: string;
  /** Seconds since the first frame, for filters; undefined without a timestamp. */
  seconds?: number;
  length: number;
  captured: number;
  summary: string;
}

/** The selected frame: its bytes (a copy), its layers and where it was captured. */
export interface FrameDetail extends Row {
  data: Uint8Array;
  linkType: number;
  decoded: DecodedFrame;
  /** The pcapng interface name, raw (escape before printing). */
  ifName?: string;
}

const ROW_CACHE = 4096;
const DETAIL_CACHE = 64;

export class CaptureSource {
  private offsets = new Float64Array(1 << 16);
  /** Frames indexed so far. */
  count = 0;
  /** The whole file has been indexed. */
  indexed = false;
  private first: { sec: number; nsec: number } | null | undefined;
  private readonly rows = new Lru<number, Row>(ROW_CACHE);
  private readonly details = new Lru<number, FrameDetail>(DETAIL_CACHE);
  private lastOffset = 0;

  private constructor(
    readonly file: string,
    private readonly reader: CaptureReader,
    /** File size in bytes (indexing progress). */
    readonly size: number,
  ) {}

  static open(file: string): Result<CaptureSource> {
    const r = openCapture(file);
    if (!r.ok) return r;
    let size = 0;
    try {
      size = statSync(file).size;
    } catch {
      size = 0;
    }
    return { ok: true, value: new CaptureSource(file, r.value, size) };
  }

  get diagnostics(): readonly Diagnostic[] {
    return this.reader.diagnostics;
  }

  /** Fraction of the file indexed, 0..1. */
  get progress(): number {
    if (this.indexed || this.size === 0) return 1;
    return Math.min(1, this.lastOffset / this.size);
  }

  /**
   * Indexes frames for at most `budgetMs` (checked every 1024 frames), then returns: true when the
   * whole file is indexed. Call again (after yielding to the event loop) until it is.
   */
  indexStep(budgetMs: number): boolean {
    if (this.indexed) return true;
    const until = performance.now() + budgetMs;
    const reader = this.reader;
    for (;;) {
      const rec = reader.next();
      if (!rec) {
        this.indexed = true;
        return true;
      }
      if (this.first === undefined)
        this.first = rec.hasTimestamp ? { sec: rec.tsSec, nsec: rec.tsNsec } : null;
      if (this.count === this.offsets.length) {
        const grown = new Float64Array(this.offsets.length * 2);
        grown.set(this.offsets);
        this.offsets = grown;
      }
      this.offsets[this.count++] = rec.fileOffset;
      this.lastOffset = rec.fileOffset;
      if ((this.count & 1023) === 0 && performance.now() >= until) return false;
    }
  }

  /** Indexes to the end in one go (tests, small files). */
  indexAll(): void {
    while (!this.indexStep(1000)) {
      // keep going
    }
  }

  /** The row of frame `frame` (1-based; must be indexed). */
  row(frame: number): Row | undefined {
    const hit = this.rows.get(frame);
    if (hit) return hit;
    const d = this.read(frame, false);
    return d;
  }

  /** The bytes and layers of frame `frame` (1-based; must be indexed). */
  detail(frame: number): FrameDetail | undefined {
    const hit = this.details.get(frame);
    if (hit) return hit;
    const d = this.read(frame, true);
    return d && "data" in d ? (d as FrameDetail) : undefined;
  }

  private read(frame: number, full: boolean): Row | FrameDetail | undefined {
    if (frame < 1 || frame > this.count) return undefined;
    const rec = this.reader.readAt(this.offsets[frame - 1], frame);
    if (!rec) return undefined;
    const data = rec.bytes.subarray(rec.offset, rec.offset + rec.caplen);
    const decoded = decodeFrame(data, rec.linktype);
    let seconds: number | undefined;
    let time = "-";
    if (rec.hasTimestamp && this.first) {
      seconds = rec.tsSec - this.first.sec + (rec.tsNsec - this.first.nsec) / 1e9;
      time = seconds.toFixed(6);
    }
    const row: Row = { frame, time, length: rec.len, captured: rec.caplen, summary: summarizeFrame(decoded) };
    if (seconds !== undefined) row.seconds = seconds;
    this.rows.set(frame, row);
    if (!full) return row;
    const ifName = this.reader.interfaces[rec.interfaceId]?.name;
    const detail: FrameDetail = { ...row, data: data.slice(), linkType: rec.linktype, decoded };
    if (ifName !== undefined) detail.ifName = ifName;
    this.details.set(frame, detail);
    return detail;
  }

  close(): void {
    this.reader.close();
  }
}
