/**
 * The decoder thread's channel, both ends on one thread here (a real second thread is what
 * test/cli/replay-threads.test.ts runs): messages arrive in the order sent, a big frame's buffer moved
 * (the sender's is detached), and the counters say how many were sent and taken.
 */
import { MessageChannel } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import type { BatchMessage, FrameBatch } from "../../src/cli/commands/replay-batch.js";
import { channelSender, channelState, channelTaker } from "../../src/cli/commands/replay-channel.js";

const ports: MessageChannel[] = [];
afterEach(() => {
  for (const c of ports.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
});

/** Both ends; `ahead` must exceed what a test sends before it takes (the sender would wait forever). */
function channel(ahead: number) {
  const c = new MessageChannel();
  ports.push(c);
  const state = channelState();
  return { state, send: channelSender(state, c.port2, ahead), take: channelTaker(state, c.port1) };
}

/** A batch announced with its bytes moved beside it (as a frame too big for a slot is). */
function batch(first: number, count: number): FrameBatch {
  const bytes = new Uint8Array(count).map((_, i) => (first + i) & 0xff);
  return { kind: "frames", first, count, slot: 0, textBytes: 0, names: [], bytes: bytes.buffer };
}

/** The buffers a batch moves. */
const moved = (b: BatchMessage) => (b.kind === "frames" && b.bytes ? [b.bytes] : []);

describe("replay's decoder channel", () => {
  it.each([
    { name: "one batch then the end", batches: [[1, 3]] },
    {
      name: "several batches, the last partial",
      batches: [
        [1, 4],
        [5, 4],
        [9, 1],
      ],
    },
    { name: "no batch (an empty capture)", batches: [] },
  ])("$name: taken in the order sent", ({ batches }) => {
    const { send, take } = channel(batches.length + 2);
    const sent: BatchMessage[] = batches.map(([first, count]) => batch(first, count));
    for (const b of sent) send(b, moved(b));
    send({ kind: "end", diagnostics: [] }, []);
    const got: BatchMessage[] = [];
    for (let m = take(); ; m = take()) {
      got.push(m);
      if (m.kind !== "frames") break;
    }
    expect(
      got.map((m) => (m.kind === "frames" ? [m.first, m.count, [...new Uint8Array(m.bytes ?? [])]] : m.kind)),
    ).toEqual([
      ...batches.map(([first, count]) => [first, count, Array.from({ length: count }, (_, i) => first + i)]),
      "end",
    ]);
  });

  it("moves a big frame's buffer: the sender's copy is detached", () => {
    const { send, take } = channel(2);
    const b = batch(1, 8);
    send(b, moved(b));
    expect(b.bytes?.byteLength).toBe(0);
    const got = take() as FrameBatch;
    expect(got.bytes?.byteLength).toBe(8);
  });

  it("counts what was sent and taken (the decoder waits on the difference)", () => {
    const { state, send, take } = channel(3);
    send(batch(1, 1), []);
    send(batch(2, 1), []);
    expect([...state]).toEqual([2, 0]);
    take();
    expect([...state]).toEqual([2, 1]);
  });

  it("carries the error that stopped a decoder", () => {
    const { send, take } = channel(2);
    send({ kind: "error", message: "x.pcap: cannot open capture: no such file" }, []);
    expect(take()).toEqual({ kind: "error", message: "x.pcap: cannot open capture: no such file" });
  });
});
