/**
 * nft's listing of iptables-nft's tables read back as rules, against the iptables-save of the same
 * kernel ruleset (both recorded by scripts/record-firewall.sh): every rule nft prints natively reads
 * back as iptables-save's line; the ones nft prints as opaque xtables extensions say what was lost.
 */
import { describe, expect, it } from "vitest";
import { parseIptablesSave } from "../../../src/dumps/netfilter/iptables-save.js";
import { parseNftRuleset } from "../../../src/dumps/netfilter/nft.js";
import type { Ruleset } from "../../../src/firewall/rule.js";
import { sos } from "../../firewall/support.js";

const nft = parseNftRuleset(sos("firewall_tables/nft_-a_list_ruleset"), "nft_-a_list_ruleset");
const saves = {
  ipv4: parseIptablesSave(sos("firewall_tables/iptables-save_-c"), "iptables-save_-c", "ipv4").value,
  ipv6: parseIptablesSave(sos("firewall_tables/ip6tables-save_-c"), "ip6tables-save_-c", "ipv6").value,
};

/** Each rule of a ruleset beside the same rule (same table, chain and place) of another. */
function pairs(rs: Ruleset, save: Ruleset): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [tn, t] of rs.tables)
    for (const [cn, c] of t.chains)
      for (const r of c.rules) {
        const want = save.tables.get(tn)?.chains.get(cn)?.rules[r.index];
        out.push([r.text, want?.text ?? "(none)"]);
      }
  return out;
}

// nft does not print iptables-nft's comments (xt comment is dropped from the listing).
const noComment = (s: string) => s.replace(/ -m comment --comment ("(?:[^"\\]|\\.)*"|\S+)/, "");

describe.each(["ipv4", "ipv6"] as const)("the recorded listing, %s", (family) => {
  const rs = nft.value.iptables[family]!;
  const all = pairs(rs, saves[family]);

  it("reads iptables-nft's tables, nothing unmapped", () => {
    expect(nft.diagnostics).toEqual([]);
    expect([...rs.tables.keys()]).toEqual(["filter", "raw"]);
    expect(rs.source).toBe("nft");
  });

  it("every rule nft prints natively is iptables-save's line (but its comment)", () => {
    const native = all.filter(([got]) => !got.includes("not in nft's listing"));
    expect(native.length).toBeGreaterThan(50);
    for (const [got, want] of native) expect(got).toBe(noComment(want));
  });

  it("an opaque extension says what nft lost; Neutron's zone rules get their bridge port back", () => {
    const lost = all.filter(([got]) => got.includes("not in nft's listing"));
    for (const [got, want] of lost) {
      // The raw table's zone rules: the port read from Neutron's layout, the zone lost.
      if (got.includes("-j CT (zone"))
        expect(got).toBe(noComment(want).replace(/--zone \d+/, "(zone not in nft's listing)"));
      else expect(noComment(want)).toContain(got.split(" (options")[0].split(" ").slice(-2).join(" "));
    }
    expect(lost.filter(([g]) => g.includes("-m physdev (options")).length).toBe(17);
    expect(rs.lost.join("\n")).toContain("the bridge port of 8 raw rule(s)");
  });
});

