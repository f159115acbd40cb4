/**
 * The decoder thread's work, run here in-process: what it sends for a job. (That its frames are the
 * ones the replay would read itself is replay-batch.test.ts's check, over the recorded captures.)
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writePcap } from "../../src/capture/index.js";
import { type BatchMessage, BatchSlots, type FrameBatch } from "../../src/cli/commands/replay-batch.js";
import { type DecodeJob, decodeCaptures } from "../../src/cli/commands/replay-decoder.js";
import { REPO_ROOT } from "../support/shared.js";

const CAPTURES = join(REPO_ROOT, "fixtures", "captures");
const VM1_RX = join(REPO_ROOT, "fixtures", "demo", "compute1-qvo8c2d4e6f-1a-rx.pcap");
const ALL = { from: 1, to: Number.POSITIVE_INFINITY };

/** Slots enough for every batch a test's capture makes: all are read after the decoder ends. */
const slots = BatchSlots.create(64);

function sent(job: DecodeJob): BatchMessage[] {
  const out: BatchMessage[] = [];
  decodeCaptures(job, slots, (m) => out.push(m));
  return out;
}

/** Each frame's time and summary as the batches carry them ("" for a frame nobody prints). */
function texts(messages: BatchMessage[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const m of messages) {
    if (m.kind !== "frames") continue;
    const t = slots.lines(m);
    for (let i = 0; i < m.count; i++) out.push([t[2 * i], t[2 * i + 1]]);
  }
  return out;
}

describe("replay's decoder", () => {
  it("an empty capture (its header only) sends no batch, only its end", () => {
    const dir = mkdtempSync(join(tmpdir(), "ovspath-decoder-"));
    const file = join(dir, "no-frames.pcap");
    writeFileSync(file, writePcap([]));
    expect(sent({ inputs: [{ path: file }], ...ALL })).toEqual([{ kind: "end", diagnostics: [] }]);
  });

  it("a capture that cannot be opened: its error, and nothing else", () => {
    expect(sent({ inputs: [{ path: join(CAPTURES, "empty.pcap") }], ...ALL })).toEqual([
      { kind: "error", message: expect.stringContaining("empty file, not a capture") },
    ]);
  });

  it("frames before the range carry no time or summary: the replay runs them, prints nothing", () => {
    const t = texts(sent({ inputs: [{ path: VM1_RX }], from: 4, to: 6 }));
    expect(t.map(([time, summary]) => [time !== "", summary !== ""])).toEqual([
      [false, false],
      [false, false],
      [false, false],
      [true, true],
      [true, true],
      [true, true],
    ]);
    // The demo capture's 4th frame, as `replay` prints it (its time from the first frame's).
    expect(t[3]).toEqual(["1.484387", "192.168.100.11 → 192.168.100.21 ICMP echo request"]);
  });

  it.each([
    // pcap-truncated-tail.pcap: frame 3 is cut off. The replay's loop reads the record after the
    // range's last frame and stops there: a damage beyond it is never met.
    { to: 1, frames: 1, damaged: false },
    { to: 2, frames: 2, damaged: true },
    { to: Number.POSITIVE_INFINITY, frames: 2, damaged: true },
  ])("frames 1-$to: $frames sent, the damaged 3rd met: $damaged", ({ to, frames, damaged }) => {
    const messages = sent({ inputs: [{ path: join(CAPTURES, "pcap-truncated-tail.pcap") }], from: 1, to });
    const batches = messages.filter((m): m is FrameBatch => m.kind === "frames");
    expect(batches.reduce((n, b) => n + b.count, 0)).toBe(frames);
    const end = messages.at(-1);
    expect(end?.kind).toBe("end");
    const diagnostics = end?.kind === "end" ? end.diagnostics : [];
    expect(diagnostics.map((d) => d.frame)).toEqual(damaged ? [3] : []);
  });
});
