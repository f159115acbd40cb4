/**
 * TUI benchmark (issue 6), headless: the app rendered by Ink into a fake terminal (ink-testing-library,
 * 120×40), each measurement in its own process.
 *   (t1) time to first screen: open the capture, index the first slice, render the first frame;
 *   (t2) fully indexed: the whole file indexed in the background while the app stays live (with the
 *        worst event-loop delay meanwhile: how long a key could wait);
 *   (t3) a scroll step at the end of the list: G, then j/k and PgUp/PgDn, each key to its rendered frame;
 *   (t4) a display filter over every frame (background scan), and the rows it renders;
 *   (t5) the replay runner over vm1's capture with the demo host: time and memory of per-frame verdicts.
 *   (t0) and, when tmux is installed, the real binary (`node bin/ovspath.js tui CAPTURE`, 120×40): from
 *        the start of the process to the first screen and to "N frames" (indexed) on tmux's screen.
 * Targets: first screen ≤ 1 s, indexed ≤ 3 s, no lag when scrolling. The machine's load average is
 * printed with the figures: on a shared machine they grow with it.
 *
 *   tsx scripts/bench/tui.ts CAPTURE [REPLAY_CAPTURE]     (or benchTui from scripts/bench.ts)
 */

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { peakRssMB } from "./peak-rss.js";

interface TuiMeasure {
  frames: number;
  firstScreenMs: number;
  indexedMs: number;
  /** CPU time (user + system) of this process for the same spans: what the load of a shared machine does not inflate. */
  firstScreenCpuMs: number;
  indexedCpuMs: number;
  maxLoopDelayMs: number;
  renders: number;
  scroll: { keys: number; medianMs: number; p99Ms: number; maxMs: number; endJumpMs: number };
  filter: { text: string; matches: number; ms: number };
  maxRssMB: number;
}

interface ReplayMeasure {
  frames: number;
  seconds: number;
  heapMB: number;
  maxRssMB: number;
  drops: number;
}

const ms = (t0: number) => performance.now() - t0;
const sleep = (n: number) => new Promise((r) => setTimeout(r, n));

async function measureTui(capture: string): Promise<TuiMeasure> {
  const t0 = performance.now();
  const { createElement } = await import("react");
  const { render } = await import("ink-testing-library");
  const { App } = await import("../../src/tui/app.js");
  const { openTuiData } = await import("../../src/tui/run.js");
  const tImported = ms(t0);
  const tOpen = performance.now();
  const cpu0 = process.cpuUsage();
  const cpuMs = () => {
    const c = process.cpuUsage(cpu0);
    return (c.user + c.system) / 1000;
  };
  const data = openTuiData({ capture, hosts: [], switches: [], title: "bench" });
  if (typeof data === "string") throw new Error(data);
  let bg: import("../../src/tui/data/background.js").Background | undefined;
  const r = render(
    createElement(App, {
      data,
      theme: { color: false },
      size: { columns: 120, rows: 40 },
      onBackground: (b) => {
        bg = b;
      },
    }),
  );
  // ink-testing-library renders in debug mode: the first frame is written by render() itself.
  if (!(r.lastFrame() ?? "").includes("bench")) throw new Error("no first frame");
  const firstScreenMs = ms(tOpen);
  const firstScreenCpuMs = cpuMs();
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  while (!bg) await sleep(1);
  await bg.idle();
  const indexedMs = ms(tOpen);
  const indexedCpuMs = cpuMs();
  loop.disable();
  const source = data.source;
  if (!source?.indexed) throw new Error("not indexed");

  /** Sends a key and waits for the frame it causes: the time a user waits. */
  const key = async (k: string): Promise<number> => {
    const before = r.frames.length;
    const t = performance.now();
    r.stdin.write(k);
    while (r.frames.length === before) await new Promise((res) => setImmediate(res));
    return ms(t);
  };
  const endJumpMs = await key("G");
  const status = () => (r.lastFrame() ?? "").split("\n").at(-1) ?? "";
  if (!status().includes(`frame ${source.count} `))
    throw new Error(`G did not reach the last frame: ${status()}`);
  const times: number[] = [];
  const keys = ["k", "k", "j", "\u001b[5~", "\u001b[6~", "k", "j", "j"];
  for (let i = 0; i < 400; i++) times.push(await key(keys[i % keys.length]));
  times.sort((a, b) => a - b);

  const filterText = "vxlan.vni == 101 && udp.dstport == 7000";
  const tf = performance.now();
  await key("/");
  r.stdin.write(filterText);
  await key("\r");
  await bg.idle();
  const filterMs = ms(tf);
  const m = /\((\d[\d,]*)\)/.exec((r.lastFrame() ?? "").split("\n")[0] ?? "");
  const renders = r.frames.length;
  r.unmount();
  void tImported;
  return {
    frames: source.count,
    firstScreenMs,
    indexedMs,
    firstScreenCpuMs,
    indexedCpuMs,
    maxLoopDelayMs: loop.max / 1e6,
    renders,
    scroll: {
      keys: times.length,
      medianMs: times[Math.floor(times.length / 2)],
      p99Ms: times[Math.floor(times.length * 0.99)],
      maxMs: times[times.length - 1],
      endJumpMs,
    },
    filter: { text: filterText, matches: Number((m?.[1] ?? "0").replace(/,/g, "")), ms: filterMs },
    maxRssMB: peakRssMB(),
  };
}

