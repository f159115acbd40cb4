/**
 * The OVN half of `npm run bench`: `trace --ovn` in logical terms on the recorded OVN lab (its 37
 * ofproto/trace packets on hv1/hv2/hv3: translation, each step's cookie → logical flow → NB object,
 * the logical drop and its ACL near misses), in process, beside OVN's own `ovn-detrace` reading OVS's
 * recorded trace text against the same databases (the lab's clustered files turned standalone with
 * ovsdb-tool and served by two ovsdb-servers started here and stopped by their pid files).
 * Env: BENCH_OVN_ROUNDS (default 30 passes over the 37 traces).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { annotateTraceText, explainOvnDrop } from "../../src/ovn/explain.js";
import { formatTrace } from "../../src/pipeline/index.js";
import { OVN_LAB, ovnLab, traceRecorded } from "../../test/support/ovn-lab.js";
import { benchOvnBig } from "./ovn-big.js";

const TRACES = join(OVN_LAB, "traces");

function have(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

/** ovn-detrace over each recorded trace's text, against the lab's databases served live; ms per trace. */
function detraceMs(files: string[]): number | string {
  if (!["ovsdb-tool", "ovsdb-server", "ovn-detrace"].every(have))
    return "ovsdb-server/ovn-detrace not installed";
  const dir = mkdtempSync(join(tmpdir(), "ovspath-bench-ovn-"));
  const started: string[] = [];
  try {
    for (const db of ["nb", "sb"]) {
      const file = join(dir, `${db}.db`);
      const src = join(OVN_LAB, "central/var/lib/ovn", `ovn${db}_db.db`);
      if (spawnSync("ovsdb-tool", ["cluster-to-standalone", file, src]).status !== 0)
        return `ovsdb-tool failed on ${src}`;
      const r = spawnSync("ovsdb-server", [
        `--remote=punix:${join(dir, `${db}.sock`)}`,
        `--pidfile=${join(dir, `${db}.pid`)}`,
        `--unixctl=${join(dir, `${db}.ctl`)}`,
        `--log-file=${join(dir, `${db}.log`)}`,
        "--detach",
        file,
      ]);
      if (r.status !== 0) return `ovsdb-server failed: ${r.stderr}`;
      started.push(join(dir, `${db}.pid`));
    }
    const args = [`--ovnsb=unix:${join(dir, "sb.sock")}`, `--ovnnb=unix:${join(dir, "nb.sock")}`];
    const t0 = process.hrtime.bigint();
    for (const f of files) {
      const text = readFileSync(join(TRACES, f), "utf8").split("\n").slice(1).join("\n");
      if (spawnSync("ovn-detrace", args, { input: text }).status !== 0) return `ovn-detrace failed on ${f}`;
    }
    return Number(process.hrtime.bigint() - t0) / 1e6 / files.length;
  } finally {
    for (const pidFile of started)
      if (existsSync(pidFile)) spawnSync("kill", [readFileSync(pidFile, "utf8").trim()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchOvn(): Promise<void> {
  const rounds = Number(process.env.BENCH_OVN_ROUNDS ?? 30);
  const t0 = process.hrtime.bigint();
  const lab = await ovnLab();
  const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const files = readdirSync(TRACES)
    .filter((f) => /^\d+-\w+\.txt$/.test(f))
    .sort();
  const cases = files.map((f) => ({ f, host: /-(\w+)\.txt$/.exec(f)?.[1] ?? "" }));
  let lines = 0;
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++)
    for (const c of cases) {
      const r = traceRecorded(lab, c.f, c.host);
      lines += annotateTraceText(formatTrace(r), lab.index).length;
      if (r.verdict === "drop") explainOvnDrop(r, lab.index);
    }
  const secs = Number(process.hrtime.bigint() - t1) / 1e9;
  if (lines === 0) throw new Error("nothing traced");
  console.log(
    `\n== OVN (fixtures/ovn-lab: central + 3 chassis, ${lab.index.model.logicalFlows.length} logical flows)`,
  );
  console.log(`load of the 4 sosreports + OVN model and cookie index: ${loadMs.toFixed(0)} ms`);
  console.log(
    `trace --ovn in process: ${((rounds * cases.length) / secs).toFixed(0)} traces/s (${((secs * 1000) / (rounds * cases.length)).toFixed(2)} ms each, translation + logical annotation + drop/near misses)`,
  );
  const d = detraceMs(files);
  if (typeof d === "number")
    console.log(
      `ovn-detrace on OVS's recorded trace text, live ovsdb-servers: ${d.toFixed(0)} ms per trace (${((d * (rounds * cases.length)) / 1000 / secs).toFixed(0)}x ovspath's time)`,
    );
  else console.log(`ovn-detrace: skipped (${d})`);
  await benchOvnBig();
}
