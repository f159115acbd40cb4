/**
 * `npm run bench`: the figures the README reports, each beside the tool a user would use instead.
 *   1. generates a 1,000,000-frame mixed capture (30% TCP, 10% 802.1Q UDP, 30% GRE+key, 25% VXLAN, 5% ARP)
 *   2. (a) record walking, (b) full decode + OVS flow-key extraction (fast path), (b') full layer
 *      decode (the -V/JSON path), each in its own process for an honest peak RSS
 *   3. tshark -T fields on the same file (first 200,000 frames: tshark is ~100x slower), with the ratio.
 *   4. a 100,000-flow dump loaded into the model, beside `ovs-ofctl parse-flows` on the same flows.
 *   5. traces/s through the Neutron lab and the 100k-flow table, beside scripted ovs-appctl ofproto/trace
 *      (BENCH_TRACES sizes it).
 *   6. CLI start: `ovspath decode` of a one-frame capture beside `node -e 0` (and the executable's).
 *   7. a 4 GB capture (BENCH_BIG_GB) replayed by the CLI: time and peak RSS.
 *   8. the TUI on the same capture: first screen, fully indexed, scrolling at the end, a filter over every
 *      frame (headless, and the real binary in tmux), and the replay runner's memory on vm1's capture.
 * Env: BENCH_FRAMES (default 1000000), BENCH_FLOWS (default 100000), BENCH_DIR (default bench-out/).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { benchFlows } from "./bench/flows.js";
import { writeSyntheticCapture } from "./bench/synth-capture.js";

// The CLI as users run it (the start, big-capture and TUI measurements run bin/ovspath.js).
if (spawnSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" }).status !== 0)
  throw new Error("npm run build failed");

const FRAMES = Number(process.env.BENCH_FRAMES ?? 1_000_000);
const DIR = process.env.BENCH_DIR ?? "bench-out";
mkdirSync(DIR, { recursive: true });
const capture = join(DIR, `mixed-${FRAMES}.pcap`);
if (!existsSync(capture)) {
  const t = Date.now();
  writeSyntheticCapture(capture, FRAMES, 1);
  console.log(
    `generated ${capture} (${(statSync(capture).size / 1e6).toFixed(0)} MB) in ${Date.now() - t} ms`,
  );
}
const sizeMB = statSync(capture).size / 1e6;

interface Measure {
  mode: string;
  frames: number;
  bytes: number;
  seconds: number;
  maxRssMB: number;
}

function measure(mode: string): Measure {
  const res = spawnSync(process.execPath, ["--import", "tsx", "scripts/bench/measure.ts", mode, capture], {
    encoding: "utf8",
  });
  if (res.status !== 0) throw new Error(`measure ${mode} failed: ${res.stderr}`);
  return JSON.parse(res.stdout.trim().split("\n").pop() ?? "{}") as Measure;
}

function row(label: string, m: Measure): string {
  const fps = m.frames / m.seconds;
  return `${label.padEnd(34)} ${(fps / 1e6).toFixed(2).padStart(7)} M frames/s ${((sizeMB * m.frames) / FRAMES / m.seconds).toFixed(0).padStart(6)} MB/s  peak RSS ${m.maxRssMB.toFixed(0)} MB`;
}

console.log(`capture: ${FRAMES} frames, ${sizeMB.toFixed(0)} MB`);
const walk = measure("walk");
console.log(row("(a) record walking", walk));
const key = measure("flowkey");
console.log(row("(b) decode + OVS flow key", key));
const full = measure("full");
console.log(row("(b') full layer decode", full));

const tshark = spawnSync("tshark", ["--version"]);
if (tshark.status === 0) {
  const n = Math.min(FRAMES, 200_000);
  const t0 = process.hrtime.bigint();
  const res = spawnSync(
    "tshark",
    [
      "-r",
      capture,
      "-c",
      String(n),
      "-T",
      "fields",
      "-e",
      "frame.number",
      "-e",
      "eth.src",
      "-e",
      "ip.src",
      "-e",
      "ip.dst",
      "-e",
      "vxlan.vni",
      "-e",
      "gre.key",
      "-e",
      "tcp.dstport",
    ],
    { maxBuffer: 1 << 30, stdio: ["ignore", "ignore", "ignore"] },
  );
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (res.status === 0) {
    const fps = n / secs;
    console.log(
      `(c) tshark -T fields (${n} frames)`.padEnd(34),
      `${(fps / 1e6).toFixed(3).padStart(7)} M frames/s`,
    );
    console.log(`ratio (b) / (c): ${(key.frames / key.seconds / fps).toFixed(0)}x`);
  }
} else {
  console.log("(c) tshark not installed: no comparison");
}

const { benchStart } = await import("./bench/start.js");
benchStart(DIR);

await benchFlows(DIR, Number(process.env.BENCH_FLOWS ?? 100_000));

const { benchTrace } = await import("./bench/trace.js");
await benchTrace(DIR, Number(process.env.BENCH_FLOWS ?? 100_000));

const { benchReplay } = await import("./bench/replay.js");
benchReplay(DIR, Number(process.env.BENCH_REPLAY_FRAMES ?? 1_000_000));

const { benchBigReplay } = await import("./bench/replay-big.js");
await benchBigReplay(DIR, Number(process.env.BENCH_BIG_GB ?? 4));

const { benchTui } = await import("./bench/tui.js");
benchTui(capture, join(DIR, `replay-vm-${Number(process.env.BENCH_REPLAY_FRAMES ?? 1_000_000)}.pcap`));
