/**
 * `replay --threads 2`: the captures read and decoded on a second thread. A replay is CPU-bound:
 * reading the captures, decoding every frame and its summary line were a third of its time, and none
 * of it depends on the replay's state, so a second core can do it while the main thread replays. The
 * default for big captures (defaultThreads): the thread is another V8 isolate, and a 4 GB replay's
 * peak RSS went from 89 MB to ~97 MB (104 MB before the shared slots of replay-batch.ts), under the
 * 100 MB a replay is held to (README, "The CLI's replay, and big captures"). Where no
 * worker can start (a runtime without the thread's file), the replay runs on one thread and prints
 * the same.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MessageChannel, Worker } from "node:worker_threads";
import { BatchFrames, BatchSlots } from "./replay-batch.js";
import { channelState, channelTaker } from "./replay-channel.js";
import type { DecodeJob } from "./replay-decoder.js";
import type { DecoderData } from "./replay-decoder-thread.js";
import type { FrameSource } from "./replay-frames.js";

/**
 * Captures (all of them together) from this size on are replayed with the decoder thread unless
 * `--threads 1` says otherwise: below it the thread's start (~30 ms of CPU and its memory) is not paid
 * back (a 50 MB capture, 0.7 M frames, is ~1.4x sooner with it where a core is free).
 */
export const THREADS_FROM_BYTES = 32 << 20;

/** The threads a replay runs on when `--threads` is not given: 2 for big captures where 2 cores are. */
export function defaultThreads(captureBytes: number, cores: number): 1 | 2 {
  return cores >= 2 && captureBytes >= THREADS_FROM_BYTES ? 2 : 1;
}

/**
 * The decoder's young generation (its semi-spaces are a third of it). Nothing a frame allocates there
 * outlives the frame (its summary is copied into the batch at once), so a scavenge has next to nothing
 * to copy and a small young generation costs more scavenges, not more work in each: measured on a
 * 50 MB capture, ~2 MB off the peak RSS against V8's default (which grows it to 16 MB).
 */
const DECODER_YOUNG_MB = 1;

/** Batches the decoder may be in front of the replay (each ~200 kB at most). */
const AHEAD = 2;
/** The slots the batches are written in: the one being read, and AHEAD more (replay-batch.ts). */
const SLOTS = AHEAD + 1;

export interface DecoderThread {
  /** The frames, in order; `ifNameOf` applies the pins. */
  frames(
    captures: readonly string[],
    ifNameOf: (source: number, name: string | undefined) => string | undefined,
  ): FrameSource;
  /** Stops the thread (it may still be reading ahead when the replay stops). */
  close(): void;
}

/** The bundle's decoder thread file, beside this chunk; undefined where it is not (run from source). */
function decoderFile(): string | undefined {
  const file = fileURLToPath(new URL("./replay-decoder-thread.js", import.meta.url));
  return existsSync(file) ? file : undefined;
}

/** Starts the decoder thread on `job`; undefined where no worker starts (then decode on this thread). */
export async function startDecoderThread(job: DecodeJob): Promise<DecoderThread | undefined> {
  const file = decoderFile();
  if (!file) return undefined;
  const state = channelState();
  const { port1, port2 } = new MessageChannel();
  const slots = BatchSlots.create(SLOTS);
  const workerData: DecoderData = { job, state, slots: slots.memory, port: port2, ahead: AHEAD };
  let worker: Worker;
  try {
    worker = new Worker(file, {
      workerData,
      transferList: [port2],
      resourceLimits: { maxYoungGenerationSizeMb: DECODER_YOUNG_MB },
    });
  } catch {
    return undefined;
  }
  const ready = await new Promise<boolean>((done) => {
    worker.once("message", () => done(true));
    worker.once("error", () => done(false));
    worker.once("exit", () => done(false));
  });
  if (!ready) {
    void worker.terminate();
    return undefined;
  }
  // The replay waits for it synchronously from now on; a process whose replay ended must not wait
  // for a thread still reading ahead.
  worker.unref();
  port1.unref();
  return {
    frames: (captures, ifNameOf) =>
      new BatchFrames({ take: channelTaker(state, port1), slots, captures, ifNameOf }),
    close: () => {
      port1.close();
      void worker.terminate();
    },
  };
}
