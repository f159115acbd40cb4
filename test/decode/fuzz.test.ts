import fc from "fast-check";
import { describe, it } from "vitest";
import {
  decodeFrame,
  extractFlowKey,
  extractTunnelFlowKey,
  formatLayerTree,
  summarizeFrame,
} from "../../src/decode/index.js";
import { newFlowKey } from "../../src/model/layout.js";

const hex = (s: string) =>
  Uint8Array.from(s.replace(/\s+/g, "").match(/../g) ?? [], (b) => Number.parseInt(b, 16));
// Seeds that reach deep into the decoders: VXLAN carrying TCP, GRE with every bit, IPv6 with extensions.
const SEEDS = [
  "aa55aa550101aa55aa55000108004500006e0000400040110000 0a01000b0a01000c e0a612b5005a0000 0800000000006500 fa163e010002fa163e010001 0800 4500 003c 0000 4000 4006 0000 c0a80b05c0a80b06 9c400016 00000000 00000000 5002 ffff 00000000",
  "ffffffffffff fa163e000001 0800 4500 0044 0000 4000 402f 0000 0a00000b 0a00000c b000 6558 00000000 000003e9 00000007 ffffffffffff fa163e000001 0806 0001 0800 0604 0001",
  "fa163e010002fa163e01000b86dd 60000000 0010 0040 fd000001000000000000000000000011 fd000001000000000000000000000012 2c00 0001 00000001 3a00 0000 00000000 8000 0000",
].map(hex);
const LINKTYPES = [0, 1, 101, 113, 228, 229, 276];

describe("decoders never throw or hang", () => {
  const key = newFlowKey();
  const all = (bytes: Uint8Array, linktype: number) => {
    const frame = decodeFrame(bytes, linktype);
    summarizeFrame(frame);
    formatLayerTree(frame);
    extractFlowKey(bytes, linktype, key);
    extractTunnelFlowKey(bytes, linktype, key);
  };

  it("on random bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), fc.constantFrom(...LINKTYPES), all), {
      numRuns: 3000,
    });
  });

  it("on mutated real frames", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        (seed, edits, cut) => {
          const b = seed.slice();
          for (const [pos, val] of edits) b[pos % b.length] = val;
          all(b.subarray(0, b.length - (cut % b.length)), 1);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
