/**
 * A channel between `replay`'s decoder thread and the replaying thread that both sides use
 * synchronously: the replaying thread's loop takes the next batch without returning to the event loop
 * (`receiveMessageOnPort`), and waits for one with `Atomics.wait`; the decoder waits when it is
 * `ahead` batches in front, so at most that many are in memory whatever the capture's size. Two
 * counters in shared memory say how many batches were sent and taken.
 */
import { type MessagePort, receiveMessageOnPort } from "node:worker_threads";
import type { BatchMessage } from "./replay-batch.js";
import type { Send } from "./replay-decoder.js";

const SENT = 0;
const TAKEN = 1;

/** The counters' shared memory (passed to the decoder thread with its port). */
export function channelState(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
}

/** The decoder's side: sends, then waits while the replaying thread is `ahead` batches behind. */
export function channelSender(state: Int32Array, port: MessagePort, ahead: number): Send {
  return (message, transfer) => {
    port.postMessage(message, transfer);
    // Counted after the post: a receiver that sees the count finds the message on the port.
    Atomics.add(state, SENT, 1);
    Atomics.notify(state, SENT);
    for (;;) {
      const taken = Atomics.load(state, TAKEN);
      if (Atomics.load(state, SENT) - taken < ahead) return;
      Atomics.wait(state, TAKEN, taken);
    }
  };
}

/** The replaying thread's side: the next message, waiting for it if it has not come yet. */
export function channelTaker(state: Int32Array, port: MessagePort): () => BatchMessage {
  return () => {
    for (;;) {
      const sent = Atomics.load(state, SENT);
      const m = receiveMessageOnPort(port);
      if (m) {
        Atomics.add(state, TAKEN, 1);
        Atomics.notify(state, TAKEN);
        return m.message as BatchMessage;
      }
      // Returns at once if a message was counted since `sent` was read.
      Atomics.wait(state, SENT, sent);
    }
  };
}
