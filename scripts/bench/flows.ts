/**
 * The flow-loading half of `npm run bench`: a 100,000-flow dump through ovspath's host loader (parse
 * match and actions of every flow into the model), beside `ovs-ofctl -O OpenFlow13 parse-flows` on the
 * same flows (OVS's own parser, what a user would script instead).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { loadHosts } from "../../src/dumps/host/load.js";
import { buildClassifier } from "../../src/pipeline/classifier.js";
import { writeSyntheticFlows } from "./synth-flows.js";

export async function benchFlows(dir: string, n: number): Promise<void> {
  const host = join(dir, `flows-${n}`);
  mkdirSync(join(host, "sos_commands/openvswitch"), { recursive: true });
  const dump = join(host, "sos_commands/openvswitch/ovs-ofctl_-O_OpenFlow13_dump-flows_br-int");
  const addFlows = join(dir, `flows-${n}.txt`);
  writeSyntheticFlows(dump, addFlows, n);
  const t0 = process.hrtime.bigint();
  const [h] = await loadHosts(host);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const loaded = h.bridges[0]?.flows?.value.flows.length ?? 0;
  if (loaded !== n || h.diagnostics.length > 0)
    throw new Error(`loaded ${loaded} of ${n} flows, ${h.diagnostics.length} diagnostics`);
  const mb = statSync(dump).size / 1e6;
  console.log(
    `(d) load a ${n}-flow dump (${mb.toFixed(0)} MB)`.padEnd(34),
    `${secs.toFixed(2).padStart(7)} s  = ${((secs / n) * 10_000 * 1000).toFixed(0)} ms per 10k flows`,
  );
  // Classifier lookups over the same 100k flows: keys built from the flows' own values, so each hits.
  const bridge = h.bridges[0];
  const t2 = process.hrtime.bigint();
  const cls = buildClassifier(bridge.flows?.value.flows ?? [], () => undefined);
  const buildSecs = Number(process.hrtime.bigint() - t2) / 1e9;
  const entries = [...cls.tables.entries()].flatMap(([table, t]) =>
    t.flows().map((f) => ({ table, key: f.match.value })),
  );
  const lookups = 200_000;
  let probes = 0;
  const t3 = process.hrtime.bigint();
  for (let i = 0; i < lookups; i++) {
    const e = entries[(i * 7919) % entries.length];
    probes += cls.tables.get(e.table)?.lookup(e.key)?.probes ?? 0;
  }
  const lookSecs = Number(process.hrtime.bigint() - t3) / 1e9;
  console.log(
    `(f) classifier over ${n} flows`.padEnd(34),
    `built in ${buildSecs.toFixed(2)} s; ${(lookups / lookSecs / 1e6).toFixed(2)} M lookups/s, ${(probes / lookups).toFixed(1)} subtables probed per lookup`,
  );
  const ofctl = spawnSync("ovs-ofctl", ["--version"]);
  if (ofctl.status !== 0) {
    console.log("(e) ovs-ofctl not installed: no comparison");
    return;
  }
  const t1 = process.hrtime.bigint();
  const res = spawnSync("ovs-ofctl", ["-O", "OpenFlow13", "parse-flows", addFlows], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const oSecs = Number(process.hrtime.bigint() - t1) / 1e9;
  if (res.status !== 0) {
    console.log(`(e) ovs-ofctl parse-flows failed: ${res.stderr.toString().split("\n")[0]}`);
    return;
  }
  console.log(`(e) ovs-ofctl parse-flows, same flows`.padEnd(34), `${oSecs.toFixed(2).padStart(7)} s`);
  console.log(`ratio (e) / (d): ${(oSecs / secs).toFixed(1)}x`);
}
