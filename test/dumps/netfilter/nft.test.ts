/** nft -a list ruleset: read (tables, chains, hooks, rules and handles) and counted; its rules read back in nft-rules.test.ts. */
import { describe, expect, it } from "vitest";
import { parseNftRuleset } from "../../../src/dumps/netfilter/nft.js";
import { sos } from "../../firewall/support.js";

describe("the recorded nft -a list ruleset", () => {
  const r = parseNftRuleset(sos("firewall_tables/nft_-a_list_ruleset"), "nft");
  it("reads the tables iptables-nft made, rule for rule", () => {
    expect(r.diagnostics).toEqual([]);
    // The same rule counts as iptables-save: raw 14 and filter 73 (IPv4), raw 14 and filter 93 (IPv6).
    expect(
      r.value.tables.map((t) => [t.family, t.name, t.chains.reduce((n, c) => n + c.rules.length, 0)]),
    ).toEqual([
      ["ip", "filter", 73],
      ["ip", "raw", 14],
      ["ip6", "filter", 93],
      ["ip6", "raw", 14],
    ]);
    const fwd = r.value.tables[0].chains.find((c) => c.name === "FORWARD")!;
    expect([fwd.hook, fwd.policy]).toEqual(["forward", "accept"]);
    expect(fwd.rules.every((x) => x.handle !== null)).toBe(true);
    // physdev, set and CT rules are opaque to nft.
    expect(r.value.opaque).toBeGreaterThan(20);
  });

  it("reports a stray line and an unbalanced brace", () => {
    const r2 = parseNftRuleset("table ip t {\n\tchain c {\n\t\tbogus {\n\t}\n}\n}\n}", "f");
    expect(r2.diagnostics.map((d) => [d.line, d.column])).toEqual([
      [3, 3],
      [7, 1],
    ]);
  });
});
