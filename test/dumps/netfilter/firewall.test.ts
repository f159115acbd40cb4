/** A host's firewall from its dumps: the best source per family, sets, conntrack seeds, what is lost. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadHosts } from "../../../src/dumps/host/load.js";
import { parseConntrackList } from "../../../src/dumps/netfilter/conntrack-list.js";
import { firewallOfDumps, firewallsOf } from "../../../src/dumps/netfilter/firewall.js";
import { FwConntrack } from "../../../src/firewall/conntrack.js";
import { FW_SOS, hostFile } from "../../firewall/support.js";

describe("firewallOfDumps", () => {
  it("the recorded host: iptables-save over the listings, its ipsets and conntrack entries", async () => {
    const [h] = await loadHosts("fixtures/firewall/host1");
    const fw = firewallOfDumps(h.dumps)!;
    expect(fw.v4?.source).toBe("save");
    expect(fw.v6?.source).toBe("save");
    expect(fw.sources.ipv4?.[0]).toMatch(/iptables-save_-c$/);
    expect(fw.conntrack.size).toBeGreaterThan(5);
    expect(fw.lost).toEqual([]);
    const member = { family: "ipv4", src: 0x0a000007n } as never;
    expect(fw.sets.has("NIPv4a1b2c3d4-e5f6-4a7b-8c9d-", member, ["src"])).toBe(true);
    expect(fw.sets.has("NIPv4absent", member, ["src"])).toBeUndefined();
  });
  it("a host with no firewall dump has none; firewallsOf keys hosts by name", async () => {
    const hosts = await loadHosts("fixtures/hosts/linux-host");
    expect(firewallOfDumps(hosts[0].dumps)).toBeUndefined();
    expect([...firewallsOf(await loadHosts("fixtures/demo/hosts")).keys()]).toEqual(["compute1"]);
  });
});

describe("sosreport's firewall file names (sos plugins firewall_tables, networking, conntrack)", () => {
  const save = readFileSync(join(FW_SOS, "firewall_tables/iptables-save_-c"), "utf8");
  const save6 = readFileSync(join(FW_SOS, "firewall_tables/ip6tables-save_-c"), "utf8");
  const ct = readFileSync(join(FW_SOS, "conntrack/conntrack_-L_-o_extended"), "utf8");
  const fwt = (f: string) => readFileSync(join(FW_SOS, "firewall_tables", f), "utf8");
  const ns = "qrouter-8c2d4e6f-1a3b-4c5d-9e7f-0123456789a1";
  // Path under the sosreport root → its content and the dump kind it must be read as.
  const files: Array<[string, string, string]> = [
    ["sos_commands/firewall_tables/nft_-a_list_ruleset", fwt("nft_-a_list_ruleset"), "nftRuleset"],
    ["sos_commands/firewall_tables/iptables_-vnxL", fwt("iptables_-vnxL"), "iptablesList"],
    ["sos_commands/firewall_tables/ip6tables_-vnxL", fwt("ip6tables_-vnxL"), "ip6tablesList"],
    ["sos_commands/firewall_tables/iptables_-t_raw_-nvL", fwt("iptables_-t_raw_-nvL"), "iptablesList"],
    [
      "sos_commands/firewall_tables/ip6tables_-t_mangle_-nvL",
      fwt("ip6tables_-t_mangle_-nvL"),
      "ip6tablesList",
    ],
    // sos ≥ 4.5: per namespace under networking/namespaces/NS/; before, in networking/ itself.
    [`sos_commands/networking/namespaces/${ns}/ip_netns_exec_${ns}_iptables-save`, save, "iptablesSave"],
    [`sos_commands/networking/namespaces/${ns}/ip_netns_exec_${ns}_ip6tables-save`, save6, "ip6tablesSave"],
    ["sos_commands/networking/ip_netns_exec_qdhcp-1_iptables-save", save, "iptablesSave"],
    ["sos_commands/conntrack/conntrack_-L_-o_extended", ct, "conntrackList"],
    // A router namespace's connections (other addresses): not the bridges'.
    [
      `sos_commands/conntrack/ip_netns_exec_${ns}_conntrack_-L_-o_extended`,
      ct.replace(/=10\.0\.0\./g, "=10.99.0."),
      "conntrackList",
    ],
    // What an operator pastes beside it (sos collects no ipset), by name and by content.
    ["ipset_list", hostFile("ipset_list"), "ipsetList"],
    ["ipset_save", hostFile("ipset_save"), "ipsetSave"],
    ["firewall_tables/iptables-save_-c", save, "iptablesSave"],
    ["pasted/rules-v4.txt", save, "iptablesSave"],
    ["pasted/rules-v6.txt", save6, "ip6tablesSave"],
    ["pasted/sets.txt", hostFile("ipset_list"), "ipsetList"],
    ["pasted/ct.txt", ct, "conntrackList"],
    ["pasted/ruleset.nft", fwt("nft_-a_list_ruleset"), "nftRuleset"],
    ["pasted/filter-listing.txt", fwt("iptables_-vnxL"), "iptablesList"],
  ];
  const root = mkdtempSync(join(tmpdir(), "ovspath-sos-fw-"));
  for (const [path, text] of files) {
    mkdirSync(join(root, dirname(path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  // Loaded once for every row.
  const loaded = loadHosts(root);

  it.each(files.map(([path, , kind]) => [path, kind]))("%s is read as %s", async (path, kind) => {
    const hosts = await loaded;
    const read = hosts.flatMap(
      (h) => (h.dumps[kind as keyof typeof h.dumps] as Array<{ file: string }>) ?? [],
    );
    expect(read.map((l) => l.file.slice(root.length + 1))).toContain(path);
  });

  it("the host's firewall: a root namespace's save, not a namespace's; conntrack from the root's dumps only", async () => {
    const [h] = await loaded;
    const fw = firewallOfDumps(h.dumps)!;
    expect(fw.v4?.source).toBe("save");
    expect(fw.sources.ipv4?.[0]).not.toMatch(/ip_netns_exec_/);
    // conntrack_-L_-o_extended and the pasted ct.txt; not the qrouter namespace's copy.
    const want = new FwConntrack();
    for (const d of [ct, ct]) for (const e of parseConntrackList(d, "x").value) want.add(e);
    expect(fw.conntrack.size).toBe(want.size);
    expect(h.dumps.conntrackList.length).toBe(3);
  });
});
