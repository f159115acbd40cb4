/** iptables' value syntax: CIDRs and dotted masks, port ranges, protocols, ICMP types, `+` wildcards. */
import { describe, expect, it } from "vitest";
import {
  ifaceMatches,
  parseCidr,
  parseIcmpType,
  parsePortRange,
  parseProtocol,
} from "../../src/firewall/values.js";

describe("values", () => {
  it.each([
    ["10.0.0.0/24", "ipv4", 0x0a000000n, 0xffffff00n],
    ["10.0.0.5", "ipv4", 0x0a000005n, 0xffffffffn],
    ["10.1.2.3/255.255.0.0", "ipv4", 0x0a010000n, 0xffff0000n],
    ["fd00::/8", "ipv6", 0xfdn << 120n, 0xffn << 120n],
  ] as const)("cidr %s", (text, fam, addr, mask) => {
    expect(parseCidr(text, fam)).toMatchObject({ addr, mask });
  });
  it.each([
    ["10.0.0.300/8", "not an IPv4 address"],
    ["10.0.0.0/33", "not a prefix length or mask"],
  ])("bad cidr %s", (text, msg) => expect(parseCidr(text, "ipv4")).toMatch(msg));
  it.each([
    ["22", { lo: 22, hi: 22 }],
    ["1024:65535", { lo: 1024, hi: 65535 }],
    [":1023", { lo: 0, hi: 1023 }],
    ["1024:", { lo: 1024, hi: 65535 }],
  ])("ports %s", (t, r) => expect(parsePortRange(t)).toEqual(r));
  it.each(["70000", "20:10", "x", ""])("bad ports %j", (t) =>
    expect(typeof parsePortRange(t)).toBe("string"),
  );
  it.each([
    ["tcp", 6],
    ["ipv6-icmp", 58],
    ["47", 47],
    ["all", 0],
  ] as const)("protocol %s", (t, n) => expect(parseProtocol(t)).toBe(n));
  it.each([
    ["8", false, [8, null]],
    ["3/4", false, [3, 4]],
    ["echo-request", false, [8, null]],
    ["any", false, [-1, null]],
    ["neighbour-solicitation", true, [135, null]],
  ] as const)("icmp type %s", (t, v6, want) => expect(parseIcmpType(t, v6)).toEqual(want));
  it.each([
    ["tap+", "tap5f1c0a2e-3b", true],
    ["tap+", "qvb5f1c0a2e-3b", false],
    ["qbr1", "qbr1", true],
    ["qbr1", "qbr12", false],
  ])("%s matches %s: %s", (p, d, want) => expect(ifaceMatches(p, d)).toBe(want));
});
