/** `npm run fixtures`: regenerates the byte-level fixtures under fixtures/ (then record their goldens:
 * scripts/record-tshark-goldens.sh and scripts/record-ovs-parse-pcap.sh). */
import { mkdirSync, writeFileSync } from "node:fs";
import { writeCaptureFixtures } from "./fixtures/captures.js";
import { writePacketFixtures } from "./fixtures/packets.js";

const write = (path: string, bytes: Uint8Array) => writeFileSync(path, bytes);
for (const [dir, make] of [
  ["fixtures/captures", writeCaptureFixtures],
  ["fixtures/packets", writePacketFixtures],
] as const) {
  mkdirSync(dir, { recursive: true });
  for (const p of make(dir, write)) process.stdout.write(`${p}\n`);
}
