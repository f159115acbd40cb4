/**
 * The batches from `replay`'s decoder thread to the replaying one: frames in batches of a few hundred,
 * in capture order, written into memory both threads share (`BatchSlots`, a few slots used in turn) and
 * announced by a small message naming the slot. Per frame: its bytes; its record's numbers (doubles: a
 * capture's lengths and seconds are 32-bit unsigned, beyond an Int32Array); its time and summary line,
 * each ended by a newline (a summary is escaped, so it holds none), as UTF-16 (the summary's arrows make
 * it a two-byte string: copied as it is, nothing is lost). Then one last message: the capture's
 * diagnostics, or the error that stopped the reading.
 *
 * Why shared slots rather than new buffers moved with each message: every batch's buffers were then
 * allocated by the decoder thread's malloc arena and freed only when the replaying thread's collector
 * found them, so both heaps and the arena held several batches at any time; the summaries, kept as
 * strings until their batch was sent, outlived the decoder's scavenges. A slot is written once per batch
 * and reused: the memory is what the slots are, whatever the capture's size.
 */
import { Buffer } from "node:buffer";
import type { Diagnostic } from "../../util/diagnostic.js";
import { FrameCursor, type FrameSource, type ReplayFrame } from "./replay-frames.js";
import type { MergedRecord } from "./replay-inputs.js";

/*
 * A batch ends at whichever of these it reaches first. Small enough that the replaying thread's
 * scavenges free a batch's text (under V8's 128 kB bound for a young object): batches of 4096 frames
 * and 1 MB went to the old generation and left it to grow between full collections (a 0.7 M-frame
 * replay peaked at 188 MB, against ~108 MB with these). Big enough that the message per batch is a
 * small part of its frames' time (~350 frames a batch on the bench's traffic).
 */
/** Frames per batch. */
export const BATCH_FRAMES = 1024;
/** Frame bytes a batch has room for (a bigger frame gets a batch, and a buffer, of its own). */
export const BATCH_BYTES = 64 << 10;
/** Characters of times and summaries per batch. */
export const BATCH_TEXT = 32 << 10;

// The numbers of one frame, in this order.
const OFFSET = 0;
const CAPLEN = 1;
const LEN = 2;
const LINKTYPE = 3;
const TS_SEC = 4;
const TS_NSEC = 5;
/** 1 with a timestamp, 0 without. */
const HAS_TS = 6;
/** Which capture (an index into the inputs). */
const SOURCE = 7;
/** An index into the batch's `names`, -1 for none. */
const IF_NAME = 8;
/** How far into the captures the reading was at this frame (the progress bar). */
const BYTES_READ = 9;
const NUMBERS = 10;

// One slot: the numbers first (8-byte aligned), the frames' bytes, the text (two bytes a character).
const NUMBERS_SIZE = BATCH_FRAMES * NUMBERS * Float64Array.BYTES_PER_ELEMENT;
const TEXT_SIZE = 2 * BATCH_TEXT;
const SLOT_SIZE = NUMBERS_SIZE + BATCH_BYTES + TEXT_SIZE;

/**
 * The shared memory batches are written in: `count` slots, the batch numbered k (from 0) in slot
 * k % count. The decoder may write a slot again once the replaying thread has taken the batch after
 * the one it held (it reads a batch until it takes the next): with the decoder at most `ahead`
 * batches in front (replay-channel.ts), `ahead + 1` slots are enough.
 */
export class BatchSlots {
  readonly count: number;
  // Each slot's views, made once: a batch takes its slot's without allocating.
  private readonly numberViews: Float64Array[] = [];
  private readonly byteViews: Uint8Array[] = [];
  private readonly textViews: Buffer[] = [];

  constructor(readonly memory: SharedArrayBuffer) {
    this.count = Math.floor(memory.byteLength / SLOT_SIZE);
    for (let slot = 0; slot < this.count; slot++) {
      const at = slot * SLOT_SIZE;
      this.numberViews.push(new Float64Array(memory, at, BATCH_FRAMES * NUMBERS));
      this.byteViews.push(new Uint8Array(memory, at + NUMBERS_SIZE, BATCH_BYTES));
      this.textViews.push(Buffer.from(memory, at + NUMBERS_SIZE + BATCH_BYTES, TEXT_SIZE));
    }
  }

