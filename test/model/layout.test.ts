import { setFlagsFromString } from "node:v8";
import { describe, expect, it } from "vitest";
import { FLOW_WORDS, K, KSIZE, newFlowKey, setBe32Words, setMac } from "../../src/model/layout.js";

// V8's own answer to "is this object in dictionary mode", available once natives syntax is allowed.
setFlagsFromString("--allow-natives-syntax");
const hasFastProperties = new Function("o", "return %HasFastProperties(o)") as (o: object) => boolean;

describe("flow key layout", () => {
  it.each([
    ["K", K],
    ["KSIZE", KSIZE],
  ])("%s keeps fast properties (every hot-path field read is a field load, not a hash lookup)", (_, o) => {
    expect(hasFastProperties(o)).toBe(true);
  });

  it("packs the slots one after another, in declaration order, into FLOW_WORDS words", () => {
    let next = 0;
    for (const name of Object.keys(K) as Array<keyof typeof K>) {
      expect(K[name]).toBe(next);
      next += KSIZE[name];
    }
    expect(next).toBe(FLOW_WORDS);
  });

  it.each([
    // [bytes, word 0, word 1]: a MAC's first two bytes in word 0, the last four in word 1.
    [[0xfa, 0x16, 0x3e, 0x11, 0xa1, 0x01], 0xfa16, 0x3e11a101],
    [[0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 0xffff, 0xffffffff],
  ])("setMac %j", (bytes, w0, w1) => {
    const key = newFlowKey();
    setMac(key, K.dlSrc, Uint8Array.from([0, ...bytes]), 1);
    expect([key[K.dlSrc], key[K.dlSrc + 1]]).toEqual([w0, w1]);
  });

  it("setBe32Words reads big-endian words (an IPv6 address)", () => {
    const bytes = Uint8Array.from([
      0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0xf8, 0x16, 0x3e, 0xff, 0xfe, 0x11, 0xa1, 0x01,
    ]);
    const key = newFlowKey();
    setBe32Words(key, K.ipv6Src, 4, bytes, 0);
    expect(Array.from(key.subarray(K.ipv6Src, K.ipv6Src + 4))).toEqual([
      0xfe800000, 0, 0xf8163eff, 0xfe11a101,
    ]);
  });
});
