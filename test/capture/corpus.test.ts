import { describe, expect, it } from "vitest";
import { formatTimestamp, openCapture } from "../../src/capture/index.js";
import { corpusCaptures, NEEDS, SKIP_SHARED_REASON, skipWithoutShared } from "../support/shared.js";

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