describe("nft expressions read back", () => {
  /** One chain of one rule (a second chain for jumps), in table ip filter. */
  const one = (rule: string) =>
    parseNftRuleset(
      `table ip filter {\n\tchain FORWARD {\n\t\ttype filter hook forward priority filter; policy drop;\n\t\t${rule}\n\t}\n\tchain x {\n\t}\n}\n`,
      "f",
    );
  it.each([
    ['iifname "tap*" counter packets 1 bytes 2 accept', "-A FORWARD -i tap+ -j ACCEPT"],
    ['oifname != "qvb1" drop', "-A FORWARD ! -o qvb1 -j DROP"],
    [
      "ip saddr != 10.0.0.0/8 tcp dport 22-23 jump x",
      "-A FORWARD ! -s 10.0.0.0/8 -p tcp -m tcp --dport 22:23 -j x",
    ],
    ["udp dport { 53, 67-68 } goto x", "-A FORWARD -p udp -m multiport --dports 53,67:68 -g x"],
    ["icmp type echo-request return", "-A FORWARD -p icmp -m icmp --icmp-type 8 -j RETURN"],
    ["ct state != established ct zone set 7", "-A FORWARD -m state ! --state ESTABLISHED -j CT --zone 7"],
    [
      "ether saddr fa:16:3e:00:00:01 meta mark set 0x1",
      "-A FORWARD -m mac --mac-source fa:16:3e:00:00:01 -j MARK --set-xmark 0x1/0xffffffff",
    ],
    [
      "xt match set counter packets 0 bytes 0 xt target CT",
      "-A FORWARD -m set (options not in nft's listing) -j CT (zone not in nft's listing)",
    ],
    [
      'xt match limit xt target "NFQUEUE"',
      "-A FORWARD -m limit (options not in nft's listing) -j NFQUEUE (options not in nft's listing)",
    ],
  ])("%s", (line, want) => {
    const r = one(line);
    expect(r.diagnostics).toEqual([]);
    const rules = r.value.iptables.ipv4!.tables.get("filter")!.chains.get("FORWARD")!;
    expect(rules.policy).toBe("DROP");
    expect(rules.rules[0].text).toBe(want);
  });

  it("an expression with no iptables form: a warning at its column, the rule kept and undecidable", () => {
    const r = one("meta pkttype host accept");
    expect(r.diagnostics.map((d) => [d.line, d.column, d.severity])).toEqual([[4, 3, "warning"]]);
    expect(r.diagnostics[0].message).toContain("meta pkttype host");
    const rule = r.value.iptables.ipv4!.tables.get("filter")!.chains.get("FORWARD")!.rules[0];
    const env = {
      hook: "FORWARD",
      devices: { bridge: "b", physIn: "i", physOut: "o" },
      ct: "NEW",
      sets: { has: () => undefined },
    } as const;
    expect(rule.matches[0].test({} as never, env)).toEqual({
      unknown: 'the nft expression "meta pkttype host" is not mapped back to iptables',
    });
  });

  it("a rule cut inside a quote: a warning, the rule kept and undecidable", () => {
    const r = one('iifname "tap1 accept');
    expect(r.diagnostics.map((d) => [d.line, d.column, d.message])).toEqual([
      [4, 11, "unterminated quote (the rule is undecidable)"],
    ]);
    const rule = r.value.iptables.ipv4!.tables.get("filter")!.chains.get("FORWARD")!.rules[0];
    expect(rule.text).toBe('-A FORWARD (nft expression "iifname \\"tap1 accept" not mapped back)');
  });

  it("an opaque physdev rule is read as Neutron's only beside an iifname qvb… rule with the same target", () => {
    const raw = (rules: string[]) =>
      parseNftRuleset(
        `table ip raw {\n\tchain neutron-openvswi-PREROUTING {\n${rules.map((x) => `\t\t${x}\n`).join("")}\t}\n}\n`,
        "f",
      )
        .value.iptables.ipv4!.tables.get("raw")!
        .chains.get("neutron-openvswi-PREROUTING")!
        .rules.map((r) => r.text);
    expect(raw(["xt match physdev notrack", 'iifname "qvb1" notrack', "xt match physdev notrack"])).toEqual([
      "-A neutron-openvswi-PREROUTING -m physdev --physdev-in qvb1 -j CT --notrack",
      "-A neutron-openvswi-PREROUTING -i qvb1 -j CT --notrack",
      "-A neutron-openvswi-PREROUTING -m physdev --physdev-in tap1 -j CT --notrack",
    ]);
    expect(raw(["xt match physdev notrack", 'iifname "qvb1" xt target CT'])[0]).toContain("(options not in");
  });
});
