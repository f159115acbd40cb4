/**
 * The flow-loading half of `npm run bench`: a 100,000-flow dump through ovspath's host loader (parse
 * match and actions of every flow into the model), beside `ovs-ofctl -O OpenFlow13 parse-flows` on the
 * same flows (OVS's own parser, what a user would script instead).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { loadHosts } from "../../src/dumps/host/load.js";
import { buildClassifier } from "../../src/pipeline/classifier.js";
import { writeSyntheticFlows } from "./synth-flows.js";

/** CPU seconds (user + sys) this process has used: the machine is shared, wall time moves with load. */
function cpuSecs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * CPU seconds (user + sys) of this process's finished children (cutime + cstime of /proc/self/stat, in
 * clock ticks of 1/100 s), or undefined where there is no /proc.
 */
function childCpuSecs(): number | undefined {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    // Fields after the parenthesised command name; cutime and cstime are fields 16 and 17.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return undefined;
  }
}

const seconds = (wall: number, cpu: number) =>
  `${cpu.toFixed(2).padStart(7)} s CPU (${wall.toFixed(2)} s wall)`;

export async function benchFlows(dir: string, n: number): Promise<void> {
  const host = join(dir, `flows-${n}`);
  mkdirSync(join(host, "sos_commands/openvswitch"), { recursive: true });
  const dump = join(host, "sos_commands/openvswitch/ovs-ofctl_-O_OpenFlow13_dump-flows_br-int");
  const addFlows = join(dir, `flows-${n}.txt`);
  writeSyntheticFlows(dump, addFlows, n);
  const t0 = process.hrtime.bigint();
  const c0 = cpuSecs();
  const [h] = await loadHosts(host);
  const secs = cpuSecs() - c0;
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const loaded = h.bridges[0]?.flows?.value.flows.length ?? 0;
  if (loaded !== n || h.diagnostics.length > 0)
    throw new Error(`loaded ${loaded} of ${n} flows, ${h.diagnostics.length} diagnostics`);
  const mb = statSync(dump).size / 1e6;
  const rssLoaded = process.memoryUsage().rss / 1e6;
  console.log(
    `(d) load a ${n}-flow dump (${mb.toFixed(0)} MB)`.padEnd(34),
    `${seconds(wall, secs)} = ${((secs / n) * 10_000 * 1000).toFixed(0)} ms CPU per 10k flows; RSS ${rssLoaded.toFixed(0)} MB after`,
  );
  // Classifier lookups over the same 100k flows: keys built from the flows' own values, so each hits.
  const bridge = h.bridges[0];
  const t2 = process.hrtime.bigint();
  const c2 = cpuSecs();
  const cls = buildClassifier(bridge.flows?.value.flows ?? [], () => undefined);
  const buildCpu = cpuSecs() - c2;
  const buildSecs = Number(process.hrtime.bigint() - t2) / 1e9;
  const rssBuilt = process.memoryUsage().rss / 1e6;
  const entries = [...cls.tables.entries()].flatMap(([table, t]) =>
    t.flows().map((f) => ({ table, key: f.match.value })),
  );
  const lookups = 200_000;
  let probes = 0;
  const t3 = process.hrtime.bigint();
  const c3 = cpuSecs();
  for (let i = 0; i < lookups; i++) {
    const e = entries[(i * 7919) % entries.length];
    probes += cls.tables.get(e.table)?.lookup(e.key)?.probes ?? 0;
  }
  const lookSecs = cpuSecs() - c3;
  const lookWall = Number(process.hrtime.bigint() - t3) / 1e9;
  console.log(
    `(f) classifier over ${n} flows`.padEnd(34),
    `built in ${seconds(buildSecs, buildCpu).trim()} (RSS ${signedMB(rssBuilt - rssLoaded)}); ${(lookups / lookSecs / 1e6).toFixed(2)} M lookups/s of CPU (${(lookups / lookWall / 1e6).toFixed(2)} M/s wall), ${(probes / lookups).toFixed(1)} subtables probed per lookup`,
  );
  const ofctl = spawnSync("ovs-ofctl", ["--version"]);
  if (ofctl.status !== 0) {
    console.log("(e) ovs-ofctl not installed: no comparison");
    return;
  }
  const t1 = process.hrtime.bigint();
  const k1 = childCpuSecs();
  const res = spawnSync("ovs-ofctl", ["-O", "OpenFlow13", "parse-flows", addFlows], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const oWall = Number(process.hrtime.bigint() - t1) / 1e9;
  const k2 = childCpuSecs();
  // Without /proc, the comparison falls back to wall time on both sides.
  const oSecs = k1 !== undefined && k2 !== undefined ? k2 - k1 : oWall;
  const dSecs = k1 !== undefined && k2 !== undefined ? secs : wall;
  if (res.status !== 0) {
    console.log(`(e) ovs-ofctl parse-flows failed: ${res.stderr.toString().split("\n")[0]}`);
    return;
  }
  console.log(`(e) ovs-ofctl parse-flows, same flows`.padEnd(34), seconds(oWall, oSecs));
  console.log(`ratio (e) / (d): ${(oSecs / dSecs).toFixed(2)}x`);
}

/** A change of RSS with its sign (a collection during the build can leave the process smaller). */
function signedMB(mb: number): string {
  return `${mb < 0 ? "-" : "+"}${Math.abs(mb).toFixed(0)} MB`;
}
