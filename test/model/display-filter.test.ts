import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compileDisplayFilter,
  type FilterRecord,
  type FilterScalar,
  MAX_PATTERN_LENGTH,
  mapRecord,
} from "../../src/model/display-filter.js";

/** A VXLAN frame's fields as a frame record gives them (outer and inner occurrences), plus a verdict. */
const FRAME = mapRecord({
  frame: true,
  "frame.number": 15,
  "ip.src": ["10.0.0.11", "192.168.100.11"],
  "ip.dst": ["10.0.0.12", "192.168.100.21"],
  "ip.addr": ["10.0.0.11", "10.0.0.12", "192.168.100.11", "192.168.100.21"],
  "ip.ttl": [64, 3],
  ip: [true, true],
  udp: true,
  "udp.dstport": 4789,
  "udp.srcport": 51234,
  vxlan: true,
  "vxlan.vni": 100,
  "eth.src": ["fa:16:3e:00:00:01", "FA:16:3E:0A:00:01"],
  "ipv6.src": "fe80::f816:3eff:fe11:a101",
  "tcp.flags.syn": false,
  "tcp.seq": 4294967295n,
  drop: true,
  reason: "unknown-tunnel-id",
  bridge: ["br-int", "br-tun"],
  table: [0, 3, 4],
  tun_id: "0x64",
  nw_src: "10.0.0.0/24",
  reg0: "0x1/0x1",
  dl_src: "fa:16:3e:00:00:00/ff:ff:ff:00:00:00",
  actions: "set_field:0x64->tun_id,output:2",
  empty: [],
});

const match = (expr: string, record: FilterRecord = FRAME): boolean => {
  const c = compileDisplayFilter(expr);
  if (!c.ok) throw new Error(`${expr}: column ${c.column}: ${c.message}`);
  return c.filter.matches(record);
};

