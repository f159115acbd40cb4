/**
 * The frames `replay` reads on its own thread: the capture's records as the reader gives them, the
 * time relative to the first timestamped frame, and the summary line `decode` prints for the frame.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openCapture } from "../../src/capture/index.js";
import { CaptureFrames, RelativeTimes, relativeTime } from "../../src/cli/commands/replay-frames.js";
import { REPO_ROOT } from "../support/shared.js";

const DEMO = join(REPO_ROOT, "fixtures", "demo");
const CAPTURES = join(REPO_ROOT, "fixtures", "captures");

describe("relativeTime", () => {
  it.each([
    {
      name: "the first frame",
      rec: { hasTimestamp: true, tsSec: 100, tsNsec: 5 },
      first: { sec: 100, nsec: 5 },
      want: "0.000000",
    },
    {
      name: "across a second",
      rec: { hasTimestamp: true, tsSec: 101, tsNsec: 250_000_000 },
      first: { sec: 100, nsec: 750_000_000 },
      want: "0.500000",
    },
    {
      name: "before the first (pcapng sections)",
      rec: { hasTimestamp: true, tsSec: 99, tsNsec: 0 },
      first: { sec: 100, nsec: 500_000_000 },
      want: "-1.500000",
    },
    {
      name: "a frame without timestamp",
      rec: { hasTimestamp: false, tsSec: 0, tsNsec: 0 },
      first: { sec: 100, nsec: 0 },
      want: "-",
    },
    {
      name: "no timestamped frame yet",
      rec: { hasTimestamp: true, tsSec: 100, tsNsec: 0 },
      first: null,
      want: "-",
    },
  ])("$name: $want", ({ rec, first, want }) => expect(relativeTime(rec, first)).toBe(want));
});

describe("RelativeTimes", () => {
  const at = (tsSec: number, tsNsec = 0) => ({ hasTimestamp: true, tsSec, tsNsec });
  const none = { hasTimestamp: false, tsSec: 0, tsNsec: 0 };
  it.each([
    { name: "from the first frame", frames: [at(10), at(11, 500_000_000)], want: ["0.000000", "1.500000"] },
    {
      name: "frames without a timestamp first",
      frames: [none, at(10), at(12)],
      want: ["-", "0.000000", "2.000000"],
    },
    {
      name: "the origin never moves",
      frames: [at(10), at(9), at(10)],
      want: ["0.000000", "-1.000000", "0.000000"],
    },
  ])("$name", ({ frames, want }) => {
    const times = new RelativeTimes();
    expect(
      frames.map((f) => {
        times.see(f);
        return times.of(f);
      }),
    ).toEqual(want);
  });
});

/** `ovspath decode`'s lines (number, time, summary) for a capture: what the replay's columns repeat. */
function decodeLines(path: string): string[] {
  const res = spawnSync(process.execPath, [join(REPO_ROOT, "bin", "ovspath.js"), "decode", path], {
    encoding: "utf8",
  });
  return res.stdout.split("\n").filter((l) => /^\s+\d+ /.test(l));
}

describe("CaptureFrames", () => {
  const paths = [
    join(DEMO, "compute1-qvo8c2d4e6f-1a-rx.pcap"),
    join(DEMO, "compute1-eth1-tx.pcap"),
    join(CAPTURES, "pcapng-two-sections.pcapng"),
    join(CAPTURES, "pcap-truncated-tail.pcap"),
  ];
  // The default read buffer, and one smaller than a record (what `replay` opens only to check them
  // while its thread reads them): refilled and grown, it reads the same.
  it.each(paths.flatMap((path) => [[path, undefined] as const, [path, 64] as const]))(
    "%s, window %s: the reader's records, decode's time and summary, the reader's diagnostics",
    (path, windowBytes) => {
      const frames = new CaptureFrames([{ path }], (at) => at, windowBytes);
      const opened = openCapture(path);
      if (!opened.ok) throw new Error(opened.error.message);
      const reader = opened.value;
      const lines: string[] = [];
      for (let f = frames.next(); f; f = frames.next()) {
        const rec = reader.next();
        expect(rec).not.toBeNull();
        if (!rec) break;
        expect([f.frame, [...f.data], f.linktype, f.len, f.hasTimestamp, f.tsSec, f.tsNsec]).toEqual([
          rec.frame,
          [...rec.bytes.subarray(rec.offset, rec.offset + rec.caplen)],
          rec.linktype,
          rec.len,
          rec.hasTimestamp,
          rec.tsSec,
          rec.tsNsec,
        ]);
        expect(f.ifName).toBe(reader.interfaces[rec.interfaceId]?.name);
        expect(f.capture).toBe(path.slice(path.lastIndexOf("/") + 1));
        // decoded() is decoded once: the summary reads the same object.
        expect(frames.decoded()).toBe(frames.decoded());
        lines.push(`${String(f.frame).padStart(6)} ${frames.time().padStart(11)} ${frames.summary()}`);
      }
      expect(reader.next()).toBeNull();
      expect(frames.diagnostics).toEqual(reader.diagnostics);
      frames.close();
      reader.close();
      // decode may add to a line ([truncated]); its number, time and summary come first.
      const decoded = decodeLines(path);
      expect(decoded.length).toBe(lines.length);
      lines.forEach((l, i) => {
        expect(decoded[i].startsWith(l), `${decoded[i]}\n${l}`).toBe(true);
      });
    },
  );
});
