/**
 * The trace half of `npm run bench`: traces/s of ovspath's ofproto/trace model (in process, on loaded
 * dumps) through the Neutron lab's compute1 pipeline (its recorded trace flows: VM → tunnel, ARP, the
 * anti-spoofing drops...) and through the 100,000-flow table of flows.ts (packets spread over the
 * flows), beside scripted `ovs-appctl ofproto/trace` on the same 100k flows loaded into a sandbox OVS.
 * Env: BENCH_TRACES (default 20000 in-process traces per table; OVS gets a tenth, at most 2000).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadHosts } from "../../src/dumps/host/load.js";
import { parseTraceFlow, switchesOf, trace } from "../../src/pipeline/index.js";
import type { SimHost } from "../../src/pipeline/switch.js";
import { OvsSandbox, ovsMissingReason } from "../../test/support/ovs-sandbox.js";
import { readRecordedTrace } from "../../test/support/ovs-trace.js";

interface Case {
  bridge: string;
  flow: string;
}

function tracesPerSecond(sw: SimHost, cases: Case[], n: number): number {
  const parsed = cases.flatMap((c) => {
    const p = parseTraceFlow(c.flow, (name) => sw.bridges.get(c.bridge)?.byName.get(name)?.ofport);
    return p.ok ? [{ bridge: c.bridge, flow: p.flow }] : [];
  });
  if (parsed.length === 0) throw new Error("no usable trace flows");
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const c = parsed[i % parsed.length];
    sink += trace({ host: sw, bridge: c.bridge, flow: c.flow, withPacket: false, ctNext: [] }).passes.length;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (sink === 0) throw new Error("no passes");
  return n / secs;
}

function labCases(host: string): Case[] {
  const dir = join(host, "traces");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".txt"))
    .sort()
    .map((f) => readRecordedTrace(readFileSync(join(dir, f), "utf8")))
    .filter((t) => !t.rejected && !t.packet && t.ctNext.length === 0)
    .map((t) => ({ bridge: t.bridge, flow: t.flow }));
}

/** Packets aimed at the 100k table's table-0 rules (in_port + dl_src), spread over the whole table. */
function synthCases(addFlows: string, limit: number): Case[] {
  const out: Case[] = [];
  for (const line of readFileSync(addFlows, "utf8").split("\n")) {
    const m = /^table=0,.*?in_port=(\d+),dl_src=([0-9a-f:]+)/.exec(line);
    if (m)
      out.push({ bridge: "br-int", flow: `tcp,in_port=${m[1]},dl_src=${m[2]},nw_src=10.0.0.1,tcp_dst=22` });
  }
  const step = Math.max(1, Math.floor(out.length / limit));
  return out.filter((_, i) => i % step === 0).slice(0, limit);
}

export async function benchTrace(dir: string, nFlows: number): Promise<void> {
  const n = Number(process.env.BENCH_TRACES ?? 20_000);
  const lab = ["fixtures/demo/hosts/compute1", "../shared/ovs-lab/neutron-lab/compute1"].find((d) =>
    existsSync(join(d, "traces")),
  );
  if (lab) {
    const [sw] = switchesOf(await loadHosts(lab));
    const cases = labCases(lab);
    const rate = tracesPerSecond(sw, cases, n);
    console.log(
      `(g) trace, Neutron lab ${lab} (${cases.length} flows)`.padEnd(34),
      `${Math.round(rate).toLocaleString("en")} traces/s (${((1 / rate) * 1e6).toFixed(0)} µs each)`,
    );
  } else console.log("(g) no Neutron lab host with traces/ found: skipped");

  const host = join(dir, `flows-${nFlows}`);
  const addFlows = join(dir, `flows-${nFlows}.txt`);
  if (!existsSync(host) || !existsSync(addFlows)) {
    console.log(`(h) ${host} missing (run the flow bench first): skipped`);
    return;
  }
  const [sw] = switchesOf(await loadHosts(host));
  const cases = synthCases(addFlows, 5000);
  const rate = tracesPerSecond(sw, cases, n);
  console.log(
    `(h) trace, ${nFlows}-flow table (${cases.length} packets)`.padEnd(34),
    `${Math.round(rate).toLocaleString("en")} traces/s (${((1 / rate) * 1e6).toFixed(0)} µs each)`,
  );

  const missing = ovsMissingReason();
  if (missing) {
    console.log(`(i) ovs-appctl ofproto/trace: not measured, ${missing}`);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), "ovspath-bench-"));
  const sb = new OvsSandbox(join(work, "ovs"));
  try {
    sb.start();
    sb.must("ovs-vsctl", [
      "add-br",
      "br-int",
      "--",
      "set",
      "bridge",
      "br-int",
      "datapath_type=dummy",
      "fail_mode=secure",
      "protocols=OpenFlow10,OpenFlow13",
    ]);
    const t0 = process.hrtime.bigint();
    sb.must("ovs-ofctl", ["-O", "OpenFlow13", "add-flows", "br-int", addFlows]);
    const loadSecs = Number(process.hrtime.bigint() - t0) / 1e9;
    const m = Math.min(2000, Math.max(50, Math.floor(n / 10)));
    const t1 = process.hrtime.bigint();
    for (let i = 0; i < m; i++) {
      const c = cases[i % cases.length];
      const r = sb.run("ovs-appctl", ["ofproto/trace", c.bridge, c.flow]);
      if (r.status !== 0) throw new Error(`ofproto/trace failed: ${r.stderr}`);
    }
    const oRate = m / (Number(process.hrtime.bigint() - t1) / 1e9);
    console.log(
      `(i) ovs-appctl ofproto/trace (${m} calls)`.padEnd(34),
      `${Math.round(oRate).toLocaleString("en")} traces/s (${((1 / oRate) * 1e3).toFixed(1)} ms each; add-flows took ${loadSecs.toFixed(1)} s)`,
    );
    console.log(`ratio (h) / (i): ${(rate / oRate).toFixed(0)}x`);
  } finally {
    sb.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
