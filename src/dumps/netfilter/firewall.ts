/**
 * A host's firewall from whatever its dumps hold, the best source per family: iptables-save (exact)
 * over the -nvL listings (lossy, merged table by table), and for the tables neither holds (an
 * iptables-nft host's sosreport lists only the filter table) nft's listing read back as rules.
 * Sets come from `ipset list`/`ipset save` (absent: membership unknown); conntrack is seeded from
 * `conntrack -L`. `lost` says what the dumps cannot tell, for `show` and the verdicts.
 */
import { FwConntrack } from "../../firewall/conntrack.js";
import type { HostFirewall } from "../../firewall/evaluate.js";
import { IpsetTable, NO_SETS } from "../../firewall/ipset.js";
import type { Family } from "../../firewall/packet.js";
import type { Ruleset } from "../../firewall/rule.js";
import type { HostDumps, Loaded } from "../host/load.js";
import type { NftRuleset } from "./nft.js";

/** A dump sos took inside a network namespace (`ip netns exec NS …`: qrouter/qdhcp namespaces). */
const NAMESPACED = /ip_netns_exec_/;

/** The root namespace's save, when several are there (qrouter/qdhcp namespaces hold their own). */
function preferRoot(list: Loaded<Ruleset>[]): Loaded<Ruleset> | undefined {
  return list.find((l) => !NAMESPACED.test(l.file)) ?? undefined;
}

function mergeListings(list: Loaded<Ruleset>[], family: Family): Ruleset | undefined {
  if (list.length === 0) return undefined;
  const rs: Ruleset = {
    family,
    file: list.map((l) => l.file).join(", "),
    source: "listing",
    tables: new Map(),
    lost: [],
  };
  for (const l of list) {
    for (const [name, t] of l.value.tables) if (!rs.tables.has(name)) rs.tables.set(name, t);
    for (const x of l.value.lost) if (!rs.lost.includes(x)) rs.lost.push(x);
  }
  return rs;
}

function rulesetFor(
  saves: Loaded<Ruleset>[],
  listings: Loaded<Ruleset>[],
  nft: Loaded<NftRuleset>[],
  family: Family,
  lost: string[],
): Ruleset | undefined {
  const save = preferRoot(saves);
  if (save) return save.value;
  const fromNft = nft.map((l) => l.value.iptables[family]).find((rs) => rs !== undefined);
  const merged = mergeListings(listings, family) ?? (fromNft && { ...fromNft, tables: new Map(), lost: [] });
  if (!merged) return undefined;
  const tool = family === "ipv4" ? "iptables" : "ip6tables";
  lost.push(...merged.lost.map((x) => `${tool} listing: ${x}`));
  // The tables no listing holds, from nft's listing (what it lost is said once).
  const added = [...(fromNft?.tables ?? [])].filter(([name]) => !merged.tables.has(name));
  for (const [name, t] of added) merged.tables.set(name, t);
  if (fromNft && added.length > 0) {
    merged.file = merged.source === "nft" ? fromNft.file : `${merged.file}, ${fromNft.file}`;
    lost.push(
      `${tool}: table(s) ${added.map(([n]) => n).join(", ")} read from nft's listing`,
      ...fromNft.lost.map((x) => `${tool}: ${x}`),
    );
  }
  if (!merged.tables.has("raw"))
    lost.push(
      `${tool}: no raw table in the dumps (sosreport lists only the tables in /proc/net/ip_tables_names, empty on iptables-nft hosts): Neutron's CT zone per port is unknown, conntrack is evaluated in one zone`,
    );
  return merged;
}

/** The firewall of a host, or undefined when its dumps hold no iptables rules at all. */
export function firewallOfDumps(d: HostDumps): HostFirewall | undefined {
  const lost: string[] = [];
  const v4 = rulesetFor(d.iptablesSave, d.iptablesList, d.nftRuleset, "ipv4", lost);
  const v6 = rulesetFor(d.ip6tablesSave, d.ip6tablesList, d.nftRuleset, "ipv6", lost);
  if (!v4 && !v6) return undefined;
  let sets = NO_SETS;
  const setDumps = [...d.ipsetList, ...d.ipsetSave];
  if (setDumps.length > 0) {
    const table = new IpsetTable();
    for (const l of setDumps) for (const s of l.value) table.add(s);
    sets = table;
  } else
    lost.push(
      "no `ipset list` in the dumps: rules matching an ipset (remote security groups) give both outcomes",
    );
  const conntrack = new FwConntrack();
  // The root namespace's table: a qrouter/qdhcp namespace's entries are not the bridges'.
  for (const l of d.conntrackList.filter((x) => !NAMESPACED.test(x.file)))
    for (const e of l.value) conntrack.add(e);
  const fw: HostFirewall = { sets, conntrack, sources: {}, lost };
  if (v4) {
    fw.v4 = v4;
    fw.sources.ipv4 = [v4.file];
  }
  if (v6) {
    fw.v6 = v6;
    fw.sources.ipv6 = [v6.file];
  }
  return fw;
}

/** Each host's firewall by host name (hosts without iptables dumps are left out). */
export function firewallsOf(
  hosts: ReadonlyArray<{ name: string; dumps: HostDumps }>,
): Map<string, HostFirewall> {
  const out = new Map<string, HostFirewall>();
  for (const h of hosts) {
    const fw = firewallOfDumps(h.dumps);
    if (fw) out.set(h.name, fw);
  }
  return out;
}
