/**
 * The big OVN chassis of the bench (bench-out/ovn-big, recorded from real OVN by
 * scripts/record-ovn-big.sh: ~50,000 OpenFlow flows on hv1's br-int): loading its sosreports with the
 * OVN model, `trace --ovn` on each recorded ofproto/trace (translation, each step's logical flow and
 * NB object, the logical drop), replay of vm1a's frames (with and without the megaflow cache), beside
 * the scripted `ovs-appctl ofproto/trace` and `ovn-detrace` the recorder timed on the live lab
 * (traces/TIMING.tsv). Each ovspath trace is checked against OVS's: the same OpenFlow steps, and the
 * same Datapath actions by meaning (../shared/ovs-lab/dp-actions-equal, when there).
 * Without the recording, its packed copy in fixtures/ovn-big serves (the same dumps, traces and timings).
 * Env: BENCH_OVN_BIG (the directory), BENCH_OVN_BIG_ROUNDS (passes over the traces, default 5),
 * BENCH_OVN_BIG_FRAMES (frames replayed per mode, default 3000). Times are CPU times of this process.
 * Run alone: npx tsx scripts/bench/ovn-big.ts
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openCapture } from "../../src/capture/index.js";
import { Replayer } from "../../src/explain/replay.js";
import { ovnTraceText } from "../../src/ovn/trace-view.js";
import { formatTrace } from "../../src/pipeline/index.js";
import { resolveAt } from "../../src/pipeline/ingress.js";
import { loadOvnLab, type OvnLab, traceRecorded } from "../../test/support/ovn-lab.js";
import { readRecordedTrace, traceSteps } from "../../test/support/ovs-trace.js";

const DP_ACTIONS_EQUAL = "../shared/ovs-lab/dp-actions-equal";

/** CPU milliseconds (user + system) that `f` took in this process. */
function cpuMs<T>(f: () => T): { ms: number; value: T } {
  const c0 = process.cpuUsage();
  const value = f();
  const c = process.cpuUsage(c0);
  return { ms: (c.user + c.system) / 1000, value };
}