describe("compileDisplayFilter: the brief's examples and every operator", () => {
  it.each<[string, boolean]>([
    ["ip.src == 10.0.0.11 && vxlan.vni == 100", true],
    ["ip.src == 10.0.0.11 && vxlan.vni == 101", false],
    ["drop", true],
    ['bridge == "br-tun" && table == 4', true],
    ['bridge == "br-ex" && table == 4', false],
    ["!icmp", true],
    ["icmp", false],
    ["ip.addr == 10.0.0.0/24", true],
    ["ip.addr == 10.0.1.0/24", false],
    ["ip.addr == 192.168.100.0/255.255.255.0", true],
    ["eth.src == fa:16:3e:00:00:01", true],
    ["udp.dstport in {4789 6081}", true],
    ["udp.dstport in {4790, 6081}", false],
    ['reason == "unknown-tunnel-id"', true],
    ["reason == unknown-tunnel-id", true],
    ["reason == 'unknown-tunnel-id'", true],
    ["frame.number >= 10 and frame.number <= 20", true],
    ["frame.number >= 16 and frame.number <= 20", false],
    ["ip.ttl < 5", true],
    ["ip.ttl > 64", false],
    ["ip.ttl >= 64", true],
    ["ip.ttl <= 2", false],
    ["ip.ttl eq 3", true],
    ["ip.ttl ne 3", false],
    ["ip.ttl gt 63 && ip.ttl lt 65 && ip.ttl ge 64 && ip.ttl le 64", true],
    // != is all-not-equal (Wireshark 4): no occurrence equals; ~= is any-not-equal.
    ["ip.src != 10.0.0.11", false],
    ["ip.src != 10.9.9.9", true],
    ["ip.src ~= 10.0.0.11", true],
    ["ip.src any_ne 10.0.0.11", true],
    ["ip.src all_ne 10.0.0.11", false],
    ["ip.src === 10.0.0.11", false],
    ["ip.ttl all_eq 64", false],
    ["vxlan.vni === 100", true],
    ["ip.src !== 10.0.0.11", false],
    // contains is case-sensitive, matches case-insensitive.
    ['reason contains "tunnel"', true],
    ['reason contains "Tunnel"', false],
    ['reason matches "^UNKNOWN-.*-ID$"', true],
    ['reason ~ "tunnel-i"', true],
    ['actions contains "->tun_id"', true],
    // Numbers in any base; booleans; bigints.
    ["vxlan.vni == 0x64", true],
    ["vxlan.vni == 0144", true],
    ["vxlan.vni == 100.0", true],
    ["tcp.flags.syn == 0", true],
    ["tcp.flags.syn == false", true],
    ["tcp.flags.syn == true", false],
    ["tcp.flags.syn", true],
    ["tcp.seq == 0xffffffff", true],
    ["tcp.seq > 4294967294", true],
    ["ip.ttl == -1", false],
    // MACs in every form, any case.
    ["eth.src == FA:16:3E:00:00:01", true],
    ["eth.src == fa-16-3e-00-00-01", true],
    ["eth.src == fa16.3e00.0001", true],
    ["eth.src == fa:16:3e:a:0:1", true],
    ["eth.src == fa:16:3e:00:00:02", false],
    ["eth.src > fa:16:3e:00:00:01", true],
    // IPv6 with ::, and prefixes.
    ["ipv6.src == fe80::f816:3eff:fe11:a101", true],
    ["ipv6.src == FE80:0:0:0:F816:3EFF:FE11:A101", true],
    ["ipv6.src == fe80::/10", true],
    ["ipv6.src == 2001:db8::/32", false],
    ["ipv6.src == ::1", false],
    // Values as OVS dumps print them (networks, masks, hex).
    ["tun_id == 100", true],
    ["tun_id == 0x64", true],
    ["nw_src == 10.0.0.5", true],
    ["nw_src == 10.0.0.0/16", true],
    ["nw_src == 10.0.1.5", false],
    ["reg0 == 1", true],
    ["reg0 == 3", true],
    ["reg0 == 2", false],
    ["dl_src == fa:16:3e:12:34:56", true],
    ["dl_src == fa:16:3f:12:34:56", false],
    // in, ranges, not in.
    ["udp.dstport in {1..5000}", true],
    ["udp.dstport in {1 .. 4788}", false],
    ["udp.dstport in {1, 2, 4700 .. 4800}", true],
    ["udp.dstport in {4789..4789}", true],
    ["ip.src in {10.0.0.1..10.0.0.20}", true],
    ["ip.src in {10.0.0.0/24 172.16.0.0/12}", true],
    ['reason in {"table-miss" unknown-tunnel-id}', true],
    ["udp.dstport not in {4789 6081}", false],
    ["udp.dstport not in {53}", true],
    // Logic and precedence: ! over && over ^^ over ||.
    ["icmp || drop && vxlan", true],
    ["(icmp || drop) && !vxlan", false],
    ["icmp || (drop && !vxlan)", false],
    ["drop || icmp && tcp", true],
    ["!drop || vxlan", true],
    ["!(drop || icmp)", false],
    ["not drop or not vxlan", false],
    ["!!drop", true],
    ["drop ^^ vxlan", false],
    ["drop xor icmp", true],
    ["icmp ^^ vxlan && drop", true],
    ["drop AND vxlan Or icmp", true],
    // A bare field is presence; a field with no values is absent.
    ["empty", false],
    ["nothing", false],
    ["nothing == 1", false],
    // != is all-not-equal: false where the field is absent, as tshark (`ip.src != x` on ARP).
    ["nothing != 1", false],
    ["!(nothing == 1)", true],
    ['nothing contains "x"', false],
    // Strings are exact.
    ['bridge == "BR-INT"', false],
    ["bridge == br-int", true],
    ['bridge > "br-int"', true],
    ['reason == "unknown\\x2dtunnel\\u002did"', true],
  ])("%s → %s", (expr, expected) => {
    expect(match(expr)).toBe(expected);
  });

  it("reports the fields an expression reads", () => {
    const c = compileDisplayFilter("ip.src == 10.0.0.1 && (drop || !tcp.port in {22})");
    expect(c.ok && [...c.filter.fields].sort()).toEqual(["drop", "ip.src", "tcp.port"]);
    expect(c.ok && c.filter.text).toBe("ip.src == 10.0.0.1 && (drop || !tcp.port in {22})");
  });
});

