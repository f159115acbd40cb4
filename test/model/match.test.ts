import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { describe, expect, it } from "vitest";
import {
  FIELD,
  type FieldDef,
  lookupField,
  readField,
  wordBits,
  wordShift,
  writeField,
} from "../../src/model/fields.js";
import { type FlowKey, newFlowKey, VLAN_CFI } from "../../src/model/layout.js";
import {
  compileMatch,
  formatMatch,
  type Match,
  parseMatch,
  parseMatchIn,
  SHORTHANDS,
} from "../../src/model/match.js";
import { LAB, labFiles } from "../support/lab.js";
import { NEEDS, skipWithoutShared } from "../support/shared.js";

function labMatches(): Array<{ where: string; text: string }> {
  const out: Array<{ where: string; text: string }> = [];
  for (const file of labFiles(/^ovs-ofctl.*dump-flows/)) {
    for (const [i, line] of readFileSync(file, "utf8").split("\n").entries()) {
      const cut = line.indexOf(" actions=");
      if (cut >= 0)
        out.push({
          where: `${relative(LAB, file)}:${i + 1}`,
          text: line.slice(0, cut).split(/ +/).pop() ?? "",
        });
    }
  }
  return out;
}

describe.skipIf(skipWithoutShared(NEEDS.labs))(
  "every match of the lab dumps prints back in OVS's canonical order",
  () => {
    it("round-trips", () => {
      const matches = labMatches();
      expect(matches.length).toBeGreaterThan(2500);
      const problems: string[] = [];
      for (const m of matches) {
        const parsed = parseMatch(m.text);
        if (!parsed.ok) problems.push(`${m.where}: ${parsed.error.message}`);
        else if (formatMatch(parsed.value) !== m.text)
          problems.push(`${m.where}: ${m.text} → ${formatMatch(parsed.value)}`);
      }
      expect(problems.slice(0, 10)).toEqual([]);
    });
  },
);

describe("parseMatch / formatMatch", () => {
  it.each([
    ["in_port=2,priority=10,arp,arp_spa=192.168.10.5", "priority=10,arp,in_port=2,arp_spa=192.168.10.5"],
    [
      "tp_dst=22,tcp,nw_src=10.0.0.0/8,ct_state=+trk+new,reg5=0x5",
      "ct_state=+new+trk,tcp,reg5=0x5,nw_src=10.0.0.0/8,tp_dst=22",
    ],
    ["dl_dst=fa:16:3e:0a:00:02,dl_vlan=1", "dl_vlan=1,dl_dst=fa:16:3e:0a:00:02"],
    ["", ""],
    ["priority=0065535,ip", "priority=65535,ip"],
  ])("%s → %s", (text, want) => {
    const m = parseMatch(text);
    if (!m.ok) throw new Error(m.error.message);
    expect(formatMatch(m.value)).toBe(want);
  });

  it.each([
    ["ip,nw_src=10.0.0.300", 11, "nw_src", /IPv4 address/],
    ["ip,bogus=1", 4, "bogus", /unknown field "bogus"/],
    ["tcp,udp", 5, "udp", /second protocol/],
    ["priority=70000", 10, "priority", /0-65535/],
    ["ip,priority=", 13, "priority", /0-65535/],
    ["priority=1x", 10, "priority", /0-65535/],
    ["priority=-1", 10, "priority", /0-65535/],
    ["priority=0000000065536", 10, "priority", /0-65535/],
    ["reg5=1,reg5=2", 8, "reg5", /given twice/],
    // The same token twice: the second comes from the parsed-token cache, and is still refused.
    ["reg5=0x7,reg5=0x7", 10, "reg5", /given twice/],
    ["ip,,tcp", 4, undefined, /empty field/],
    ["ip,", 4, undefined, /empty field/],
    // Not a protocol, though every object has it.
    ["ip,toString", 4, "toString", /unknown field or protocol/],
  ])("rejects %s at column %d", (text, column, field, message) => {
    const m = parseMatch(text);
    expect(m.ok).toBe(false);
    if (!m.ok) {
      expect(m.error.column).toBe(column);
      expect(m.error.field).toBe(field);
      expect(m.error.message).toMatch(message);
    }
  });

  // A match read inside its line (as the dump loader does) is the match read alone, errors at the same
  // columns of the line, whatever follows it in the line.
  it.each([
    ["priority=10,arp,in_port=2,arp_spa=192.168.10.5"],
    ["ip,nw_src=10.0.0.300"],
    ["tcp,udp"],
    ["priority=70000"],
    ["reg5=0x7,reg5=0x7"],
    ["ip,,tcp"],
    ["ip,"],
    ["ct_state=+new-est,ip,reg5=0xa"],
    [""],
  ])("reads %j inside a line as alone", (match) => {
    const head = " cookie=0x0, duration=5.1s, table=0, n_packets=0, n_bytes=0, ";
    const line = `${head}${match} actions=NORMAL,output:2`;
    const alone = parseMatch(match, head.length + 1);
    expect(parseMatchIn(line, head.length, head.length + match.length, head.length + 1)).toEqual(alone);
  });

  it("parses a token seen before (cached) the same as the first time, in any match", () => {
    const texts = [
      "ct_state=+new-est,ip,reg5=0xa",
      "reg5=0xa,tcp,tp_dst=0x1f40/0xffc0",
      "tp_dst=0x1f40/0xffc0",
    ];
    const first = texts.map((t) => parseMatch(t));
    // Far more distinct tokens than the cache keeps, so it empties and fills again in between.
    for (let i = 0; i < 40_000; i++) parseMatch(`reg7=${i}`);
    const again = texts.map((t) => parseMatch(t));
    expect(again).toEqual(first);
    const m = again[1];
    if (!m.ok) throw new Error(m.error.message);
    expect(formatMatch(m.value)).toBe("tcp,reg5=0xa,tp_dst=0x1f40/0xffc0");
  });

  it("compiles shorthands, masks, VLAN presence and port names", () => {
    const m = parseMatch('tcp,in_port="qvo1",dl_vlan=5,nw_src=10.0.0.0/8');
    if (!m.ok) throw new Error(m.error.message);
    const c = compileMatch(m.value, (name) => (name === "qvo1" ? 7 : undefined));
    if (!c.ok) throw new Error(c.message);
    const f = (n: string) => lookupField(n)!;
    expect(readField(c.value.value, f("dl_type"))).toBe(0x0800n);
    expect(readField(c.value.value, f("nw_proto"))).toBe(6n);
    expect(readField(c.value.value, f("in_port"))).toBe(7n);
    expect(readField(c.value.mask, f("vlan_tci"))).toBe(0x1fffn);
    expect(readField(c.value.value, f("vlan_tci"))).toBe(0x1005n);
    expect(readField(c.value.mask, f("nw_src"))).toBe(0xff000000n);
    expect(compileMatch(m.value).ok).toBe(false);
  });
});

