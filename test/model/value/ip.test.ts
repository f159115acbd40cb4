import { readFileSync } from "node:fs";
import { BlockList, isIPv4, isIPv6 } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatMatch, parseMatch } from "../../../src/model/match.js";
import {
  formatIpNetwork,
  formatIpv4,
  formatIpv6,
  networksMeet,
  parseIpNetwork,
  parseIpv4,
  parseIpv6,
  prefixLength,
  prefixMask,
} from "../../../src/model/value/ip.js";

/** fixtures/values: flows and how `ovs-ofctl parse-flow` printed them (scripts/record-ovs-values.sh). */
function ovsCases(): Array<{ input: string; ovs: string }> {
  const dir = new URL("../../../fixtures/values/", import.meta.url);
  const inputs = readFileSync(new URL("cases.txt", dir), "utf8")
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#"));
  const printed = readFileSync(new URL("canonical.txt", dir), "utf8").trimEnd().split("\n");
  expect(printed.length).toBe(inputs.length);
  return inputs.map((input, i) => ({ input, ovs: printed[i] }));
}

const matchOf = (flow: string) => flow.replace(/ actions=drop$/, "");

describe("flow values as Open vSwitch reads and prints them", () => {
  const cases = ovsCases();
  it.each(cases)("$input", ({ input, ovs }) => {
    const parsed = parseMatch(matchOf(input));
    if (ovs.startsWith("ERROR")) {
      expect(parsed.ok, ovs).toBe(false);
      return;
    }
    expect(parsed.ok && formatMatch(parsed.value)).toBe(matchOf(ovs));
  });

  it("the IPv4-mapped line of a real dump parses and prints back unchanged", () => {
    const line = "priority=10,ipv6,ipv6_src=::ffff:10.0.0.1";
    const parsed = parseMatch(line);
    expect(parsed.ok && formatMatch(parsed.value)).toBe(line);
  });

  it("prints every address OVS printed, read back from its own text, unchanged", () => {
    const printed = cases.flatMap(({ ovs }) =>
      [...ovs.matchAll(/ipv6_(?:src|dst)=([^,\s/]+)/g)].map((m) => m[1]),
    );
    expect(printed.length).toBeGreaterThan(200);
    for (const text of printed) expect(formatIpv6(parseIpv6(text) ?? -1n)).toBe(text);
  });
});

/** An IPv6 address in one of the textual forms inet_pton accepts, with the value it stands for. */
const ipv6Text = fc
  .tuple(
    fc.array(fc.oneof(fc.constant(0), fc.constant(0xffff), fc.integer({ min: 0, max: 0xffff })), {
      minLength: 8,
      maxLength: 8,
    }),
    fc.nat(8),
    fc.nat(8),
    fc.boolean(),
    fc.boolean(),
  )
  .map(([g, at, runLength, dotted, upper]) => {
    const value = g.reduce((v, x) => (v << 16n) | BigInt(x), 0n);
    const parts = g.map((x) => x.toString(16));
    if (dotted) parts.splice(6, 2, formatIpv4(value & 0xffffffffn));
    const n = parts.length;
    const start = Math.min(at, n);
    const len = Math.min(runLength, n - start);
    // Compress a run of zero groups (any run of them, not only the longest) when there is one there.
    const canCompress =
      len > 0 && g.slice(start, start + len).every((x) => x === 0) && !(dotted && start + len > 6);
    let text = canCompress
      ? `${parts.slice(0, start).join(":")}::${parts.slice(start + len).join(":")}`
      : parts.join(":");
    if (upper) text = text.toUpperCase();
    return { text, value };
  });