  static create(count: number): BatchSlots {
    return new BatchSlots(new SharedArrayBuffer(count * SLOT_SIZE));
  }

  numbers(slot: number): Float64Array {
    return this.numberViews[slot];
  }

  bytes(slot: number): Uint8Array {
    return this.byteViews[slot];
  }

  text(slot: number): Buffer {
    return this.textViews[slot];
  }

  /** A batch's times and summaries, in turn (and an empty string after the last newline). */
  lines(batch: FrameBatch): string[] {
    return this.textViews[batch.slot].toString("utf16le", 0, batch.textBytes).split("\n");
  }
}

export interface FrameBatch {
  kind: "frames";
  /** The first frame's number. */
  first: number;
  count: number;
  /** The slot its frames are in. */
  slot: number;
  /** Bytes of text in the slot. */
  textBytes: number;
  /** The bytes of a batch whose one frame is bigger than a slot's room (moved with the message). */
  bytes?: ArrayBuffer;
  /** The interface names the batch's frames enter at. */
  names: string[];
}

export type BatchEnd = { kind: "end"; diagnostics: Diagnostic[] } | { kind: "error"; message: string };

export type BatchMessage = FrameBatch | BatchEnd;

/** Collects frames into batches, in turn in each slot (the decoder thread's side). */
export class BatchWriter {
  private slot = 0;
  private bytes: Uint8Array;
  private own: Uint8Array<ArrayBuffer> | undefined;
  private used = 0;
  private numbers: Float64Array;
  private count = 0;
  private first = 0;
  private text: Buffer;
  private textBytes = 0;
  private textLength = 0;
  private names: string[] = [];
  private nameIndex = new Map<string, number>();

  constructor(private readonly slots: BatchSlots) {
    this.bytes = slots.bytes(0);
    this.numbers = slots.numbers(0);
    this.text = slots.text(0);
  }

  /** Whether a frame of `caplen` bytes and `text` characters fits the batch being filled. */
  fits(caplen: number, text: number): boolean {
    return (
      this.count === 0 ||
      (this.count < BATCH_FRAMES &&
        this.used + caplen <= this.bytes.length &&
        this.textLength + text <= BATCH_TEXT)
    );
  }

  /** Adds a frame (call `fits` first); `time` and `summary` are empty for a frame nobody prints. */
  add(m: MergedRecord, bytesRead: number, time: string, summary: string): void {
    const rec = m.rec;
    if (this.count === 0) {
      this.first = m.frame;
      if (rec.caplen > this.bytes.length) this.bytes = this.own = new Uint8Array(rec.caplen);
    }
    this.bytes.set(rec.bytes.subarray(rec.offset, rec.offset + rec.caplen), this.used);
    const n = this.numbers;
    const at = this.count * NUMBERS;
    n[at + OFFSET] = this.used;
    n[at + CAPLEN] = rec.caplen;
    n[at + LEN] = rec.len;
    n[at + LINKTYPE] = rec.linktype;
    n[at + TS_SEC] = rec.tsSec;
    n[at + TS_NSEC] = rec.tsNsec;
    n[at + HAS_TS] = rec.hasTimestamp ? 1 : 0;
    n[at + SOURCE] = m.source;
    n[at + IF_NAME] = m.ifName === undefined ? -1 : this.nameOf(m.ifName);
    n[at + BYTES_READ] = bytesRead;
    // Written at once: the strings are then garbage before the next scavenge, not kept for the batch.
    this.line(time);
    this.line(summary);
    this.textLength += time.length + summary.length + 2;
    this.used += rec.caplen;
    this.count++;
  }

  get size(): number {
    return this.count;
  }

