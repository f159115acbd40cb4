/**
 * How `ovspath topo` shows a topology: a text tree per Neutron port, Graphviz DOT and Mermaid (the
 * same graph: one cluster per host, one node per device, one edge per hop). Pure; every name from a
 * dump is escaped for its output format.
 */
import type { Hop, Topology, VmPath } from "../topology/index.js";
import { escapeText } from "../util/escape.js";

const KIND_LABEL: Record<Hop["kind"], string> = {
  vm: "VM",
  tap: "tap",
  "linux-bridge": "linux bridge",
  veth: "veth",
  "ovs-port": "port",
  "ovs-bridge": "bridge",
  patch: "patch",
  tunnel: "tunnel",
  nic: "NIC",
  "remote-host": "host",
};

function hopText(h: Hop): string {
  const bits: string[] = [KIND_LABEL[h.kind]];
  if (h.bridge && h.kind !== "ovs-bridge")
    bits.push(`${h.bridge}${h.ofport !== undefined ? ` port ${h.ofport}` : ""}`);
  if (h.tag !== undefined) bits.push(h.kind === "ovs-bridge" ? `local VLAN ${h.tag}` : `tag ${h.tag}`);
  if (h.detail) bits.push(h.detail);
  return `${escapeText(h.name)} [${bits.map(escapeText).join(", ")}]`;
}

/** Veth and patch pairs are joined with ⇄, other hops with →. */
function chain(hops: readonly Hop[]): string {
  let s = "";
  hops.forEach((h, i) => {
    if (i > 0) {
      const prev = hops[i - 1];
      const pair =
        (prev.kind === "veth" && h.kind === "ovs-port") || (prev.kind === "patch" && h.kind === "patch");
      s += pair ? " ⇄ " : " → ";
    }
    s += hopText(h);
  });
  return s;
}

export function topoText(t: Topology, paths: readonly VmPath[]): string[] {
  const out: string[] = [];
  for (const h of t.hosts) {
    const mine = paths.filter((p) => p.host === h.host);
    if (mine.length === 0) continue;
    out.push(
      `host ${escapeText(h.host)}${h.localIps.size ? `  (tunnel endpoint ${[...h.localIps].join(", ")})` : ""}`,
    );
    for (const s of h.segments) {
      const seg = s.segmentationId === undefined ? s.type : `${s.type} ${s.segmentationId}`;
      const ev = [s.inbound ? "in" : "no inbound flow", s.outbound ? "out" : ""].filter(Boolean).join("/");
      out.push(`  local VLAN ${s.localVlan} ↔ ${seg}  (${ev})`);
    }
    for (const p of mine) {
      const who = [
        p.role,
        p.mac && `mac ${p.mac}`,
        p.ifaceId && `port-id ${p.ifaceId}`,
        p.vmUuid && `vm ${p.vmUuid}`,
      ]
        .filter(Boolean)
        .map((x) => escapeText(String(x)));
      out.push(`  ${escapeText(p.port)}  ${who.join("  ")}`);
      out.push(`    ${chain(p.hops)}`);
      for (const e of p.exits) out.push(`      ↳ ${chain(e)}`);
      if (p.exits.length === 0) out.push(`      ↳ (no way out of the host)`);
      const fw = p.firewall;
      if (fw) {
        const zone =
          fw.zone === undefined
            ? "zone not in the dumps"
            : fw.zone === null
              ? "untracked"
              : `zone ${fw.zone}`;
        out.push(
          `    security group (iptables on its qbr): ${fw.mode}, ${zone}${fw.ipsets.length ? `, ipsets ${fw.ipsets.map(escapeText).join(" ")}` : ""}`,
        );
        for (const [dir, rules] of [
          ["ingress", fw.ingress],
          ["egress", fw.egress],
        ] as const)
          for (const r of rules) out.push(`      ${dir} ${escapeText(`${r.file}:${r.line}: ${r.rule}`)}`);
      }
      if (p.peers.length)
        out.push(
          `    same network elsewhere: ${p.peers.map((x) => `${escapeText(x.host)}/${escapeText(x.port)}${x.mac ? ` (${x.mac})` : ""}`).join(", ")}  via ${p.peers[0].via}`,
        );
    }
  }
  out.push(`findings: ${t.findings.length === 0 ? "none" : t.findings.length}`);
  for (const f of t.findings) {
    out.push(`  ${f.severity} ${escapeText(f.host)}: ${escapeText(f.message)}  [${f.kind}]`);
    for (const e of f.evidence) out.push(`      ${escapeText(e.file)}:${e.line}`);
  }
  return out;
}

