import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { describe, expect, it } from "vitest";
import { lookupField, readField } from "../../src/model/fields.js";
import { compileMatch, formatMatch, parseMatch } from "../../src/model/match.js";
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
    ["reg5=1,reg5=2", 8, "reg5", /given twice/],
    // The same token twice: the second comes from the parsed-token cache, and is still refused.
    ["reg5=0x7,reg5=0x7", 10, "reg5", /given twice/],
    ["ip,,tcp", 4, undefined, /empty field/],
  ])("rejects %s at column %d", (text, column, field, message) => {
    const m = parseMatch(text);
    expect(m.ok).toBe(false);
    if (!m.ok) {
      expect(m.error.column).toBe(column);
      expect(m.error.field).toBe(field);
      expect(m.error.message).toMatch(message);
    }
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
