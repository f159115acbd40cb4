/**
 * How `ovspath topo --ovn` shows the logical network: a text tree (switches and routers, their ports
 * and where each is bound and plugged; chassis with their encapsulations and tunnels; findings), and
 * the same as a graph in Graphviz DOT and Mermaid (logical datapaths, ports inside their chassis,
 * router links, Geneve tunnels between chassis). Pure; every name from a dump is escaped.
 */
import type { LogicalPort, OvnTopology } from "../ovn/topology.js";
import { escapeText } from "../util/escape.js";
import { quotedLabel } from "./topo-view.js";

const e = escapeText;

function portText(p: LogicalPort): string {
  const bits: string[] = [];
  if (p.type) bits.push(p.type);
  if (p.tunnelKey !== undefined) bits.push(`key ${p.tunnelKey}`);
  if (p.addresses.length) bits.push(p.addresses.map(e).join(" "));
  if (p.peer) bits.push(`↔ ${e(p.peer)}`);
  if (p.network) bits.push(`network ${e(p.network)}`);
  if (p.chassis) bits.push(`on chassis ${e(p.chassis)}`);
  else if (p.type === "") bits.push("bound to no chassis");
  if (p.plugged)
    bits.push(
      `plugged: ${e(p.plugged.host)} ${e(p.plugged.bridge)} ${e(p.plugged.interface)}${p.plugged.ofport !== undefined ? ` (ofport ${p.plugged.ofport})` : ""}`,
    );
  return `    ${e(p.name)}  ${bits.join(", ")}`;
}

export function ovnTopoText(t: OvnTopology): string[] {
  const out: string[] = ["OVN logical network"];
  for (const d of t.datapaths) {
    out.push(`  ${d.kind} ${e(d.name)}${d.tunnelKey !== undefined ? ` (datapath key ${d.tunnelKey})` : ""}`);
    for (const p of d.ports) out.push(portText(p));
  }
  for (const c of t.chassis) {
    const encaps =
      c.encaps.map((x) => `${e(x.type)} ${e(x.ip)}${x.csum ? " (csum)" : ""}`).join(", ") || "no encap";
    out.push(`  chassis ${e(c.name)}${c.host ? ` (host ${e(c.host)})` : " (not loaded)"}: ${encaps}`);
    if (c.bound.length) out.push(`    bound: ${c.bound.map(e).join(", ")}`);
    for (const tun of c.tunnels)
      out.push(
        `    tunnel ${e(tun.port)} → ${tun.chassis ? `chassis ${e(tun.chassis)}` : "no known chassis"} (${e(tun.remote)})`,
      );
  }
  out.push(`findings: ${t.findings.length === 0 ? "none" : t.findings.length}`);
  for (const f of t.findings) {
    out.push(`  ${f.severity}: ${e(f.message)}  [${f.kind}]`);
    for (const ev of f.evidence) if (ev.file) out.push(`      ${e(ev.file)}:${ev.line}`);
  }
  return out;
}

interface Graph {
  clusters: Array<[string, Array<[string, string]>]>;
  edges: Array<[string, string, string]>;
}

const id = (kind: string, name: string) => `${kind}_${name.replace(/[^A-Za-z0-9_]/g, "_")}`;

function graphOf(t: OvnTopology): Graph {
  const logical: Array<[string, string]> = t.datapaths.map((d) => [
    id(d.kind, d.name),
    `${d.name}\n${d.kind}`,
  ]);
  const clusters: Graph["clusters"] = [["logical", logical]];
  const edges: Graph["edges"] = [];
  const byChassis = new Map<string, Array<[string, string]>>();
  for (const d of t.datapaths)
    for (const p of d.ports) {
      if (p.type === "router" && d.kind === "switch" && p.peer) {
        const router = t.datapaths.find((x) => x.kind === "router" && x.ports.some((q) => q.name === p.peer));
        if (router) edges.push([id("switch", d.name), id("router", router.name), `${p.name} ↔ ${p.peer}`]);
        continue;
      }
      if (d.kind === "router") continue;
      const where = p.chassis ?? "(unbound)";
      const list = byChassis.get(where) ?? [];
      list.push([id("port", p.name), `${p.name}\n${p.addresses.join(" ")}`]);
      byChassis.set(where, list);
      edges.push([id("switch", d.name), id("port", p.name), ""]);
    }
  for (const c of t.chassis) {
    const nodes = byChassis.get(c.name) ?? [];
    nodes.push([id("chassis", c.name), `${c.name}\n${c.encaps.map((x) => `${x.type} ${x.ip}`).join("\n")}`]);
    clusters.push([`chassis ${c.name}`, nodes]);
    for (const tun of c.tunnels)
      if (tun.chassis && c.name < tun.chassis)
        edges.push([id("chassis", c.name), id("chassis", tun.chassis), "geneve"]);
  }
  const unbound = byChassis.get("(unbound)");
  if (unbound) clusters.push(["bound to no chassis", unbound]);
  return { clusters, edges };
}

const dot = (s: string) => quotedLabel(s, (l) => l.replace(/["\\]/g, "\\$&"), "\\n");
const mermaid = (s: string) => quotedLabel(s, (l) => l.replace(/"/g, "#quot;"), "<br/>");

export function ovnTopoDot(t: OvnTopology): string {
  const g = graphOf(t);
  const lines = ["digraph ovn {", "  rankdir=LR;", "  node [shape=box, fontname=monospace];"];
  g.clusters.forEach(([label, nodes], i) => {
    lines.push(`  subgraph cluster_${i} {`, `    label=${dot(label)};`);
    for (const [n, l] of nodes) lines.push(`    ${n} [label=${dot(l)}];`);
    lines.push("  }");
  });
  for (const [a, b, l] of g.edges) lines.push(`  ${a} -> ${b}${l ? ` [label=${dot(l)}]` : ""};`);
  lines.push("}");
  return lines.join("\n");
}

export function ovnTopoMermaid(t: OvnTopology): string {
  const g = graphOf(t);
  const lines = ["flowchart LR"];
  g.clusters.forEach(([label, nodes], i) => {
    lines.push(`  subgraph c_${i}[${mermaid(label)}]`);
    for (const [n, l] of nodes) lines.push(`    ${n}[${mermaid(l)}]`);
    lines.push("  end");
  });
  for (const [a, b, l] of g.edges) lines.push(`  ${a} -->${l ? `|${mermaid(l)}|` : ""} ${b}`);
  return lines.join("\n");
}
