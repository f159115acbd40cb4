/**
 * The decoder thread's entry point (its own file in the bundle: dist/chunks/replay-decoder-thread.js,
 * started by replay-threads.ts). It says it is ready once its modules have loaded, then decodes.
 */
import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import { BatchSlots } from "./replay-batch.js";
import { channelSender } from "./replay-channel.js";
import { type DecodeJob, decodeCaptures } from "./replay-decoder.js";

export interface DecoderData {
  job: DecodeJob;
  state: Int32Array;
  /** The batches' slots (BatchSlots' memory). */
  slots: SharedArrayBuffer;
  port: MessagePort;
  ahead: number;
}

const data = workerData as DecoderData;
parentPort?.postMessage("ready");
decodeCaptures(data.job, new BatchSlots(data.slots), channelSender(data.state, data.port, data.ahead));
