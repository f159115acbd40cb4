/**
 * The decoder thread's work for `replay`: read the captures (merged as on one thread), copy each frame
 * into a batch with its time and summary line, and send the batches in order. It is the part of a
 * replay that no frame's verdict depends on; the replay itself (MAC learning, conntrack) stays on the
 * main thread, which takes the batches as they come (replay-batch.ts).
 */
import { decodeFrame, quickSummary, summarizeFrame } from "../../decode/index.js";
import { heapCap } from "../heap-cap.js";
import { type BatchMessage, type BatchSlots, BatchWriter } from "./replay-batch.js";
import { RelativeTimes } from "./replay-frames.js";
import { type CaptureInput, MergedCaptures } from "./replay-inputs.js";

/** The old generation's use past which this thread collects in full (its live data is ~4 MB). */
const DECODER_HEAP_CEILING = 4 << 20;

/**
 * The reading buffer (1 MiB by default): a quarter of it is still few reads (a 0.5 GB capture in ~2,000),
 * and it is in this thread's malloc arena, resident for the whole replay (~0.7 MB less steady RSS
 * measured on a 50 MB capture).
 */
const DECODER_WINDOW = 256 << 10;

export interface DecodeJob {
  inputs: CaptureInput[];
  /** Frames before this one are sent without time or summary: the replay runs them, prints nothing. */
  from: number;
  /** The last frame sent: the reading stops at the record after it, as the replay's own loop does. */
  to: number;
}

export type Send = (message: BatchMessage, transfer: ArrayBuffer[]) => void;

/**
 * Reads and decodes the job's frames, writing them in batches into `slots` in turn and sending each,
 * then the diagnostics (or the error). `send` must not return before the slot to be written next is
 * free again (replay-channel.ts's sender waits so).
 */
export function decodeCaptures(job: DecodeJob, slots: BatchSlots, send: Send): void {
  let reader: MergedCaptures | undefined;
  try {
    // Pins are resolved by the replaying thread, which knows the switches: here a pin stays its text.
    reader = new MergedCaptures(job.inputs, (at) => at, DECODER_WINDOW);
    const batch = new BatchWriter(slots);
    const sendBatch = () => {
      const { batch: b, transfer } = batch.take();
      send(b, transfer);
    };
    // This thread's garbage (every frame's decoded layers) is capped as the replaying thread's is,
    // lower: it keeps no more than its modules and the batch being filled.
    const heap = heapCap(DECODER_HEAP_CEILING);
    const times = new RelativeTimes();
    for (let m = reader.next(); m && m.frame <= job.to; reader.advance(m), m = reader.next()) {
      heap.tick();
      const rec = m.rec;
      times.see(rec);
      let time = "";
      let summary = "";
      if (m.frame >= job.from) {
        time = times.of(rec);
        const bytes = rec.bytes.subarray(rec.offset, rec.offset + rec.caplen);
        summary = quickSummary(bytes, rec.linktype) ?? summarizeFrame(decodeFrame(bytes, rec.linktype));
      }
      if (!batch.fits(rec.caplen, time.length + summary.length + 2)) sendBatch();
      batch.add(m, reader.bytesRead(), time, summary);
    }
    if (batch.size > 0) sendBatch();
    send({ kind: "end", diagnostics: [...reader.diagnostics] }, []);
  } catch (e) {
    send({ kind: "error", message: e instanceof Error ? e.message : String(e) }, []);
  } finally {
    reader?.close();
  }
}
