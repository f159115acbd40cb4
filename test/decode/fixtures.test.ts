import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openCapture, recordData } from "../../src/capture/index.js";
import { decodeFrame, schemaLayers } from "../../src/decode/index.js";
import { layerDisagreement } from "../support/layers.js";
import { type GoldenFrame, REPO_ROOT } from "../support/shared.js";

/**
 * Our own protocol fixtures (scripts/fixtures/packets.ts: every protocol, and malformed variants)
 * against real tshark's decoding of them (scripts/record-tshark-goldens.sh).
 */
const DIR = join(REPO_ROOT, "fixtures", "packets");

describe("protocol fixtures decode as tshark decodes them", () => {
  const files = readdirSync(DIR).filter((n) => n.endsWith(".pcap"));
  it("has fixtures", () => expect(files.length).toBeGreaterThanOrEqual(4));
  it.each(files)("%s", (name) => {
    const golden = readFileSync(join(DIR, `${name}.jsonl`), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as GoldenFrame);
    const opened = openCapture(join(DIR, name));
    if (!opened.ok) throw new Error(opened.error.message);
    const problems: string[] = [];
    let i = 0;
    for (let r = opened.value.next(); r; r = opened.value.next(), i++) {
      const why = layerDisagreement(
        golden[i].layers,
        schemaLayers(decodeFrame(recordData(r), r.linktype, { wireLength: r.len })),
      );
      if (why) problems.push(`frame ${r.frame}: ${why}`);
    }
    expect(i).toBe(golden.length);
    expect(problems).toEqual([]);
  });
});