describe("IPv6 against Node's net module", () => {
  it("reads every inet_pton form Node reads, to the address Node's BlockList sees", () => {
    fc.assert(
      fc.property(ipv6Text, ({ text, value }) => {
        expect(isIPv6(text)).toBe(true);
        expect(parseIpv6(text)).toBe(value);
        const printed = formatIpv6(value);
        expect(isIPv6(printed)).toBe(true);
        const list = new BlockList();
        list.addAddress(text, "ipv6");
        expect(list.check(printed, "ipv6")).toBe(true);
        expect(parseIpv6(printed)).toBe(value);
      }),
      { numRuns: 2000 },
    );
  });

  it("accepts a string exactly when Node does (zone ids aside, which inet_pton refuses)", () => {
    const alphabet = fc.constantFrom(..."0123456789abcdefABCDEF:.:::".split(""));
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 45 }), (text) => {
        expect(parseIpv6(text) !== undefined).toBe(isIPv6(text) && !/(^|:)0[0-9]+\.|\.0[0-9]/.test(text));
      }),
      { numRuns: 5000 },
    );
  });

  it("prints the shortest form, as inet_ntop: one :: for the longest zero run, the first of ties", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (v) => {
        const text = formatIpv6(v);
        expect(text).toBe(text.toLowerCase());
        expect(text.split("::").length).toBeLessThanOrEqual(2);
        expect(text).not.toMatch(/(^|:)0[0-9a-f]/);
        expect(parseIpv6(text)).toBe(v);
      }),
    );
  });
});

describe("IPv4 against Node's net module", () => {
  it("reads and prints every address as Node does", () => {
    fc.assert(
      fc.property(fc.ipV4(), (text) => {
        const v = parseIpv4(text);
        expect(v).toBeDefined();
        expect(formatIpv4(v ?? 0n)).toBe(text);
      }),
    );
  });

  it.each([
    ["10.0.0.1", 0x0a000001n],
    ["010.0.0.1", 0x0a000001n],
    ["10.0.0.", undefined],
    ["10.0.0", undefined],
    ["10.0.0.300", undefined],
    ["0x0a.0.0.1", undefined],
    [" 10.0.0.1", undefined],
    ["1.2.3.4.5", undefined],
    ["255.255.255.255", 0xffffffffn],
    ["0.0.0.0", 0n],
    ["1.2.3.0004", undefined],
    ["1..3.4", undefined],
    [".1.2.3", undefined],
    ["1.2.3.4.", undefined],
    ["256.0.0.1", undefined],
    ["1.2.3.4 ", undefined],
    ["", undefined],
  ])("%s → %s", (text, v) => {
    expect(parseIpv4(text)).toBe(v);
    if (v !== undefined) expect(isIPv4(formatIpv4(v))).toBe(true);
  });
});

describe("networks", () => {
  it.each([
    ["10.0.0.0/8", 4, "10.0.0.0/8"],
    ["10.0.0.1/32", 4, "10.0.0.1"],
    ["10.0.0.0/255.0.255.0", 4, "10.0.0.0/255.0.255.0"],
    ["10.0.0.0/255.255.0.0", 4, "10.0.0.0/16"],
    ["::ffff:10.0.0.0/104", 6, "::ffff:10.0.0.0/104"],
    ["2001:db8::/ffff:ffff::", 6, "2001:db8::/32"],
  ] as const)("%s", (text, family, printed) => {
    const n = parseIpNetwork(family, text);
    expect(n.ok && formatIpNetwork(n.value)).toBe(printed);
  });

  it.each([
    ["10.0.0.0/33", 4, "prefix"],
    ["10.0.0./8", 4, "address"],
    ["10.0.0.0/255.0.0", 4, "mask"],
    ["::/129", 6, "prefix"],
  ] as const)("%s is refused (%s)", (text, family, error) => {
    expect(parseIpNetwork(family, text)).toEqual({ ok: false, error });
  });

  it("contains what Node's BlockList says a subnet contains", () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.ipV4(), fc.nat(32), (net, addr, len) => {
        const list = new BlockList();
        list.addSubnet(net, len, "ipv4");
        const a = parseIpNetwork(4, `${net}/${len}`);
        const b = parseIpNetwork(4, addr);
        expect(a.ok && b.ok && networksMeet(a.value, b.value)).toBe(list.check(addr, "ipv4"));
      }),
    );
  });

  it("a prefix length and its mask are inverse", () => {
    for (const bits of [32, 128])
      for (let len = 0; len <= bits; len++) expect(prefixLength(prefixMask(len, bits), bits)).toBe(len);
    expect(prefixLength(0xff00ff00n, 32)).toBe(-1);
  });
});
