/**
 * CLI start: `ovspath decode` of a one-frame capture, as a user runs it (a new process: the launcher,
 * the bundle's main chunk and the decode verb's chunks), beside `node -e 0` on the same machine, run in
 * turns so both see the same load. The target: within 70 ms of Node's own start. The standalone
 * executable (dist-exe/ovspath, when built) is measured the same way.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { writeSyntheticCapture } from "./synth-capture.js";

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Wall time of one run of the command, in ms (its output read and dropped). */
function wallMs(cmd: string, args: string[]): number {
  const t0 = process.hrtime.bigint();
  const res = spawnSync(cmd, args, { stdio: ["ignore", "ignore", "inherit"] });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${res.status}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export function benchStart(dir: string, runs = 21): void {
  const capture = join(dir, "one-frame.pcap");
  if (!existsSync(capture)) writeSyntheticCapture(capture, 1, 1);
  const commands: Array<[string, string, string[]]> = [
    ["node -e 0", process.execPath, ["-e", "0"]],
    ["ovspath decode (npm bundle)", process.execPath, ["bin/ovspath.js", "decode", capture]],
  ];
  if (existsSync("dist-exe/ovspath"))
    commands.push(["ovspath decode (executable)", "dist-exe/ovspath", ["decode", capture]]);
  const times = commands.map(() => [] as number[]);
  for (const [, cmd, args] of commands) wallMs(cmd, args); // warm-up: the page cache, not the figures
  for (let r = 0; r < runs; r++)
    for (const [i, [, cmd, args]] of commands.entries()) times[i].push(wallMs(cmd, args));
  const base = median(times[0]);
  console.log(`CLI start, one-frame capture (median of ${runs} runs in turn):`);
  commands.forEach(([label], i) => {
    const m = median(times[i]);
    const over = i === 0 ? "" : `  ${(m - base).toFixed(0).padStart(4)} ms over node -e 0 (target ≤ 70 ms)`;
    console.log(`  ${label.padEnd(30)} ${m.toFixed(0).padStart(5)} ms${over}`);
  });
}

if (import.meta.url === `file://${process.argv[1]}`) benchStart(process.env.BENCH_DIR ?? "bench-out");