/** How many of the lab's traces ovspath gives as OVS did: steps, and Datapath actions by meaning. */
function agreement(lab: OvnLab, files: string[]): { steps: number; actions: number | string } {
  const dir = mkdtempSync(join(tmpdir(), "ovspath-bench-ovn-big-"));
  let steps = 0;
  let actions = 0;
  const canCompare = existsSync(DP_ACTIONS_EQUAL);
  try {
    for (const f of files) {
      const text = formatTrace(traceRecorded(lab, f));
      const want = readRecordedTrace(readFileSync(join(lab.traces, f), "utf8")).output;
      if (JSON.stringify(traceSteps(text)) === JSON.stringify(traceSteps(want))) steps++;
      if (!canCompare) continue;
      writeFileSync(join(dir, "want"), want);
      writeFileSync(join(dir, "got"), text);
      if (spawnSync(DP_ACTIONS_EQUAL, [join(dir, "want"), join(dir, "got")]).status === 0) actions++;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { steps, actions: canCompare ? actions : `${DP_ACTIONS_EQUAL} not found` };
}

/**
 * Frames per CPU second replaying `frames` (repeated to `n`) from hv1:vm1a, with or without the cache,
 * and how many frames the cache answered.
 */
function replayRate(
  lab: OvnLab,
  frames: Uint8Array[],
  n: number,
  cache: boolean,
): { rate: number; hits: number } {
  const at = resolveAt(lab.switches, "hv1:vm1a");
  if (typeof at === "string") throw new Error(at);
  const replayer = new Replayer(lab.switches, { at, cache, firewalls: new Map() });
  const meta = { linkType: 1, wireLength: 0 };
  const { ms } = cpuMs(() => {
    for (let i = 0; i < n; i++) {
      const data = frames[i % frames.length];
      meta.wireLength = data.length;
      replayer.replayFrame(i + 1, data, meta);
    }
  });
  return { rate: (n * 1000) / ms, hits: replayer.stats.cacheHits };
}

function readFrames(file: string): Uint8Array[] {
  const opened = openCapture(file);
  if (!opened.ok) throw new Error(opened.error.message);
  const out: Uint8Array[] = [];
  for (let r = opened.value.next(); r; r = opened.value.next())
    out.push(r.bytes.slice(r.offset, r.offset + r.caplen));
  opened.value.close();
  return out;
}

/** The recorder's timings: mean ms of the scripted ofproto/trace and of ovn-detrace per trace. */
function ovsTimings(dir: string): { trace: number; detrace: number; n: number } | undefined {
  const file = join(dir, "traces", "TIMING.tsv");
  if (!existsSync(file)) return undefined;
  const rows = readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split("\t").map(Number));
  const mean = (i: number) => rows.reduce((s, r) => s + r[i], 0) / rows.length;
  return { trace: mean(1), detrace: mean(2), n: rows.length };
}

/**
 * Where the big chassis is: a recording (BENCH_OVN_BIG, default bench-out/ovn-big: hosts as
 * directories) or, without one, its packed copy in fixtures/ovn-big (the hosts as one archive).
 */
function bigLab(): { hosts: string; dir: string } | undefined {
  const dir = process.env.BENCH_OVN_BIG ?? "bench-out/ovn-big";
  if (existsSync(dir)) return { hosts: dir, dir };
  const packed = "fixtures/ovn-big";
  return existsSync(packed) ? { hosts: join(packed, "hosts.tar.xz"), dir: packed } : undefined;
}

export async function benchOvnBig(): Promise<void> {
  const where = bigLab();
  if (!where) {
    console.log("\n== big OVN chassis: skipped (no bench-out/ovn-big or fixtures/ovn-big)");
    return;
  }
  const { hosts, dir } = where;
  const rounds = Number(process.env.BENCH_OVN_BIG_ROUNDS ?? 5);
  const nFrames = Number(process.env.BENCH_OVN_BIG_FRAMES ?? 3000);
  const c0 = process.cpuUsage();
  const lab = await loadOvnLab(hosts, join(dir, "traces"));
  const c1 = process.cpuUsage(c0);
  const loadMs = (c1.user + c1.system) / 1000;
  const flows = lab.hosts
    .find((h) => h.name === "hv1")
    ?.dumps.flows.filter((d) => d.bridge === "br-int")
    .reduce((n, d) => Math.max(n, d.value.flows.length), 0);
  const files = readdirSync(lab.traces)
    .filter((f) => /^\d+-\w+\.txt$/.test(f))
    .sort();
  const { ms: traceMs } = cpuMs(() => {
    for (let i = 0; i < rounds; i++)
      for (const f of files) {
        const r = traceRecorded(lab, f);
        ovnTraceText(formatTrace(r), r, lab.index, lab.hosts);
      }
  });
  const each = traceMs / (rounds * files.length);
  const agree = agreement(lab, files);
  const capture = [join(dir, "captures", "hv1-vm1a-rx.pcap"), join(dir, "hv1-vm1a-rx.pcap")].find(existsSync);
  if (!capture) throw new Error(`${dir}: no hv1-vm1a-rx.pcap`);
  const frames = readFrames(capture);
  // A first pass warms the JIT up, so that neither measured mode pays for it.
  replayRate(lab, frames, Math.min(300, nFrames), false);
  const cached = replayRate(lab, frames, nFrames, true);
  const uncached = replayRate(lab, frames, nFrames, false);
  const ovs = ovsTimings(dir);
  console.log(
    `\n== big OVN chassis (${dir}: hv1 br-int ${flows} flows, ${lab.index.model.logicalFlows.length} logical flows)`,
  );
  console.log(
    `load of the ${lab.hosts.length} sosreports + OVN model and cookie index: ${loadMs.toFixed(0)} ms CPU`,
  );
  console.log(`trace --ovn in process: ${each.toFixed(1)} ms CPU each (${files.length} traces x ${rounds})`);
  console.log(
    `agreement with OVS: ${agree.steps}/${files.length} traces with OVS's steps; Datapath actions by meaning: ${typeof agree.actions === "number" ? `${agree.actions}/${files.length}` : agree.actions}`,
  );
  console.log(
    `replay of vm1a's ${frames.length} frames, ${nFrames} times: ${cached.rate.toFixed(0)} frames/s CPU with the cache (${cached.hits} answered by it), ${uncached.rate.toFixed(0)} without`,
  );
  if (ovs)
    console.log(
      `scripted on the live lab (wall clock, ${ovs.n} traces): ovs-appctl ofproto/trace ${ovs.trace.toFixed(0)} ms, ovn-detrace ${ovs.detrace.toFixed(0)} ms per trace: ${((ovs.trace + ovs.detrace) / each).toFixed(0)}x trace --ovn`,
    );
}

if (import.meta.url === `file://${process.argv[1]}`) await benchOvnBig();
