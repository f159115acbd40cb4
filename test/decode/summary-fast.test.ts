/**
 * quickSummary must print exactly what the full decoder's summary prints, or nothing: compared frame by
 * frame over every capture of fixtures/, of the shared corpus (with more/) and of the labs, and over
 * the replay bench's traffic (for which it must answer every frame: that is what it is for).
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { frame } from "../../scripts/bench/replay.js";
import { openCapture, recordData } from "../../src/capture/index.js";
import { decodeFrame, LINKTYPE, quickSummary, summarizeFrame } from "../../src/decode/index.js";
import { LAB } from "../support/lab.js";
import {
  corpusCaptures,
  corpusCapturesWithoutGolden,
  NEEDS,
  REPO_ROOT,
  skipWithoutShared,
} from "../support/shared.js";

/** Every capture file under `dir`, recursively. */
function capturesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(pcap|pcapng)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Frames where the two disagree (as "frame N: quick | full"), and how many quickSummary answered. */
function compare(path: string): { differ: string[]; answered: number; frames: number } {
  const r = openCapture(path);
  const differ: string[] = [];
  let answered = 0;
  let frames = 0;
  if (!r.ok) return { differ, answered, frames };
  try {
    for (let rec = r.value.next(); rec; rec = r.value.next()) {
      frames++;
      const data = recordData(rec);
      const quick = quickSummary(data, rec.linktype);
      if (quick === undefined) continue;
      answered++;
      const full = summarizeFrame(decodeFrame(data, rec.linktype));
      if (quick !== full) differ.push(`frame ${rec.frame}: ${quick} | ${full}`);
    }
  } finally {
    r.value.close();
  }
  return { differ, answered, frames };
}

describe("quickSummary: the full decoder's summary, or nothing", () => {
  it.each(capturesUnder(join(REPO_ROOT, "fixtures")))("%s", (path) => {
    expect(compare(path).differ).toEqual([]);
  });

  it("answers for frames of every kind it reads (fixtures/ together)", () => {
    const all = capturesUnder(join(REPO_ROOT, "fixtures")).map(compare);
    expect(all.reduce((n, c) => n + c.answered, 0)).toBeGreaterThan(100);
  });

  it("the replay bench's traffic: every frame answered, each as the full decoder", () => {
    for (let i = 0; i < 2000; i++) {
      const data = frame(i);
      expect(quickSummary(data, LINKTYPE.ethernet)).toBe(
        summarizeFrame(decodeFrame(data, LINKTYPE.ethernet)),
      );
    }
  });

  it.each([
    ["not Ethernet", Uint8Array.from([0x45, 0, 0, 20]), LINKTYPE.raw],
    ["cut short", frame(1).subarray(0, 30), LINKTYPE.ethernet],
    // A later fragment, IPv4 options, a VXLAN port, an ICMP error quoting a datagram.
    ["a later fragment", withBytes(frame(1), { 20: 0x00, 21: 0x10 }), LINKTYPE.ethernet],
    ["IPv4 options", withBytes(frame(1), { 14: 0x46 }), LINKTYPE.ethernet],
    ["UDP to VXLAN's port", withBytes(frame(0), { 36: 0x12, 37: 0xb5 }), LINKTYPE.ethernet],
    ["an ICMP error", withBytes(frame(1), { 34: 3 }), LINKTYPE.ethernet],
  ])("%s: left to the full decoder", (_name, data, linktype) => {
    expect(quickSummary(data, linktype)).toBeUndefined();
  });
});

describe.skipIf(skipWithoutShared(NEEDS.corpus))("quickSummary over the shared corpus and the labs", () => {
  const shared = [
    ...corpusCaptures().map((c) => c.path),
    ...corpusCapturesWithoutGolden().map((c) => c.path),
    ...capturesUnder(LAB),
  ];
  it.each(shared)("%s", (path) => {
    expect(compare(path).differ).toEqual([]);
  });
});

/** A copy of `data` with the bytes at the given offsets replaced. */
function withBytes(data: Uint8Array, bytes: Record<number, number>): Uint8Array {
  const copy = data.slice();
  for (const [at, v] of Object.entries(bytes)) copy[Number(at)] = v;
  return copy;
}
