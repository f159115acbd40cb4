/**
 * The decoder thread's batches read back as the frames the replay would have read itself: every
 * frame's number, bytes, record fields, capture, interface, time and summary line, and the capture's
 * diagnostics, equal to `CaptureFrames` (the one-thread reading) over the same recorded captures. The
 * decoder runs here in-process (`decodeCaptures` with a collecting `send`): the thread only carries its
 * messages.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writePcap } from "../../src/capture/index.js";
import {
  BATCH_BYTES,
  BATCH_FRAMES,
  BatchFrames,
  type BatchMessage,
  BatchSlots,
  type FrameBatch,
} from "../../src/cli/commands/replay-batch.js";
import { type DecodeJob, decodeCaptures } from "../../src/cli/commands/replay-decoder.js";
import { CaptureFrames, type FrameSource } from "../../src/cli/commands/replay-frames.js";
import type { CaptureInput } from "../../src/cli/commands/replay-inputs.js";
import { REPO_ROOT } from "../support/shared.js";

const DEMO = join(REPO_ROOT, "fixtures", "demo");
const CAPTURES = join(REPO_ROOT, "fixtures", "captures");
const VM1_RX = join(DEMO, "compute1-qvo8c2d4e6f-1a-rx.pcap");
const ALL = { from: 1, to: Number.POSITIVE_INFINITY };
const tmp = mkdtempSync(join(tmpdir(), "ovspath-batch-"));

/** The frames of a recorded capture repeated `times`, one microsecond apart: a capture of many batches. */
function repeated(path: string, times: number, name: string): string {
  const frames: Array<{ data: Uint8Array; tsSec: number; tsFrac: number }> = [];
  const r = new CaptureFrames([{ path }], (at) => at);
  const recorded: Uint8Array[] = [];
  for (let f = r.next(); f; f = r.next()) recorded.push(f.data.slice());
  r.close();
  for (let i = 0; i < times * recorded.length; i++)
    frames.push({ data: recorded[i % recorded.length], tsSec: 1_700_000_000, tsFrac: i });
  const file = join(tmp, name);
  writeFileSync(file, writePcap(frames));
  return file;
}

/** A recorded capture with one frame of `size` bytes (its first, zero-padded) after its first frame. */
function withBigFrame(path: string, size: number): string {
  const r = new CaptureFrames([{ path }], (at) => at);
  const frames: Array<{ data: Uint8Array; tsSec: number; tsFrac: number }> = [];
  for (let f = r.next(); f; f = r.next()) frames.push({ data: f.data.slice(), tsSec: f.tsSec, tsFrac: 0 });
  r.close();
  const big = new Uint8Array(size);
  big.set(frames[0].data);
  frames.splice(1, 0, { data: big, tsSec: frames[0].tsSec, tsFrac: 1 });
  const file = join(tmp, `big-${size}.pcap`);
  writeFileSync(file, writePcap(frames));
  return file;
}

/** The demo capture cut in the middle of its 9th record: a damaged frame mid-file. */
function cutMidRecord(): string {
  const bytes = readFileSync(VM1_RX);
  const r = new CaptureFrames([{ path: VM1_RX }], (at) => at);
  let offset = 0;
  for (let f = r.next(); f && f.frame < 9; f = r.next()) offset = r.bytesRead();
  r.close();
  const file = join(tmp, "cut.pcap");
  writeFileSync(file, bytes.subarray(0, offset + 20));
  return file;
}

/** A pcap of its file header alone: no frame. */
function headerOnly(): string {
  const file = join(tmp, "no-frames.pcap");
  writeFileSync(file, writePcap([]));
  return file;
}

interface Seen {
  frame: number;
  data: number[];
  linktype: number;
  len: number;
  ts: string;
  capture: string;
  ifName: string | undefined;
  time?: string;
  summary?: string;
}

/** Everything the replay reads of a source, frame by frame, then its diagnostics. */
function read(source: FrameSource, from: number, to: number) {
  const frames: Seen[] = [];
  for (let f = source.next(); f && f.frame <= to; f = source.next()) {
    const seen: Seen = {
      frame: f.frame,
      data: [...f.data],
      linktype: f.linktype,
      len: f.len,
      ts: f.hasTimestamp ? `${f.tsSec}.${f.tsNsec}` : "-",
      capture: f.capture,
      ifName: f.ifName,
    };
    if (f.frame >= from) {
      seen.time = source.time();
      seen.summary = source.summary();
    }
    frames.push(seen);
  }
  source.close();
  return { frames, diagnostics: source.diagnostics };
}

/**
 * Slots enough for every batch a case makes: the decoder runs to its end before any batch is read
 * (the thread reuses fewer, in turn: test/cli/replay-threads.test.ts).
 */
const slots = BatchSlots.create(64);

