import { describe, expect, it } from "vitest";
import { formatTimestamp, openCapture, recordData } from "../../src/capture/index.js";
import { decodeFrame } from "../../src/decode/index.js";
import {
  corpusCaptures,
  corpusCapturesWithoutGolden,
  NEEDS,
  SKIP_SHARED_REASON,
  skipWithoutShared,
} from "../support/shared.js";

/** Record framing (count, lengths, timestamps) against tshark's goldens for every corpus capture. */
describe.skipIf(skipWithoutShared(NEEDS.corpus))("capture corpus framing matches tshark", () => {
  const captures = corpusCaptures();
  it("has captures to check", () => {
    expect(captures.length, SKIP_SHARED_REASON).toBeGreaterThan(40);
  });
  it.each(captures.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const opened = openCapture(c.path);
    if (!opened.ok) throw new Error(opened.error.message);
    const reader = opened.value;
    const got: Array<{ frame: number; caplen: number; len: number; ts: string | null }> = [];
    for (let r = reader.next(); r; r = reader.next()) {
      got.push({ frame: r.frame, caplen: r.caplen, len: r.len, ts: formatTimestamp(r) });
    }
    reader.close();
    const want = c.golden.map((g) => ({ frame: g.frame, caplen: g.caplen, len: g.len, ts: g.ts }));
    expect(got).toEqual(want);
    // A cut-off tail is reported, never silent.
    if (c.name.includes("truncated-tail")) expect(reader.diagnostics.length).toBe(1);
  });
});

/**
 * Captures tshark refuses or finds no frame in (no golden): they still read to a clean end, and a
 * frame of a link type no decoder knows says so instead of decoding to nothing.
 */
describe.skipIf(skipWithoutShared(NEEDS.corpus))("captures without a tshark golden end cleanly", () => {
  const captures = corpusCapturesWithoutGolden();
  it("has such captures", () => expect(captures.length).toBeGreaterThanOrEqual(5));
  it.each(captures.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const opened = openCapture(c.path);
    if (!opened.ok) {
      expect(opened.error.message).toMatch(/\S/);
      return;
    }
    const stops = new Set<string>();
    for (let r = opened.value.next(); r; r = opened.value.next()) {
      const frame = decodeFrame(recordData(r), r.linktype, { wireLength: r.len });
      if (frame.layers.length === 0) stops.add(frame.stop ?? "(no layer, no reason)");
    }
    opened.value.close();
    expect(opened.value.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    for (const stop of stops) expect(stop).toMatch(/^unsupported link type \d+$/);
  });
});