  /** The batch filled so far, with the buffer to transfer (if any); the writer starts the next slot. */
  take(): { batch: FrameBatch; transfer: ArrayBuffer[] } {
    const batch: FrameBatch = {
      kind: "frames",
      first: this.first,
      count: this.count,
      slot: this.slot,
      textBytes: this.textBytes,
      names: this.names,
    };
    if (this.own) batch.bytes = this.own.buffer;
    this.slot = (this.slot + 1) % this.slots.count;
    this.bytes = this.slots.bytes(this.slot);
    this.own = undefined;
    this.numbers = this.slots.numbers(this.slot);
    this.text = this.slots.text(this.slot);
    this.used = 0;
    this.count = 0;
    this.textBytes = 0;
    this.textLength = 0;
    this.names = [];
    this.nameIndex = new Map();
    return { batch, transfer: batch.bytes ? [batch.bytes] : [] };
  }

  private line(text: string): void {
    this.textBytes += this.text.write(text, this.textBytes, "utf16le");
    this.textBytes += this.text.write("\n", this.textBytes, "utf16le");
  }

  private nameOf(name: string): number {
    let i = this.nameIndex.get(name);
    if (i === undefined) {
      i = this.names.push(name) - 1;
      this.nameIndex.set(name, i);
    }
    return i;
  }
}

/** Where a batch's frames come from, and how a frame's capture and interface are named. */
export interface BatchInputs {
  /** The next message, in the order they were sent. */
  take(): BatchMessage;
  /** The slots the batches are written in. */
  slots: BatchSlots;
  /** Each capture's file name, by input index. */
  captures: readonly string[];
  /** The interface a frame enters at, from its capture and the name the decoder read (a pin wins). */
  ifNameOf(source: number, name: string | undefined): string | undefined;
}

/** The frames of a sequence of batches (the replaying thread's side). */
export class BatchFrames extends FrameCursor implements FrameSource {
  private batch: FrameBatch | undefined;
  private bytes: Uint8Array = new Uint8Array(0);
  private numbers: Float64Array = new Float64Array(0);
  private text: string[] = [];
  private index = 0;
  private ended = false;
  private readBytes = 0;
  private diagnosticsRead: Diagnostic[] = [];

  constructor(private readonly inputs: BatchInputs) {
    super();
  }

  next(): ReplayFrame | null {
    if (!this.batch || this.index === this.batch.count) {
      if (!this.load()) return null;
    }
    const batch = this.batch!;
    const n = this.numbers;
    const at = this.index * NUMBERS;
    const offset = n[at + OFFSET];
    const source = n[at + SOURCE];
    const ifName = n[at + IF_NAME];
    this.forget();
    const f = this.current;
    f.frame = batch.first + this.index;
    f.data = this.bytes.subarray(offset, offset + n[at + CAPLEN]);
    f.linktype = n[at + LINKTYPE];
    f.len = n[at + LEN];
    f.hasTimestamp = n[at + HAS_TS] === 1;
    f.tsSec = n[at + TS_SEC];
    f.tsNsec = n[at + TS_NSEC];
    f.capture = this.inputs.captures[source];
    f.ifName = this.inputs.ifNameOf(source, ifName < 0 ? undefined : batch.names[ifName]);
    this.readBytes = n[at + BYTES_READ];
    this.index++;
    return f;
  }

  time(): string {
    return this.text[2 * (this.index - 1)];
  }

  summary(): string {
    return this.text[2 * (this.index - 1) + 1];
  }

  bytesRead(): number {
    return this.readBytes;
  }

  get diagnostics(): readonly Diagnostic[] {
    return this.diagnosticsRead;
  }

  close(): void {
    this.ended = true;
  }

  /** Takes the next batch; false at the end (an error that stopped the decoder is thrown here). */
  private load(): boolean {
    if (this.ended) return false;
    const m = this.inputs.take();
    if (m.kind === "error") {
      this.ended = true;
      throw new Error(m.message);
    }
    if (m.kind === "end") {
      this.ended = true;
      this.diagnosticsRead = m.diagnostics;
      return false;
    }
    this.batch = m;
    const slots = this.inputs.slots;
    this.bytes = m.bytes ? new Uint8Array(m.bytes) : slots.bytes(m.slot);
    this.numbers = slots.numbers(m.slot);
    this.text = slots.lines(m);
    this.index = 0;
    // A batch is never empty, but a wrong one must not loop here.
    return m.count > 0 || this.load();
  }
}
