/**
 * One measurement in its own process, so its peak RSS is its own:
 *   tsx scripts/bench/measure.ts walk|flowkey|full CAPTURE
 * prints {"mode","frames","bytes","seconds","cpuSeconds","maxRssMB"} as JSON (CPU time too: on a loaded
 * machine it moves far less than the wall clock).
 */

import { openCapture } from "../../src/capture/index.js";
import { decodeFrame, extractFlowKeyAt } from "../../src/decode/index.js";
import { newFlowKey } from "../../src/model/layout.js";
import { peakRssMB } from "./peak-rss.js";

const [mode, file] = process.argv.slice(2);
if (!file || !["walk", "flowkey", "full"].includes(mode)) {
  process.stderr.write("usage: measure.ts walk|flowkey|full CAPTURE\n");
  process.exit(2);
}
const opened = openCapture(file);
if (!opened.ok) throw new Error(opened.error.message);
const reader = opened.value;
const key = newFlowKey();
let frames = 0;
let bytes = 0;
let sink = 0;
const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
for (let r = reader.next(); r; r = reader.next()) {
  frames++;
  bytes += r.caplen;
  if (mode === "flowkey") {
    extractFlowKeyAt(r.bytes, r.offset, r.offset + r.caplen, r.linktype, key);
    sink ^= key[0];
  } else if (mode === "full") {
    sink ^= decodeFrame(r.bytes.subarray(r.offset, r.offset + r.caplen), r.linktype).layers.length;
  }
}
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
reader.close();
process.stdout.write(
  `${JSON.stringify({ mode, frames, bytes, seconds, cpuSeconds, maxRssMB: peakRssMB(), sink })}\n`,
);