/** The decoder's messages for a job, in the order it sent them. */
function decoded(job: DecodeJob): BatchMessage[] {
  const sent: BatchMessage[] = [];
  decodeCaptures(job, slots, (m) => sent.push(m));
  return sent;
}

const names = (inputs: readonly CaptureInput[]) =>
  inputs.map((i) => i.path.slice(i.path.lastIndexOf("/") + 1));
const pin = (at: string) => `pinned ${at}`;

function fromBatches(inputs: readonly CaptureInput[], sent: BatchMessage[]): BatchFrames {
  const queue = [...sent];
  return new BatchFrames({
    slots,
    take: () => {
      const m = queue.shift();
      if (!m) throw new Error("taken past the last message");
      return m;
    },
    captures: names(inputs),
    ifNameOf: (source, name) => {
      const at = inputs[source].at;
      return at ? pin(at) : name;
    },
  });
}

const cases: Array<{ name: string; inputs: () => CaptureInput[]; range?: { from: number; to: number } }> = [
  { name: "the demo's VM capture (one partial batch)", inputs: () => [{ path: VM1_RX }] },
  { name: "a tunnel capture", inputs: () => [{ path: join(DEMO, "compute1-eth1-tx.pcap") }] },
  {
    name: "two captures merged by timestamp, one pinned",
    inputs: () => [
      { path: VM1_RX, at: "compute1:qvo8c2d4e6f-1a" },
      { path: join(DEMO, "compute1-tap9d3e5f70-2b-rx.pcap") },
    ],
  },
  {
    name: "pcapng: two sections, interface names",
    inputs: () => [{ path: join(CAPTURES, "pcapng-two-sections.pcapng") }],
  },
  {
    name: "pcapng: control characters in names",
    inputs: () => [{ path: join(CAPTURES, "pcapng-control-chars.pcapng") }],
  },
  {
    name: "pcap: a damaged record length mid-file",
    inputs: () => [{ path: join(CAPTURES, "pcap-corrupt-length.pcap") }],
  },
  {
    name: "pcap: a record cut off at the end",
    inputs: () => [{ path: join(CAPTURES, "pcap-truncated-tail.pcap") }],
  },
  { name: "the demo capture cut mid-record", inputs: () => [{ path: cutMidRecord() }] },
  { name: "an empty capture (its header only)", inputs: () => [{ path: headerOnly() }] },
  {
    name: "many batches, the last one partial",
    inputs: () => [{ path: repeated(VM1_RX, Math.ceil((2.5 * BATCH_FRAMES) / 14), "many.pcap") }],
  },
  {
    name: "a frame bigger than a batch's room",
    inputs: () => [{ path: withBigFrame(VM1_RX, 2 * BATCH_BYTES) }],
  },
  {
    name: "frames 5-9 (time and summary from 5, reading stops after 10)",
    inputs: () => [{ path: VM1_RX }],
    range: { from: 5, to: 9 },
  },
  {
    name: "a range across batches",
    inputs: () => [{ path: repeated(VM1_RX, Math.ceil((2 * BATCH_FRAMES) / 14), "range.pcap") }],
    range: { from: BATCH_FRAMES - 3, to: BATCH_FRAMES + 5 },
  },
];

describe("replay's decoder batches", () => {
  it.each(cases)("$name: the frames the replay would read itself", ({ inputs: make, range = ALL }) => {
    const inputs = make();
    const expected = read(new CaptureFrames(inputs, pin), range.from, range.to);
    const sent = decoded({ inputs, ...range });
    const got = read(fromBatches(inputs, sent), range.from, range.to);
    expect(got.frames).toEqual(expected.frames);
    expect(got.diagnostics).toEqual(expected.diagnostics);
  });

  it.each(cases)(
    "$name: batches in order, numbered without gaps, then the end",
    ({ inputs: make, range = ALL }) => {
      const inputs = make();
      const sent = decoded({ inputs, ...range });
      expect(sent.at(-1)?.kind).toBe("end");
      const batches = sent.slice(0, -1) as FrameBatch[];
      let next = 1;
      for (const b of batches) {
        expect(b.kind).toBe("frames");
        expect(b.first).toBe(next);
        expect(b.count).toBeGreaterThan(0);
        expect(b.count).toBeLessThanOrEqual(BATCH_FRAMES);
        next += b.count;
      }
      expect(next - 1).toBe(read(new CaptureFrames(inputs, pin), range.from, range.to).frames.length);
    },
  );

  it("the error that stopped the decoder is thrown where the replay takes the next frame", () => {
    const inputs = [{ path: VM1_RX }];
    const sent: BatchMessage[] = [{ kind: "error", message: "vm1.pcap: cannot open capture: no such file" }];
    expect(() => fromBatches(inputs, sent).next()).toThrow("vm1.pcap: cannot open capture: no such file");
  });
});
