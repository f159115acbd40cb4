import { describe, expect, it } from "vitest";
import {
  allOnes,
  formatHex,
  parseInteger,
  parseMaskedUnsigned,
  parseUnsigned,
} from "../../../src/model/value/integer.js";

describe("integers", () => {
  it.each([
    ["0", 8, {}, 0n],
    ["255", 8, {}, 255n],
    ["256", 8, {}, undefined],
    ["0xff", 8, {}, 255n],
    ["0XFF", 8, {}, 255n],
    ["010", 8, {}, 10n],
    ["010", 8, { octal: true }, 8n],
    ["08", 8, { octal: true }, undefined],
    ["16777215", 24, {}, 16777215n],
    ["16777216", 24, {}, undefined],
    ["abc", 24, {}, undefined],
    ["-1", 8, {}, undefined],
    ["1.5", 8, {}, undefined],
    ["", 8, {}, undefined],
    ["0x", 8, {}, undefined],
    ["0x1g", 8, {}, undefined],
    ["0X1f", 8, {}, 31n],
    ["0xAb", 8, { octal: true }, 171n],
    [" 1", 8, {}, undefined],
    ["1 ", 8, {}, undefined],
    ["+1", 8, {}, undefined],
    ["x12", 8, {}, undefined],
    ["1e2", 8, {}, undefined],
  ] as const)("%s in %i bits %o → %s", (text, bits, syntax, v) => {
    expect(parseUnsigned(text, bits, syntax)).toBe(v);
  });

  it("reads numbers of any size when no width is asked", () => {
    expect(parseInteger("0xffffffffffffffffffff")).toBe((1n << 80n) - 1n);
  });

  // Read as a double while below 2^53, as text past it: both sides of that edge, decimal and hex.
  it.each([
    ["9007199254740991", 2n ** 53n - 1n],
    ["9007199254740992", 2n ** 53n],
    ["9007199254740993", 2n ** 53n + 1n],
    ["18446744073709551615", 2n ** 64n - 1n],
    ["0x1fffffffffffff", 2n ** 53n - 1n],
    ["0x20000000000001", 2n ** 53n + 1n],
    ["0xfffffffffffffffF", 2n ** 64n - 1n],
    ["0x0000000000000000000001", 1n],
    ["00000000000000000000000042", 42n],
  ] as const)("%s is %s exactly", (text, v) => {
    expect(parseInteger(text)).toBe(v);
  });

  it.each([
    ["0x1/0x3", { value: 1n, mask: 3n }],
    ["5", { value: 5n, mask: 0xffffn }],
    ["1/0x10000", undefined],
    ["1/", undefined],
  ] as const)("masked %s", (text, v) => {
    expect(parseMaskedUnsigned(text, 16)).toEqual(v);
  });

  it("prints hexadecimal as C's %#x", () => {
    expect([0n, 1n, 0xabcn].map(formatHex)).toEqual(["0", "0x1", "0xabc"]);
  });
});

describe("allOnes", () => {
  it.each([
    [0, 0n],
    [1, 1n],
    [12, 0xfffn],
    [48, 0xffffffffffffn],
    [128, (1n << 128n) - 1n],
  ])("%d bits → %s, the same asked again", (bits, want) => {
    expect(allOnes(bits)).toBe(want);
    expect(allOnes(bits)).toBe(want);
  });
});