/**
 * The slow, obvious compile: every field written with writeField, bigints and all, in the match's
 * order. compileMatch writes each distinct field once into a word patch and then applies it.
 */
function referenceCompile(m: Match, resolve: (name: string) => number): { mask: FlowKey; value: FlowKey } {
  const mask = newFlowKey();
  const value = newFlowKey();
  const put = (f: FieldDef, v: bigint, mk: bigint) => {
    writeField(mask, f, mk);
    writeField(value, f, v & mk);
  };
  if (m.shorthand) {
    const sh = SHORTHANDS[m.shorthand];
    put(FIELD.dl_type, BigInt(sh.dlType), 0xffffn);
    if (sh.nwProto !== undefined) put(FIELD.nw_proto, BigInt(sh.nwProto), 0xffn);
  }
  for (const f of m.fields) {
    if (f.field === FIELD.dl_vlan || f.field === FIELD.dl_vlan_pcp) {
      const bits = BigInt(wordBits(f.field));
      const present = BigInt(VLAN_CFI);
      writeField(mask, FIELD.vlan_tci, present | bits);
      writeField(value, FIELD.vlan_tci, present | ((f.value.value << BigInt(wordShift(f.field))) & bits));
    } else {
      const v = f.value.portName ? BigInt(resolve(f.value.portName.name)) : f.value.value;
      put(f.field, v, f.value.mask);
    }
  }
  return { mask, value };
}

describe("compileMatch agrees with writing each field with writeField", () => {
  const tricky = [
    "tcp,reg5=0xa,tp_dst=0x1f40/0xffc0",
    "ct_state=+new-est,ip,reg5=0xa,nw_src=10.0.0.1/32",
    "vlan_tci=0x1000/0x1000,dl_vlan=5",
    "dl_vlan=5,vlan_tci=0x1123/0x1fff",
    "dl_vlan_pcp=3,dl_vlan=7",
    "arp,arp_spa=10.0.0.1,arp_op=2,arp_sha=fa:16:3e:00:00:01",
    "tun_id=0x123456789/0xffffffff0,metadata=0x5,dl_src=fa:16:3e:00:00:01/ff:ff:ff:00:00:00",
    "ipv6,ipv6_src=fd00::1/64,ipv6_label=0x12345,nd_target=fd00::2",
    "xreg1=0x100000002/0xffffffff0000000f,xxreg0=0x1/0x1,reg3=0x7",
    "icmp,icmp_type=8,icmp_code=0,nw_tos=0x10,ip_dscp=4,nw_ecn=1",
    "mpls,mpls_label=100,mpls_tc=3,mpls_bos=1",
    "",
  ];
  /** Port names (`in_port="patch-int"` in --names dumps) resolve to a number made from the name. */
  const resolve = (name: string) => name.length * 7;
  const check = (text: string) => {
    const m = parseMatch(text);
    if (!m.ok) throw new Error(m.error.message);
    const want = referenceCompile(m.value, resolve);
    // Twice: the second time every field's patch is the one kept from the first.
    for (let i = 0; i < 2; i++) {
      const c = compileMatch(m.value, resolve);
      if (!c.ok) throw new Error(c.message);
      expect([...c.value.mask], text).toEqual([...want.mask]);
      expect([...c.value.value], text).toEqual([...want.value]);
    }
  };
  it.each(tricky)("%s", check);
  it.skipIf(skipWithoutShared(NEEDS.labs))("every match of the lab dumps", () => {
    const matches = labMatches();
    expect(matches.length).toBeGreaterThan(2500);
    for (const m of matches) check(m.text);
  });
});
