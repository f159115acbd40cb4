import { describe, expect, it } from "vitest";
import { escapeKeepingLayout, escapeText } from "../../src/util/escape.js";

describe("escapeText", () => {
  it.each([
    ["plain", "tap1a2b3c4d-5e", "tap1a2b3c4d-5e"],
    ["ESC sequence", "eth0\u001b[31mred", "eth0\\e[31mred"],
    ["newline and tab", "a\nb\tc", "a\\nb\\tc"],
    ["NUL and DEL", "a\u0000b\u007f", "a\\x00b\\x7f"],
    ["C1 CSI", "x\u009by", "x\\x9by"],
    ["bidi override", "abc\u202edef", "abc\\u202edef"],
    ["unicode kept", "café → ok", "café → ok"],
  ])("%s", (_name, input, want) => {
    expect(escapeText(input)).toBe(want);
  });

  it("keeps layout characters when asked", () => {
    expect(escapeKeepingLayout("a\n\tb\u001bc")).toBe("a\n\tb\\ec");
  });
});
