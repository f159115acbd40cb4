import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { captureFixtures } from "../../scripts/fixtures/captures.js";
import { captureFromBytes } from "../../src/capture/index.js";
import { MAX_RECORD_BYTES } from "../../src/capture/window.js";

/** Reads to the end; returns the frame count. Any exception fails the property. */
function drain(bytes: Uint8Array): number {
  const opened = captureFromBytes(bytes, "fuzz", { windowBytes: 256 });
  if (!opened.ok) return 0;
  let n = 0;
  for (let r = opened.value.next(); r; r = opened.value.next()) {
    n++;
    expect(r.offset + r.caplen).toBeLessThanOrEqual(r.bytes.length);
    expect(r.bytes.length).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    // A reader can never produce more frames than there are bytes.
    expect(n).toBeLessThanOrEqual(bytes.length);
  }
  return n;
}

const seeds = captureFixtures()
  .filter((f) => !f.rejected)
  .map((f) => f.bytes);

describe("capture readers never crash or hang", () => {
  it("on random bytes behind a valid magic", () => {
    const magics = [
      [0xd4, 0xc3, 0xb2, 0xa1],
      [0xa1, 0xb2, 0xc3, 0xd4],
      [0x4d, 0x3c, 0xb2, 0xa1],
      [0x0a, 0x0d, 0x0d, 0x0a],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...magics), fc.uint8Array({ maxLength: 2048 }), (magic, rest) => {
        drain(Uint8Array.from([...magic, ...rest]));
      }),
      { numRuns: 1500 },
    );
  });

  it("on mutated valid files", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        (seed, edits, cut) => {
          const b = seed.slice();
          for (const [pos, val] of edits) b[pos % b.length] = val;
          drain(b.subarray(0, Math.max(4, b.length - (cut % 64))));
        },
      ),
      { numRuns: 1500 },
    );
  });
});
