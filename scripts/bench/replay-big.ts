/**
 * A capture of several GB (BENCH_BIG_GB, default 4) replayed by the CLI as users run it
 * (`node bin/ovspath.js replay`, stdout to /dev/null): vm1's traffic of the replay bench, written frame
 * by frame (never held in memory), then read as a stream. Reports the time and the CLI's peak RSS,
 * sampled from /proc while it runs: it must stay flat whatever the file's size. On a terminal the CLI
 * draws its progress bar on stderr meanwhile.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { PcapFileWriter } from "../../src/capture/writer.js";
import { AT, frame, HOST_DIR } from "./replay.js";

function writeBigCapture(path: string, bytes: number): void {
  const w = new PcapFileWriter(path);
  let written = 24;
  for (let i = 0; written < bytes; i++) {
    const f = frame(i);
    w.write(f, 1_700_000_000 + Math.floor(i / 1000), (i % 1000) * 1000);
    written += 16 + f.length;
  }
  w.close();
}

/**
 * How many frames writeBigCapture writes for `bytes`: frame(i)'s length repeats every 100 frames (its
 * kind goes by i % 20 and i % 50), so this needs no capture to read.
 */
function framesFor(bytes: number): number {
  const sizes = Array.from({ length: 100 }, (_, i) => 16 + frame(i).length);
  let written = 24;
  let i = 0;
  for (; written < bytes; i++) written += sizes[i % 100];
  return i;
}

/** CPU seconds (user + sys) a running process has used, or undefined once it has gone. */
function cpuOf(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    // utime and stime, fields 14 and 15 of the line (11 and 12 after the command), in clock ticks (100/s).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** VmHWM of a running process in MB, or undefined once it has gone. */
function peakOf(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export async function benchBigReplay(dir: string, gb: number): Promise<void> {
  const capture = join(dir, `replay-vm-${gb}GB.pcap`);
  if (!existsSync(capture)) {
    mkdirSync(dir, { recursive: true });
    const t = Date.now();
    writeBigCapture(capture, gb * 1e9);
    console.log(`generated ${capture} in ${((Date.now() - t) / 1000).toFixed(0)} s`);
  }
  const size = statSync(capture).size;
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, ["bin/ovspath.js", "replay", "--at", AT, capture, HOST_DIR], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  let peak = 0;
  // Sampled until the process ends: the last sample misses at most its final 100 ms of CPU.
  let cpu = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, peakOf(child.pid ?? -1) ?? 0);
    cpu = cpuOf(child.pid ?? -1) ?? cpu;
  }, 100);
  const status = await new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  clearInterval(sampler);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  // Exit 1: some of vm1's frames are dropped by design (the anti-spoofing and VLAN drops of the demo).
  if (status !== 0 && status !== 1) throw new Error(`replay of ${capture} exited ${status}`);
  const frames = framesFor(size);
  console.log(
    `(r'') replay of a ${(size / 1e9).toFixed(2)} GB capture, ${frames} frames (the CLI, output discarded): ${seconds.toFixed(0)} s, ${(frames / seconds).toFixed(0)} frames/s, ${(size / 1e6 / seconds).toFixed(0)} MB/s; ${cpu.toFixed(0)} s of CPU, ${(frames / cpu).toFixed(0)} frames per CPU second; peak RSS ${peak.toFixed(0)} MB (target: flat, ≤ 100 MB)`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`)
  await benchBigReplay(process.env.BENCH_DIR ?? "bench-out", Number(process.env.BENCH_BIG_GB ?? 4));
