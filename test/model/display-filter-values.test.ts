import { describe, expect, it } from "vitest";
import {
  equal,
  type FilterScalar,
  literalMismatch,
  order,
  ReadingCache,
  readings,
} from "../../src/model/display-filter-values.js";
import { ANY, BOOL, IPV4, IPV6, MAC, oneOf, REAL, STRING, uint } from "../../src/model/filter-field-type.js";

describe("readings of a literal", () => {
  it.each([
    ["42", { num: { int: 42n, float: 42 } }],
    ["010", { num: { int: 8n, float: 8 } }],
    ["-3", { num: { int: -3n, float: -3 } }],
    ["1.5", { num: { float: 1.5 } }],
    ["0x1/0x3", { masked: { value: 1n, mask: 3n } }],
    ["10.0.0.0/24", { ipv4: { family: 4, addr: 0x0a000000n, mask: 0xffffff00n } }],
    ["::ffff:10.0.0.1", { ipv6: { family: 6, addr: 0xffff0a000001n, mask: (1n << 128n) - 1n } }],
    ["fa-16-3e-00-00-01", { mac: { value: 0xfa163e000001n, mask: (1n << 48n) - 1n } }],
    ["TRUE", { bool: true }],
  ])("%s", (text, expected) => {
    expect(readings(text, true)).toMatchObject({ text, ...expected });
  });

  it("record values are not read as octal or booleans", () => {
    expect(readings("010", false).num?.int).toBe(10n);
    expect(readings("true", false).bool).toBeUndefined();
  });
});

describe("equal and order of a record value against a literal", () => {
  const cache = new ReadingCache();
  it.each<[FilterScalar, string, boolean]>([
    ["10.0.0.5", "10.0.0.0/24", true],
    ["10.0.0.0/24", "10.0.0.5", true],
    ["10.0.1.5", "10.0.0.0/24", false],
    ["::ffff:10.0.0.1", "::ffff:a00:1", true],
    ["FA:16:3E:00:00:01", "fa16.3e00.0001", true],
    [100, "0x64", true],
    [true, "1", true],
    [false, "true", false],
    [0x11n, "0x1/0x3", true],
    [0x13n, "0x1/0x3", false],
    ["0x1/0x1", "3", true],
    ["br-tun", "br-tun", true],
  ])("%s == %s → %s", (value, literal, expected) => {
    expect(equal(value, readings(literal, true), cache)).toBe(expected);
  });

  it.each<[FilterScalar, string, number]>([
    ["10.0.0.9", "10.0.0.10", -1],
    [64, "0x40", 0],
    ["fa:16:3e:00:00:02", "fa:16:3e:00:00:01", 1],
    ["b", "a", 1],
  ])("%s against %s → %d", (value, literal, sign) => {
    expect(Math.sign(order(value, readings(literal, true), cache))).toBe(sign);
  });
});

describe("literalMismatch: whether a literal can be a value of a field's type", () => {
  it.each([
    ["10.0.0.1", IPV4, undefined],
    ["10.0.0.0/255.255.0.0", IPV4, undefined],
    ["10.0.0.", IPV4, '"10.0.0." is not a valid IPv4 address'],
    ["10.0.0.0/33", IPV4, "Netmask bits in a CIDR IPv4 address should be <= 32, not 33"],
    ["fe80::1", IPV4, '"fe80::1" is not a valid IPv4 address'],
    ["::/129", IPV6, "Netmask bits in a CIDR IPv6 address should be <= 128, not 129"],
    ["::ffff:10.0.0.1", IPV6, undefined],
    ["fa:16:3e:00:00", MAC, '"fa:16:3e:00:00" is not a valid Ethernet address'],
    ["255", uint(8), undefined],
    ["256", uint(8), '"256" too big for this field, maximum 255'],
    ["abc", uint(24), '"abc" is not a valid number'],
    ["1.5", uint(8), '"1.5" is not a valid number'],
    ["1.5", REAL, undefined],
    ["yes", BOOL, '"yes" is not a valid boolean (true, false, 1 or 0)'],
    ["true", BOOL, undefined],
    ["anything", STRING, undefined],
    ["anything", ANY, undefined],
    ["drop-flow", oneOf(["table-miss", "drop-flow"]), undefined],
    [
      "drop",
      oneOf(["table-miss", "drop-flow"]),
      '"drop" cannot be found among the possible values for f: table-miss, drop-flow',
    ],
  ] as const)("%s as %j → %s", (text, type, message) => {
    expect(literalMismatch(readings(text, true), type, "f")).toBe(message);
  });
});
