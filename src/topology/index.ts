/** Topology of one or many loaded hosts: devices, each Neutron port's path, and findings. */
import type { Host } from "../dumps/host/load.js";
import { buildHostTopology } from "./build.js";
import { findings } from "./findings.js";
import { firewallTopology } from "./firewall.js";
import type { Topology, VmPath } from "./model.js";
import { vmPaths } from "./paths.js";

export { TUNNEL_OVERHEAD } from "./findings.js";
export type * from "./model.js";

export function buildTopology(hosts: readonly Host[]): Topology {
  const topologies = hosts.map(buildHostTopology);
  const paths = vmPaths(topologies);
  return {
    hosts: topologies,
    paths,
    findings: [...findings(topologies, paths), ...firewallTopology(hosts, paths)],
  };
}

/**
 * Selects paths by a VM identity: port or device name (tap…/qvo…/qbr…), port-id (or its prefix),
 * MAC, VM uuid, or an IP the flows associate with a MAC or a port.
 */
export function selectPaths(t: Topology, query: string): VmPath[] {
  const q = query.toLowerCase();
  const byIp = new Set<string>();
  for (const h of t.hosts)
    for (const hint of h.ipHints.filter((x) => x.ip === q)) {
      if (hint.mac) byIp.add(`mac:${hint.mac}`);
      if (hint.ofport !== undefined) {
        const p = h.bridges.find((b) => b.name === "br-int")?.ports.find((x) => x.ofport === hint.ofport);
        if (p) byIp.add(`port:${h.host}:${p.name}`);
      }
    }
  return t.paths.filter((p) => {
    const suffix = p.port.slice(3);
    return (
      p.port === query ||
      p.hops.some((h) => h.name === query) ||
      (suffix.length === 11 && query.endsWith(suffix) && /^(tap|qvo|qvb|qbr)/.test(query)) ||
      p.mac === q ||
      p.vmUuid === q ||
      (p.ifaceId !== undefined && (p.ifaceId === q || (q.length >= 8 && p.ifaceId.startsWith(q)))) ||
      byIp.has(`mac:${p.mac}`) ||
      byIp.has(`port:${p.host}:${p.port}`)
    );
  });
}