describe("compileDisplayFilter: errors say what was expected, and where", () => {
  it.each<[string, number, RegExp]>([
    ["", 1, /empty filter/],
    ["   ", 1, /empty filter/],
    ["ip.src ==", 10, /expected a value after "==", got the end of the expression/],
    ["ip.src == && drop", 11, /expected a value after "==", got "&&"/],
    ["(tcp", 5, /expected "\)", got the end of the expression/],
    ["tcp)", 4, /expected "&&", "\|\|" or the end of the expression, got "\)"/],
    ["tcp udp", 5, /expected "&&", "\|\|" or the end of the expression, got "udp"/],
    ["ip.src = 1", 8, /"=" is not an operator: use "=="/],
    ["&& tcp", 1, /expected a field name, "!" or "\(", got "&&"/],
    ["tcp && ", 8, /expected a field name, "!" or "\(", got the end of the expression/],
    ["tcp && == 1", 8, /expected a field name/],
    ["tcp.port in 22", 13, /expected "\{" after "in", got "22"/],
    ["tcp.port in {}", 14, /expected a value in the set, got "}"/],
    ["tcp.port in {22", 16, /expected "}" to close the set/],
    ["tcp.port in {22..}", 18, /expected the end of a range after "..", got "}"/],
    ["tcp.port in {22 .. }", 20, /expected the end of a range after "..", got "}"/],
    ['reason == "abc', 11, /unterminated string/],
    ['reason == "a\\qb"', 13, /unknown escape \\q/],
    ['reason matches "("', 16, /bad regular expression/],
    ["tcp.port == 22 # comment", 16, /unexpected character "#"/],
    ["1 == tcp.port", 1, /expected a field name/],
    ["and", 1, /expected a field name/],
  ])("%s → column %d", (expr, column, message) => {
    const c = compileDisplayFilter(expr);
    expect(c.ok).toBe(false);
    if (!c.ok) {
      expect(c.message).toMatch(message);
      expect(c.column).toBe(column);
    }
  });

  it("rejects a regular expression longer than 1000 characters", () => {
    const long = compileDisplayFilter(`reason matches "${"a".repeat(MAX_PATTERN_LENGTH + 1)}"`);
    expect(long.ok).toBe(false);
    if (!long.ok) expect(long.message).toMatch(/longer than 1000/);
    expect(compileDisplayFilter(`reason matches "${"a".repeat(MAX_PATTERN_LENGTH)}"`).ok).toBe(true);
  });

  it("names an unknown field with its column when `known` is given", () => {
    const known = (f: string) => ["ip.src", "tcp"].includes(f);
    expect(compileDisplayFilter("tcp && ip.src == 1.2.3.4", known).ok).toBe(true);
    expect(compileDisplayFilter("tcp && ip.scr == 1.2.3.4", known)).toEqual({
      ok: false,
      message: 'unknown field "ip.scr"',
      column: 8,
    });
  });
});

describe("property: !(a) matches exactly where a does not", () => {
  const FIELDS = ["a", "b", "c"];
  const valueArb = fc.oneof(
    fc.integer({ min: 0, max: 5 }),
    fc.constantFrom("x", "y", "10.0.0.1", "10.0.0.2", "fa:16:3e:00:00:01"),
  );
  const recordArb = fc.dictionary(fc.constantFrom(...FIELDS), fc.array(valueArb, { maxLength: 3 }));
  const literalArb = fc.constantFrom(
    "0",
    "1",
    "3",
    "x",
    '"y"',
    "10.0.0.0/31",
    "10.0.0.2",
    "FA:16:3E:00:00:01",
  );
  const exprArb: fc.Arbitrary<string> = fc.letrec((tie) => ({
    expr: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.constantFrom(...FIELDS),
      fc
        .tuple(
          fc.constantFrom(...FIELDS),
          fc.constantFrom("==", "!=", "~=", "===", "<", "<=", ">", ">=", "contains"),
          literalArb,
        )
        .map(([f, op, v]) => `${f} ${op} ${v}`),
      fc
        .tuple(fc.constantFrom(...FIELDS), fc.array(literalArb, { minLength: 1, maxLength: 3 }))
        .map(([f, vs]) => `${f} in {${vs.join(" ")}}`),
      fc
        .tuple(tie("expr"), fc.constantFrom("&&", "||", "^^", "and", "or"), tie("expr"))
        .map(([a, op, b]) => `(${a} ${op} ${b})`),
      tie("expr").map((a) => `!${a}`),
    ),
  })).expr;

  it("holds on random expressions and records", () => {
    fc.assert(
      fc.property(exprArb, recordArb, (expr, values) => {
        const a = compileDisplayFilter(expr);
        const notA = compileDisplayFilter(`!(${expr})`);
        if (!a.ok || !notA.ok) return false;
        const record = mapRecord(values as Record<string, FilterScalar[]>);
        return notA.filter.matches(record) === !a.filter.matches(record);
      }),
      { numRuns: 200 },
    );
  });

  it("== and != are complements where the field is present (and both false where it is not)", () => {
    fc.assert(
      fc.property(recordArb, literalArb, fc.constantFrom(...FIELDS), (values, lit, field) => {
        const record = mapRecord(values as Record<string, FilterScalar[]>);
        const present = (record.values(field)?.length ?? 0) > 0;
        const eq = match(`${field} == ${lit}`, record);
        const ne = match(`${field} != ${lit}`, record);
        return present ? eq === !ne : !eq && !ne;
      }),
      { numRuns: 300 },
    );
  });
});
