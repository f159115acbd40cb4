import { describe, expect, it } from "vitest";
import { openCapture, recordData } from "../../src/capture/index.js";
import { decodeFrame, schemaLayers } from "../../src/decode/index.js";
import { layerDisagreement } from "../support/layers.js";
import { corpusCaptures, NEEDS, skipWithoutShared } from "../support/shared.js";

/**
 * Every capture of the shared corpus decodes to tshark's layers, frame by frame (SCHEMA.md's rule).
 * UDP 8472 is VXLAN by default here (Linux's legacy VXLAN port), which is what the corpus's
 * decode-as file asks tshark for.
 */
describe.skipIf(skipWithoutShared(NEEDS.corpus))("decoders agree with tshark on the capture corpus", () => {
  const captures = corpusCaptures();
  let agreeing = 0;
  let total = 0;
  it.each(captures.map((c) => [c.name, c] as const))("%s", (_n, c) => {
    const opened = openCapture(c.path);
    if (!opened.ok) throw new Error(opened.error.message);
    const problems: string[] = [];
    let i = 0;
    for (let r = opened.value.next(); r; r = opened.value.next(), i++) {
      const golden = c.golden[i];
      const ours = schemaLayers(decodeFrame(recordData(r), r.linktype, { wireLength: r.len }));
      const why = layerDisagreement(golden.layers, ours);
      total++;
      if (why) problems.push(`frame ${r.frame}: ${why}`);
      else agreeing++;
    }
    opened.value.close();
    expect(problems).toEqual([]);
  });
  it("reports the agreement count", () => {
    console.log(`tshark conformance: ${agreeing}/${total} frames agree`);
    expect(agreeing).toBe(total);
  });
});
