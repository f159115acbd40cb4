import { createReadStream, readFileSync } from "node:fs";
import { join } from "node:path";
import pcapParser from "pcap-parser";
import { describe, expect, it } from "vitest";
import { captureFixtures } from "../../scripts/fixtures/captures.js";
import { openCapture } from "../../src/capture/index.js";
import { corpusCaptures, REPO_ROOT } from "../support/shared.js";

interface ParserPacket {
  header: {
    timestampSeconds: number;
    timestampMicroseconds: number;
    capturedLength: number;
    originalLength: number;
  };
}

/** pcap-parser, an independent implementation, as a cross-check of classic-pcap record framing. */
function readWithPcapParser(path: string): Promise<Array<[number, number, number, number]>> {
  return new Promise((resolve, reject) => {
    const rows: Array<[number, number, number, number]> = [];
    const parser = pcapParser.parse(createReadStream(path));
    parser.on("packet", (p: ParserPacket) => {
      const h = p.header;
      // A fraction of a second or more is damage, which ours reads as tshark does (µs × 1000 in 32 bits).
      const usec = (Math.imul(h.timestampMicroseconds, 1000) >>> 0) / 1000;
      rows.push([h.timestampSeconds, usec, h.capturedLength, h.originalLength]);
    });
    parser.on("end", () => resolve(rows));
    parser.on("error", reject);
  });
}

/** pcap-parser knows only the microsecond magic, in either byte order. */
function isMicrosecondPcap(path: string): boolean {
  const magic = readFileSync(path).subarray(0, 4).toString("hex");
  return magic === "d4c3b2a1" || magic === "a1b2c3d4";
}

// pcap-parser only knows microsecond magic and drops a cut-off tail silently: compare whole,
// microsecond classic files (it reports the raw fraction field, so nanosecond files are compared raw too).
const classicFiles = [
  ...captureFixtures()
    .filter((f) => f.name.endsWith(".pcap") && !f.rejected && f.errors === 0 && !f.name.includes("nsec"))
    .map((f) => join(REPO_ROOT, "fixtures", "captures", f.name)),
  ...corpusCaptures()
    .filter(
      (c) =>
        c.path.endsWith(".pcap") &&
        !c.name.includes("nanosec") &&
        !c.name.includes("nano") &&
        !c.name.includes("truncated") &&
        isMicrosecondPcap(c.path),
    )
    .map((c) => c.path),
];

describe("classic pcap framing agrees with pcap-parser", () => {
  it.each(classicFiles)("%s", async (path) => {
    const theirs = await readWithPcapParser(path);
    const opened = openCapture(path);
    if (!opened.ok) throw new Error(opened.error.message);
    const ours: Array<[number, number, number, number]> = [];
    for (let r = opened.value.next(); r; r = opened.value.next()) {
      ours.push([r.tsSec, r.tsNsec / 1000, r.caplen, r.len]);
    }
    expect(ours).toEqual(theirs);
  });
});
