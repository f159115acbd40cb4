/**
 * -nvL / -vnxL listings (sosreport's firewall_tables): every rule of the recorded host's listings maps
 * back to the very rule iptables-save printed, in order; a listing phrase we do not know is a warning
 * and an undecidable rule, never a silently dropped one.
 */
import { describe, expect, it } from "vitest";
import { parseIptablesListing } from "../../../src/dumps/netfilter/iptables-list.js";
import { parseIptablesSave } from "../../../src/dumps/netfilter/iptables-save.js";
import { sos } from "../../firewall/support.js";

describe("the recorded listings map back to iptables-save's rules", () => {
  it.each([
    ["iptables", "ipv4", "iptables_-vnxL", "filter"],
    ["iptables", "ipv4", "iptables_-t_filter_-nvL", "filter"],
    ["iptables", "ipv4", "iptables_-t_raw_-nvL", "raw"],
    ["ip6tables", "ipv6", "ip6tables_-vnxL", "filter"],
    ["ip6tables", "ipv6", "ip6tables_-t_raw_-nvL", "raw"],
  ] as const)("%s: %s (%s)", (pre, family, file, table) => {
    const save = parseIptablesSave(sos(`firewall_tables/${pre}-save_-c`), "s", family).value.tables.get(
      table,
    )!;
    const { value, diagnostics } = parseIptablesListing(sos(`firewall_tables/${file}`), file, family, table);
    expect(diagnostics).toEqual([]);
    expect(value.source).toBe("listing");
    expect(value.lost.length).toBeGreaterThan(0);
    const chains = value.tables.get(table)!.chains;
    expect([...chains.keys()].sort()).toEqual([...save.chains.keys()].sort());
    for (const [name, c] of chains) {
      const want = save.chains.get(name)!;
      expect(c.rules.map((r) => r.text)).toEqual(want.rules.map((r) => r.text));
      expect(c.policy).toBe(want.policy);
    }
  });
});

const LISTING = [
  "Chain FORWARD (policy DROP 0 packets, 0 bytes)",
  " pkts bytes target     prot opt in     out     source               destination         ",
  "    5   300 ACCEPT     6    --  qbr+   *       10.0.0.0/8           0.0.0.0/0            tcp dpts:1000:2000 flags:0x17/0x02",
  "    0     0            0    --  *      *       0.0.0.0/0            0.0.0.0/0            ",
  "    1    60 DROP       0    --  *      *       0.0.0.0/0            0.0.0.0/0            quota: 100 bytes",
  "    2    80 REJECT     17   --  *      *       !10.1.0.0/16         0.0.0.0/0            multiport dports 53,5353 reject-with icmp-port-unreachable",
  "    x     y   garbage",
].join("\n");

describe("listing phrases", () => {
  const { value, diagnostics } = parseIptablesListing(LISTING, "f", "ipv4", "filter");
  const rules = value.tables.get("filter")!.chains.get("FORWARD")!.rules;

  it("maps ranges, flags, negation, counters-only rules and target options back", () => {
    expect(rules.map((r) => r.text)).toEqual([
      "-A FORWARD -s 10.0.0.0/8 -i qbr+ -p tcp -m tcp --dport 1000:2000 --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT",
      "-A FORWARD",
      '-A FORWARD -m listing-only --text "quota: 100 bytes" -j DROP',
      "-A FORWARD ! -s 10.1.0.0/16 -p udp -m multiport --dports 53,5353 -j REJECT --reject-with icmp-port-unreachable",
    ]);
    expect(rules[0].counters).toEqual({ packets: 5, bytes: 300 });
    expect(value.tables.get("filter")!.chains.get("FORWARD")!.policy).toBe("DROP");
  });

  it("warns about a phrase it cannot map and reports the damaged line", () => {
    expect(diagnostics.map((d) => [d.severity, d.line, d.column])).toEqual([
      ["warning", 5, 90],
      ["error", 7, 5],
    ]);
    expect(diagnostics[0].message).toMatch(/undecidable/);
  });
});
