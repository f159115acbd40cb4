/**
 * One replay measurement in its own process (its peak RSS is its own):
 *   tsx scripts/bench/replay-measure.ts CAPTURE HOSTDIR HOST:PORT cache|nocache [MAX_FRAMES]
 * prints {"mode","frames","seconds","cpuSeconds","maxRssMB","translated","cacheHits","verdicts"} as JSON.
 */

import { openCapture } from "../../src/capture/index.js";
import { loadHosts } from "../../src/dumps/host/load.js";
import { firewallsOf } from "../../src/dumps/netfilter/firewall.js";
import { Replayer } from "../../src/explain/replay.js";
import { switchesOf } from "../../src/pipeline/index.js";
import { resolveAt } from "../../src/pipeline/ingress.js";
import { peakRssMB } from "./peak-rss.js";

const [file, hostDir, atText, mode, maxText] = process.argv.slice(2);
if (!file || !hostDir || !atText || !/^(cache|nocache)(-fw)?$/.test(mode ?? "")) {
  process.stderr.write(
    "usage: replay-measure.ts CAPTURE HOSTDIR HOST:PORT cache|nocache[-fw] [MAX_FRAMES]\n",
  );
  process.exit(2);
}
const max = maxText ? Number(maxText) : Number.POSITIVE_INFINITY;
const hosts = await loadHosts(hostDir);
const switches = switchesOf(hosts);
const at = resolveAt(switches, atText);
if (typeof at === "string") throw new Error(at);
// -fw: with the hosts' iptables security groups evaluated on every frame crossing a qbr.
const firewalls = mode.endsWith("-fw") ? firewallsOf(hosts) : new Map();
// Lean, as the replay verb runs it (it prints no trace text).
const replayer = new Replayer(switches, { at, cache: mode.startsWith("cache"), firewalls, lean: true });
const opened = openCapture(file);
if (!opened.ok) throw new Error(opened.error.message);
const reader = opened.value;
const verdicts: Record<string, number> = {};
const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
const frames = replayAll();
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
// CPU time too: on a busy machine it moves less than the wall clock (GC threads count in it, though).
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
reader.close();
const { translated, cacheHits } = replayer.stats;
console.log(
  JSON.stringify({
    mode,
    frames,
    seconds,
    cpuSeconds,
    maxRssMB: peakRssMB(),
    translated,
    cacheHits,
    verdicts,
  }),
);

/**
 * The loop, in a function as the replay verb's is: code at a module's top level is never optimized, and
 * the loop's own loads (the record's fields, the count by verdict) ran there as unoptimized code.
 */
function replayAll(): number {
  const meta = { linkType: 1, wireLength: 0 };
  let frames = 0;
  for (let r = reader.next(); r && frames < max; r = reader.next()) {
    frames++;
    meta.linkType = r.linktype;
    meta.wireLength = r.len;
    const v = replayer.replayFrame(r.frame, r.bytes.subarray(r.offset, r.offset + r.caplen), meta);
    verdicts[v.verdict] = (verdicts[v.verdict] ?? 0) + 1;
  }
  return frames;
}
