/**
 * Text for `ovspath replay`: one line per frame with its verdict, the explanation under each drop (the
 * dropping flow, the near misses), then the conversations and the drop summary. Everything that came
 * from a capture or a dump goes through escapeText.
 */

import { dropsOf } from "../explain/branches.js";
import type { Conversation, DropGroup } from "../explain/conversations.js";
import { formatNearMiss } from "../explain/near-miss.js";
import type { FrameVerdict, Hop, PathTree } from "../explain/types.js";
import { escapeText } from "../util/escape.js";

const LABEL: Readonly<Record<FrameVerdict["verdict"], string>> = {
  delivered: "DELIVERED",
  tunneled: "TUNNELED",
  dropped: "DROPPED",
  controller: "CONTROLLER",
  loop: "LOOP",
  "no-ingress": "NO-INGRESS",
};

export function hopText(h: Hop): string {
  const where = h.bridge ? `${h.bridge}:${h.port}` : h.port;
  const seg = h.segment ? `[${h.segment}]` : "";
  const mark = h.kind === "drop" ? "✗ " : h.kind === "tunnel-out" ? "⇒ " : h.kind === "tunnel-in" ? "⇐ " : "";
  // A firewall crossing: the qbr's iptables, the chain that decided and how.
  if (h.kind === "firewall")
    return escapeText(`[iptables ${h.bridge ?? ""} ${h.chain ?? ""}: ${h.verdict ?? ""}]`);
  return escapeText(`${mark}${where}${seg}`);
}

/** "tap… → qbr… → qvb… → br-int:qvo…[vlan 1] → br-tun:patch-int ⇒ br-tun:vxlan-0a00000c[vxlan 100 to 10.0.0.12] | compute2: …" */
export function pathText(hops: readonly Hop[]): string {
  const parts: string[] = [];
  let host: string | undefined;
  for (const h of hops) {
    const prefix = h.host !== host ? `${escapeText(h.host)}: ` : "";
    host = h.host;
    parts.push(`${prefix}${hopText(h)}`);
  }
  return parts.join(" → ");
}

/** The hops of one tree node, one line per host: "compute1: br-int:qvo… → br-tun:patch-int". */
function hostLines(hops: readonly Hop[]): string[] {
  const lines: string[] = [];
  let host: string | undefined;
  let parts: string[] = [];
  const flush = () => {
    if (host !== undefined) lines.push(`${escapeText(host)}: ${parts.join(" → ")}`);
  };
  for (const h of hops) {
    if (h.host !== host) {
      flush();
      host = h.host;
      parts = [];
    }
    parts.push(hopText(h));
  }
  flush();
  return lines;
}

/** The path as a tree: the shared hops, then each flood/tunnel fork indented under them, by host. */
export function treeLines(t: PathTree): string[] {
  const lines = hostLines(t.hops);
  const forks = t.forks.filter((f) => f.hops.length > 0 || f.forks.length > 0);
  forks.forEach((f, i) => {
    const last = i === forks.length - 1;
    treeLines(f).forEach((l, j) => {
      lines.push(`${j === 0 ? (last ? "└─ " : "├─ ") : last ? "   " : "│  "}${l}`);
    });
  });
  return lines;
}

const INDENT = "         ";

export function frameLines(summary: string, time: string, v: FrameVerdict, verbose: boolean): string[] {
  const label = v.partial ? `${LABEL[v.verdict]} (PARTLY DROPPED)` : LABEL[v.verdict];
  const lines = [
    `${String(v.frame).padStart(6)} ${time.padStart(11)} ${summary}  ${label} ${escapeText(v.summary)}`,
  ];
  if (verbose && v.hops.length > 0) {
    const tree = v.tree ? treeLines(v.tree) : [pathText(v.hops)];
    tree.forEach((l, i) => {
      lines.push(i === 0 ? `${INDENT}path: ${l}` : `${INDENT}      ${l}`);
    });
  }
  const drops = dropsOf(v);
  for (const d of drops) {
    // Each dropped branch is explained, named by host when the frame went elsewhere too.
    const which =
      v.partial || drops.length > 1
        ? ` (${escapeText(d.host)}${v.partial ? ", other branches got through" : ""})`
        : "";
    lines.push(`         why${which}: ${escapeText(d.detail)}`);
    if (d.flow)
      lines.push(
        `         flow: ${escapeText(`${d.flow.file}:${d.flow.line} cookie ${d.flow.cookie}: ${d.flow.text}`)}`,
      );
    for (const n of d.nearMisses) lines.push(`         near miss: ${escapeText(formatNearMiss(n))}`);
    if (d.port) lines.push(`         neutron port: ${escapeText(d.port)}`);
    for (const n of d.firewallNearMisses ?? [])
      lines.push(
        `         near miss: ${escapeText(`${n.file}:${n.line}: ${n.rule}: ${n.failed.join("; ")}`)}`,
      );
  }
  return lines;
}

export function conversationLines(convs: readonly Conversation[]): string[] {
  const out = ["", `== conversations (${convs.length})`];
  for (const c of convs) {
    const counts = [
      ...Object.entries(c.verdicts).map(([k, n]) => `${n} ${k}`),
      ...(c.partlyDropped > 0 ? [`${c.partlyDropped} partly dropped`] : []),
    ].join(", ");
    out.push(`${escapeText(c.name)}: ${c.frames} frames (${counts}), first frame ${c.firstFrame}`);
    for (const p of c.paths) out.push(`    ${escapeText(p)}`);
  }
  return out;
}

export function dropLines(groups: readonly DropGroup[]): string[] {
  const out = ["", `== drops (${groups.reduce((n, g) => n + g.frames.length, 0)} frames)`];
  for (const g of groups) {
    const frames = g.frames.slice(0, 12).join(",") + (g.frames.length > 12 ? ",…" : "");
    out.push(
      `${String(g.frames.length).padStart(6)}  ${escapeText(`${g.host} ${g.bridge}${g.table !== undefined ? ` table ${g.table}` : ""}`)}  ${g.reason}: ${escapeText(g.detail)}  (frames ${frames})`,
    );
  }
  return out;
}