interface Graph {
  clusters: Map<string, Map<string, string>>;
  edges: Array<[string, string, string]>;
}

const nodeId = (h: Hop) => `n_${`${h.host}__${h.name}`.replace(/[^A-Za-z0-9_]/g, "_")}`;

function graphOf(paths: readonly VmPath[]): Graph {
  const g: Graph = { clusters: new Map(), edges: [] };
  const seen = new Set<string>();
  const add = (hops: readonly Hop[]) => {
    hops.forEach((h, i) => {
      const cluster = g.clusters.get(h.host) ?? new Map<string, string>();
      g.clusters.set(h.host, cluster);
      cluster.set(
        nodeId(h),
        `${h.name}\n${KIND_LABEL[h.kind]}${h.ofport !== undefined ? ` ${h.ofport}` : ""}${h.tag !== undefined && h.kind !== "ovs-bridge" ? ` vlan ${h.tag}` : ""}`,
      );
      if (i === 0) return;
      const a = nodeId(hops[i - 1]);
      const b = nodeId(h);
      const key = `${a}>${b}`;
      if (seen.has(key)) return;
      seen.add(key);
      g.edges.push([a, b, h.kind === "remote-host" ? (hops[i - 1].detail ?? "") : ""]);
    });
  };
  for (const p of paths) {
    add(p.hops);
    for (const e of p.exits) add([p.hops[p.hops.length - 1], ...e]);
  }
  return g;
}

/** A multi-line label: each line escaped for the terminal, then quoted for the format; lines joined its way. */
const quotedLabel = (s: string, quote: (line: string) => string, newline: string) =>
  `"${s
    .split("\n")
    .map((line) => quote(escapeText(line)))
    .join(newline)}"`;

const dotString = (s: string) => quotedLabel(s, (l) => l.replace(/["\\]/g, "\\$&"), "\\n");

export function topoDot(paths: readonly VmPath[]): string {
  const g = graphOf(paths);
  const lines = ["digraph ovspath {", "  rankdir=LR;", "  node [shape=box, fontname=monospace];"];
  let i = 0;
  for (const [host, nodes] of g.clusters) {
    lines.push(`  subgraph cluster_${i++} {`, `    label=${dotString(host)};`);
    for (const [id, label] of nodes) lines.push(`    ${id} [label=${dotString(label)}];`);
    lines.push("  }");
  }
  for (const [a, b, label] of g.edges)
    lines.push(`  ${a} -> ${b}${label ? ` [label=${dotString(label)}]` : ""};`);
  lines.push("}");
  return lines.join("\n");
}

const mermaidString = (s: string) => quotedLabel(s, (l) => l.replace(/"/g, "#quot;"), "<br/>");

export function topoMermaid(paths: readonly VmPath[]): string {
  const g = graphOf(paths);
  const lines = ["flowchart LR"];
  let i = 0;
  for (const [host, nodes] of g.clusters) {
    lines.push(`  subgraph host_${i++}[${mermaidString(host)}]`);
    for (const [id, label] of nodes) lines.push(`    ${id}[${mermaidString(label)}]`);
    lines.push("  end");
  }
  for (const [a, b, label] of g.edges)
    lines.push(`  ${a} -->${label ? `|${mermaidString(label)}|` : ""} ${b}`);
  return lines.join("\n");
}
