/**
 * `replay --threads 2` (the captures read and decoded on a second thread) prints the same bytes as
 * `--threads 1`: stdout in text, --json and -v, stderr (a damaged capture's error naming its file and
 * frame) and the exit status, over the labs' captures as OVS wrote them (all of a lab's VM-port
 * captures at once, each pinned to its port, merged by timestamp) and the demo's.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writePcap } from "../../src/capture/index.js";
import { CaptureFrames } from "../../src/cli/commands/replay-frames.js";
import { defaultThreads, THREADS_FROM_BYTES } from "../../src/cli/commands/replay-threads.js";
import { ovspath } from "../support/cli.js";
import { LAB } from "../support/lab.js";
import { NEEDS, REPO_ROOT, skipWithoutShared } from "../support/shared.js";

const DEMO = join(REPO_ROOT, "fixtures", "demo");
const tmp = mkdtempSync(join(tmpdir(), "ovspath-threads-"));

/** The run's timing, the one thing that differs between two runs of the same replay. */
const untimed = (text: string) => text.replace(/replayed in [0-9.]+ s/, "replayed in T s");

/** Every receive capture of a lab (VM ports and NICs), pinned where OVS saw it: `FILE@HOST:PORT`. */
function labCaptures(lab: string): string[] {
  return readdirSync(join(LAB, lab))
    .sort()
    .flatMap((host) => {
      const dir = join(LAB, lab, host, "captures");
      if (!existsSync(dir)) return [];
      return readdirSync(dir)
        .filter((f) => f.endsWith("-rx.pcap"))
        .sort()
        .map((f) => `${join(dir, f)}@${host}:${f.slice(0, -"-rx.pcap".length)}`);
    });
}

/** The demo capture without its last 500 bytes: a record cut off mid-frame, the frames before it read. */
function damagedDemo(): string {
  const bytes = readFileSync(join(DEMO, "compute1-qvo8c2d4e6f-1a-rx.pcap"));
  const file = join(tmp, "damaged.pcap");
  writeFileSync(file, bytes.subarray(0, bytes.length - 500));
  return file;
}

/**
 * The demo's VM capture played over and over, a millisecond apart: thousands of frames, dozens of
 * batches, so the decoder writes its few slots again and again while the replay reads them.
 */
function longDemo(times: number): string {
  const r = new CaptureFrames([{ path: join(DEMO, "compute1-qvo8c2d4e6f-1a-rx.pcap") }], (at) => at);
  const recorded: Uint8Array[] = [];
  for (let f = r.next(); f; f = r.next()) recorded.push(f.data.slice());
  r.close();
  const frames = Array.from({ length: times * recorded.length }, (_, i) => ({
    data: recorded[i % recorded.length],
    tsSec: 1_700_000_000 + Math.floor(i / 1000),
    tsFrac: (i % 1000) * 1000,
  }));
  const file = join(tmp, "long.pcap");
  writeFileSync(file, writePcap(frames));
  return file;
}

const demoHosts = join(DEMO, "hosts");
const TEXT: string[][] = [[]];
const EVERY: string[][] = [[], ["--json"], ["-v"], ["--frames", "3-9", "--filter", "tcp || icmp"]];

/** Both runs' stdout (untimed), stderr and exit status, compared; returns the one-thread run. */
function sameBothWays(args: string[]) {
  const one = ovspath("replay", "--threads", "1", ...args);
  const two = ovspath("replay", "--threads", "2", ...args);
  // A run killed for its output's size (spawnSync's buffer) would compare two cut-off outputs.
  expect(one.status).not.toBeNull();
  expect(untimed(two.stdout)).toBe(untimed(one.stdout));
  expect(two.stderr).toBe(one.stderr);
  expect(two.status).toBe(one.status);
  return one;
}

const cases: Array<{ name: string; args: () => string[]; modes: string[][] }> = [
  {
    name: "the demo's VM capture",
    args: () => ["--at", "compute1:qvo8c2d4e6f-1a", join(DEMO, "compute1-qvo8c2d4e6f-1a-rx.pcap"), demoHosts],
    modes: EVERY,
  },
  {
    name: "the demo's captures merged, pinned",
    args: () => [
      `${join(DEMO, "compute1-qvo8c2d4e6f-1a-rx.pcap")}@compute1:qvo8c2d4e6f-1a`,
      `${join(DEMO, "compute1-tap9d3e5f70-2b-rx.pcap")}@compute1:tap9d3e5f70-2b`,
      demoHosts,
    ],
    modes: [[], ["--json"]],
  },
  {
    // 2,100 frames: several batches per slot, and stdout under spawnSync's 1 MB (past it the run is cut short).
    name: "the demo's VM capture 150 times over (many batches through few slots)",
    args: () => ["--at", "compute1:qvo8c2d4e6f-1a", longDemo(150), demoHosts],
    modes: TEXT,
  },
  {
    name: "the demo's tunnel capture",
    args: () => [join(DEMO, "compute1-eth1-tx.pcap"), demoHosts],
    modes: TEXT,
  },
];

describe("replay --threads", () => {
  it("the bundle holds the decoder thread (else --threads 2 would quietly run on one)", () => {
    expect(existsSync(join(REPO_ROOT, "dist", "chunks", "replay-decoder-thread.js"))).toBe(true);
  });

  it.each(cases)("$name: the same bytes with one thread and two", ({ args: make, modes }) => {
    const args = make();
    for (const mode of modes) sameBothWays([...mode, ...args]);
  });

  it("a damaged capture: the same frames, the same error naming its file and frame, exit 1", () => {
    const one = sameBothWays(["--at", "compute1:qvo8c2d4e6f-1a", damagedDemo(), demoHosts]);
    expect(one.stderr).toMatch(/damaged\.pcap: frame \d+ \(byte offset \d+\): error: /);
    expect(one.status).toBe(1);
  });

  const labs = ["neutron-lab", "neutron-lab-broken", "neutron-lab-native"].filter((l) =>
    existsSync(join(LAB, l)),
  );
  it.skipIf(skipWithoutShared(NEEDS.labCaptures)).each(labs)(
    "%s's receive captures, merged: the same bytes with one thread and two",
    (lab) => {
      const args = [...labCaptures(lab), join(LAB, lab)];
      for (const mode of lab === "neutron-lab-native" ? [[], ["--json"], ["-v"]] : [[], ["--json"]]) {
        const one = sameBothWays([...mode, ...args]);
        expect(one.stdout.split("\n").length).toBeGreaterThan(20);
      }
    },
  );

  it.each([
    { bytes: THREADS_FROM_BYTES, cores: 2, threads: 2 },
    { bytes: 4 * 2 ** 30, cores: 8, threads: 2 },
    { bytes: THREADS_FROM_BYTES - 1, cores: 2, threads: 1 },
    { bytes: 4 * 2 ** 30, cores: 1, threads: 1 },
    { bytes: 0, cores: 4, threads: 1 },
  ])(
    "without --threads: $threads for $bytes bytes of captures on $cores cores",
    ({ bytes, cores, threads }) => {
      expect(defaultThreads(bytes, cores)).toBe(threads);
    },
  );

  it("takes 1 or 2", () => {
    const r = ovspath("replay", "--threads", "3", join(DEMO, "compute1-eth1-tx.pcap"), demoHosts);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("expected 1 or 2");
  });
});