async function measureReplay(capture: string): Promise<ReplayMeasure> {
  const { loadHosts } = await import("../../src/dumps/host/load.js");
  const { switchesOf } = await import("../../src/pipeline/index.js");
  const { resolveAt } = await import("../../src/pipeline/ingress.js");
  const { ReplayRunner } = await import("../../src/tui/data/replay-runner.js");
  const switches = switchesOf(await loadHosts("fixtures/demo/hosts/compute1"));
  const at = resolveAt(switches, "compute1:qvo8c2d4e6f-1a");
  if (typeof at === "string") throw new Error(at);
  const r = ReplayRunner.open(capture, switches, { at });
  if (!r.ok) throw new Error(r.error.message);
  const t0 = performance.now();
  while (!r.value.step(20)) {
    // The TUI yields between slices; here nothing else runs.
  }
  const seconds = ms(t0) / 1000;
  globalThis.gc?.();
  return {
    frames: r.value.count,
    seconds,
    heapMB: process.memoryUsage().heapUsed / 1e6,
    maxRssMB: peakRssMB(),
    drops: r.value.drops().reduce((n, g) => n + g.frames.length, 0),
  };
}

function child<T>(mode: string, capture: string): T {
  const self = fileURLToPath(import.meta.url);
  // NODE_ENV=production as in the bundle (scripts/build.mjs): React's development build is much slower.
  const res = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", self, mode, capture], {
    encoding: "utf8",
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (res.status !== 0) throw new Error(`tui bench ${mode} failed: ${res.stderr}`);
  return JSON.parse(res.stdout.trim().split("\n").pop() ?? "{}") as T;
}

/** The real binary in tmux: milliseconds to the first screen and to the end of indexing. */
function measureBinary(capture: string): { firstMs: number; indexedMs: number } | undefined {
  if (spawnSync("tmux", ["-V"]).status !== 0) return undefined;
  const socket = `ovspath-bench-${process.pid}`;
  const tmux = (...args: string[]) =>
    spawnSync("tmux", ["-L", socket, "-f", "/dev/null", ...args], { encoding: "utf8" }).stdout ?? "";
  const bin = fileURLToPath(new URL("../../bin/ovspath.js", import.meta.url));
  try {
    const t0 = performance.now();
    tmux("new-session", "-d", "-s", "b", "-x", "120", "-y", "40", process.execPath, bin, "tui", capture);
    let firstMs = 0;
    while (ms(t0) < 60_000) {
      const screen = tmux("capture-pane", "-p", "-t", "b");
      if (!firstMs && screen.includes("No.")) firstMs = ms(t0);
      if (/ovspath {2}\S+ {2}[\d,]+ frames/.test(screen)) return { firstMs, indexedMs: ms(t0) };
    }
    return undefined;
  } finally {
    tmux("send-keys", "-t", "b", "q");
    tmux("kill-server");
  }
}

/** Runs the TUI measurements on `capture` (and the replay memory on `replayCapture` when it exists). */
export function benchTui(capture: string, replayCapture?: string): void {
  const m = child<TuiMeasure>("tui", capture);
  const f = (n: number) => n.toFixed(1);
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  console.log(
    `tui: ${m.frames.toLocaleString("en-US")} frames (load average ${load} on ${availableParallelism()} cores)`,
  );
  const b = measureBinary(capture);
  if (b)
    console.log(
      `  (t0) bin/ovspath.js tui in tmux  ${f(b.firstMs).padStart(8)} ms to the first screen, ${f(b.indexedMs)} ms to fully indexed (process start included)`,
    );
  else console.log("  (t0) tmux not installed: the real binary is not measured");
  console.log("  headless (Ink into a fake 120×40 terminal), from opening the capture:");
  console.log(
    `  (t1) first screen               ${f(m.firstScreenMs).padStart(8)} ms   (target ≤ 1000; ${f(m.firstScreenCpuMs)} ms of CPU)`,
  );
  console.log(
    `  (t2) fully indexed              ${f(m.indexedMs).padStart(8)} ms   (target ≤ 3000; ${f(m.indexedCpuMs)} ms of CPU; worst event-loop delay meanwhile ${f(m.maxLoopDelayMs)} ms)`,
  );
  console.log(
    `  (t3) scroll at the end          ${f(m.scroll.medianMs).padStart(8)} ms median key → frame, p99 ${f(m.scroll.p99Ms)} ms, max ${f(m.scroll.maxMs)} ms over ${m.scroll.keys} keys; G ${f(m.scroll.endJumpMs)} ms`,
  );
  console.log(
    `  (t4) filter "${m.filter.text}" over every frame: ${f(m.filter.ms)} ms, ${m.filter.matches.toLocaleString("en-US")} matches`,
  );
  console.log(`  peak RSS ${m.maxRssMB.toFixed(0)} MB`);
  if (replayCapture && existsSync(replayCapture)) {
    const r = child<ReplayMeasure>("replay", replayCapture);
    console.log(
      `  (t5) replay runner, ${r.frames.toLocaleString("en-US")} frames of vm1 through compute1: ${r.seconds.toFixed(2)} s, heap after ${r.heapMB.toFixed(0)} MB, peak RSS ${r.maxRssMB.toFixed(0)} MB (${r.drops} drops kept)`,
    );
  }
}

const [mode, file] = process.argv.slice(2);
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && mode) {
  if (mode === "tui" && file) console.log(JSON.stringify(await measureTui(file)));
  else if (mode === "replay" && file) console.log(JSON.stringify(await measureReplay(file)));
  else benchTui(mode, file);
}
