/**
 * Whether `replay` reads and decodes its captures on a second thread, and starting that thread.
 * A replay is CPU-bound: reading the captures, decoding every frame and its summary line were a third
 * of its time, and none of it depends on the replay's state, so a second core can do it while the
 * main thread replays (README, "The CLI's replay, and big captures"). Where no worker can start (a
 * runtime without the thread's file), the replay runs on one thread and prints the same.
 */
import { existsSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { MessageChannel, Worker } from "node:worker_threads";
import { BatchFrames } from "./replay-batch.js";
import { channelState, channelTaker } from "./replay-channel.js";
import type { DecodeJob } from "./replay-decoder.js";
import type { DecoderData } from "./replay-decoder-thread.js";
import type { FrameSource } from "./replay-frames.js";
import type { CaptureInput } from "./replay-inputs.js";

/**
 * Captures smaller than this together replay on one thread: a worker costs ~30 ms of CPU to start and
 * ~10 MB of memory, and below this the replay takes a few seconds at most.
 */
export const THREADS_FROM_BYTES = 32 << 20;
/** Batches the decoder may be in front of the replay (each ~200 kB at most). */
const AHEAD = 2;

/**
 * Whether to decode on a second thread: `threads` as given (`--threads`), else when the captures are
 * big and a second core is there.
 */
export function decoderThreadWanted(threads: number | undefined, inputs: readonly CaptureInput[]): boolean {
  if (threads !== undefined) return threads > 1;
  if (availableParallelism() < 2) return false;
  let bytes = 0;
  for (const i of inputs) {
    try {
      bytes += statSync(i.path).size;
    } catch {
      // Unreadable: the replay's own open says why.
    }
  }
  return bytes >= THREADS_FROM_BYTES;
}

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
  const workerData: DecoderData = { job, state, port: port2, ahead: AHEAD };
  let worker: Worker;
  try {
    worker = new Worker(file, { workerData, transferList: [port2] });
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
    frames: (captures, ifNameOf) => new BatchFrames({ take: channelTaker(state, port1), captures, ifNameOf }),
    close: () => {
      port1.close();
      void worker.terminate();
    },
  };
}
