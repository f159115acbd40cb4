/**
 * The frames `replay` consumes, in capture order, with what it prints beside each verdict (the time
 * relative to the first frame, the summary line). Two sources give the same frames: `CaptureFrames`
 * reads and decodes on this thread; `BatchFrames` (replay-batch.ts) takes them from a decoder thread.
 */
import type { CaptureRecord } from "../../capture/index.js";
import { decodeFrame, quickSummary, summarizeFrame } from "../../decode/index.js";
import type { DecodedFrame } from "../../decode/types.js";
import type { Diagnostic } from "../../util/diagnostic.js";
import { type CaptureInput, MergedCaptures } from "./replay-inputs.js";

/** One frame. A source REUSES this object between `next()` calls: copy what you keep. */
export interface ReplayFrame {
  /** 1-based position in the (merged) stream. */
  frame: number;
  /** The captured bytes; valid until the next `next()`. */
  data: Uint8Array;
  linktype: number;
  /** Length on the wire. */
  len: number;
  hasTimestamp: boolean;
  tsSec: number;
  tsNsec: number;
  /** The capture's file name (several captures: told apart in the summary). */
  capture: string;
  /** The interface the frame enters at: a pin, or the pcapng interface's name. */
  ifName: string | undefined;
}

export interface FrameSource {
  /** The next frame, or null at the end (or at the first damaged record: see `diagnostics`). */
  next(): ReplayFrame | null;
  /** The current frame's time in seconds since the first timestamped frame (`-` without one). */
  time(): string;
  /** The current frame's summary line. */
  summary(): string;
  /** The current frame decoded (a display filter reads its fields). */
  decoded(): DecodedFrame;
  /** Bytes of the captures read so far (the progress bar). */
  bytesRead(): number;
  /** The damaged records met; complete once `next()` has returned null or the reading stopped. */
  readonly diagnostics: readonly Diagnostic[];
  close(): void;
}

export interface Timestamp {
  sec: number;
  nsec: number;
}

/** A frame's time as `replay` prints it: seconds since `first`, or `-` for a frame without one. */
export function relativeTime(
  rec: Pick<CaptureRecord, "hasTimestamp" | "tsSec" | "tsNsec">,
  first: Timestamp | null,
): string {
  if (!rec.hasTimestamp || !first) return "-";
  return (((rec.tsSec - first.sec) * 1e9 + (rec.tsNsec - first.nsec)) / 1e9).toFixed(6);
}

/**
 * The time column of a replay: every frame's seconds since the first timestamped frame of the stream.
 * Kept where the captures are read (this thread, or the decoder thread), which sees every frame in order.
 */
export class RelativeTimes {
  private first: Timestamp | null = null;

  /** Call once per frame, in order: the first with a timestamp is the origin. */
  see(rec: Pick<CaptureRecord, "hasTimestamp" | "tsSec" | "tsNsec">): void {
    if (!this.first && rec.hasTimestamp) this.first = { sec: rec.tsSec, nsec: rec.tsNsec };
  }

  /** A frame's time (`see` it first). */
  of(rec: Pick<CaptureRecord, "hasTimestamp" | "tsSec" | "tsNsec">): string {
    return relativeTime(rec, this.first);
  }
}

/** The frame a source is at (one object, refilled), decoded at most once however many ask. */
export abstract class FrameCursor {
  private decodedFrame: DecodedFrame | undefined;
  protected readonly current: ReplayFrame = {
    frame: 0,
    data: new Uint8Array(0),
    linktype: 0,
    len: 0,
    hasTimestamp: false,
    tsSec: 0,
    tsNsec: 0,
    capture: "",
    ifName: undefined,
  };

  protected forget(): void {
    this.decodedFrame = undefined;
  }

  decoded(): DecodedFrame {
    this.decodedFrame ??= decodeFrame(this.current.data, this.current.linktype);
    return this.decodedFrame;
  }
}

/** The captures read, merged and decoded on this thread. */
export class CaptureFrames extends FrameCursor implements FrameSource {
  private readonly reader: MergedCaptures;
  private merged: ReturnType<MergedCaptures["next"]> = null;
  private readonly times = new RelativeTimes();

  /** Opens every capture (a UsageError names one that cannot be read); `windowBytes`: MergedCaptures'. */
  constructor(inputs: readonly CaptureInput[], pinOf: (at: string) => string, windowBytes?: number) {
    super();
    this.reader = new MergedCaptures(inputs, pinOf, windowBytes);
  }

  next(): ReplayFrame | null {
    // The record before is consumed: its capture reads on (its buffer is reused).
    if (this.merged) this.reader.advance(this.merged);
    const m = this.reader.next();
    this.merged = m;
    if (!m) return null;
    const rec = m.rec;
    this.times.see(rec);
    this.forget();
    const f = this.current;
    f.frame = m.frame;
    f.data = rec.bytes.subarray(rec.offset, rec.offset + rec.caplen);
    f.linktype = rec.linktype;
    f.len = rec.len;
    f.hasTimestamp = rec.hasTimestamp;
    f.tsSec = rec.tsSec;
    f.tsNsec = rec.tsNsec;
    f.capture = m.capture;
    f.ifName = m.ifName;
    return f;
  }

  time(): string {
    return this.times.of(this.current);
  }

  summary(): string {
    return quickSummary(this.current.data, this.current.linktype) ?? summarizeFrame(this.decoded());
  }

  bytesRead(): number {
    return this.reader.bytesRead();
  }

  get diagnostics(): readonly Diagnostic[] {
    return this.reader.diagnostics;
  }

  close(): void {
    this.reader.close();
  }
}
