import { describe, expect, it } from "vitest";
import { parseFieldValue } from "../../src/model/field-value.js";
import { FIELD } from "../../src/model/fields.js";

describe("parseFieldValue: ports", () => {
  it.each([
    // [text, value, port name (or none), or the error]
    ["5", { value: 5n, mask: 0xffffn }],
    ["0x1f", { value: 31n, mask: 0xffffn }],
    ['"5"', { value: 5n, mask: 0xffffn }],
    ["LOCAL", { value: 0xfffen, mask: 0xffffn }],
    ["local", { value: 0xfffen, mask: 0xffffn }],
    ['"NORMAL"', { value: 0xfffan, mask: 0xffffn }],
    ["qvo1", { value: 0n, mask: 0xffffn, portName: { name: "qvo1", quoted: false } }],
    ['"tap-1"', { value: 0n, mask: 0xffffn, portName: { name: "tap-1", quoted: true } }],
    ["70000", "a port number of at most 16 bits"],
    ['"70000"', "a port number of at most 16 bits"],
    ["a b", "a port number or name"],
  ] as const)("in_port=%s", (text, want) => {
    const r = parseFieldValue(FIELD.in_port, text);
    if (typeof want === "string") expect(!r.ok && r.message).toMatch(want);
    else expect(r).toEqual({ ok: true, value: want });
  });
});
