import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatMac, parseMac } from "../../../src/model/value/mac.js";

describe("MAC addresses", () => {
  it.each([
    ["fa:16:3e:00:00:01", "colon", 0xfa163e000001n],
    ["FA:16:3E:0:0:1", "colon", 0xfa163e000001n],
    ["fa-16-3e-00-00-01", "colon", undefined],
    ["fa-16-3e-00-00-01", "any", 0xfa163e000001n],
    ["fa16.3e00.0001", "any", 0xfa163e000001n],
    ["fa:16:3e-00:00:01", "any", undefined],
    ["fa:16:3e:00:00", "any", undefined],
    ["fa:16:3e:00:00:001", "any", undefined],
    // Seventeen characters, the fast path's length: only two hex digits a byte and colons pass.
    ["FF:FF:FF:FF:FF:FF", "colon", 0xffffffffffffn],
    ["fa:16:3e:00:00:0g", "colon", undefined],
    ["fa:16:3e:00:00:/1", "colon", undefined],
    ["fa:16:3e:00:00;01", "colon", undefined],
    ["fa:16:3e:0:0:1:01", "colon", undefined],
    ["fa:16:3e:00:00:01", "any", 0xfa163e000001n],
  ] as const)("%s (%s) → %s", (text, syntax, v) => {
    expect(parseMac(text, syntax)).toBe(v);
  });

  it("prints lowercase, two digits a byte, and reads its own text back", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 48n) - 1n }), (v) => {
        const text = formatMac(v);
        expect(text).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
        expect(parseMac(text)).toBe(v);
      }),
    );
  });
});
