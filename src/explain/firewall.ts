/**
 * The hybrid plug's firewall in a replay: a frame a VM sends through its tap crosses the qbr bridge
 * (its port's egress rules) before qvb/qvo and br-int; a frame br-int delivers to a hybrid-plugged qvo
 * crosses the qbr (its port's ingress rules) before the tap. Each crossing is a `firewall` hop; a drop
 * there becomes the frame's verdict, reason "security-group", with the rule, its file:line, the Neutron
 * port and the near misses. The OpenFlow verdict (and its megaflow cache) is untouched: the firewall
 * runs on every frame, after it, as conntrack must see every frame.
 */

import type { HostFirewall } from "../firewall/evaluate.js";
import { evaluateFrame, type FwResult, type FwVerdict } from "../firewall/evaluate.js";
import type { Devices } from "../firewall/rule.js";
import type { Ingress } from "../pipeline/ingress.js";
import type { SimHost } from "../pipeline/switch.js";
import { isPartial } from "./branches.js";
import type { DropExplanation, FrameVerdict, Hop, PathTree, VerdictBranch } from "./types.js";

/** Host name → its firewall (hosts without iptables dumps are absent). */
export type HostFirewalls = ReadonlyMap<string, HostFirewall>;

/** A hybrid plug: the qbr bridge, its tap (VM side) and its qvb (toward the qvo on br-int). */
export interface HybridPlug {
  bridge: string;
  tap: string;
  qvb: string;
}

/** A plug's bridge ports each way, one object each (they key the firewall's verdict cache). */
const plugDevices = new WeakMap<HybridPlug, { toVm: Devices; fromVm: Devices }>();

function devicesOf(plug: HybridPlug, way: "toVm" | "fromVm"): Devices {
  let d = plugDevices.get(plug);
  if (!d) {
    d = {
      toVm: { bridge: plug.bridge, physIn: plug.qvb, physOut: plug.tap },
      fromVm: { bridge: plug.bridge, physIn: plug.tap, physOut: plug.qvb },
    };
    plugDevices.set(plug, d);
  }
  return d[way];
}

const plugs = new WeakMap<SimHost, Map<string, HybridPlug | undefined>>();

/** The plug behind an OVS port (qvo → its veth peer qvb → that one's Linux bridge → the other member). */
export function plugOfQvo(host: SimHost, qvo: string): HybridPlug | undefined {
  let m = plugs.get(host);
  if (!m) {
    m = new Map();
    plugs.set(host, m);
  }
  if (!m.has(qvo)) m.set(qvo, findPlug(host, qvo));
  return m.get(qvo);
}

function findPlug(host: SimHost, qvo: string): HybridPlug | undefined {
  const t = host.topology;
  const qvb = t.linux.get(qvo)?.peer;
  const bridge = qvb ? t.linux.get(qvb)?.master : undefined;
  if (!qvb || !bridge) return undefined;
  const tap = t.linuxBridges.find((b) => b.name === bridge)?.members.find((m) => m !== qvb);
  return tap ? { bridge, tap, qvb } : undefined;
}

/** The Neutron port a tap… device belongs to: its iface-id when the OVSDB says, else the name's prefix. */
function neutronPort(host: SimHost, plug: HybridPlug): string {
  for (const b of host.topology.bridges)
    for (const p of b.ports)
      if (p.name === `qvo${plug.tap.slice(3)}` && p.neutron.ifaceId) return p.neutron.ifaceId;
  return `${plug.tap.slice(3)}… (from the device name)`;
}

function decidingChain(v: FwVerdict): string {
  switch (v.kind) {
    case "accept":
      return v.steps.filter((s) => s.table === "filter").at(-1)?.chain ?? "";
    case "drop":
      return v.chain;
    case "undecidable":
      return v.rule.chain;
    case "depends":
      return v.rule.chain;
    case "pass":
      return "";
    default: {
      const _: never = v;
      return _;
    }
  }
}

function verdictWord(v: FwVerdict): string {
  switch (v.kind) {
    case "accept":
      return "ACCEPT";
    case "drop":
      return v.reject ? "REJECT" : "DROP";
    case "pass":
      return `pass (${v.why})`;
    default:
      return v.kind;
  }
}

/**
 * The hop of a crossing: one per verdict and plug (the verdict cache shares verdicts, and so hops).
 * Keyed by the plug object (one per host and qvo), so that finding it builds no key.
 */
const crossingHops = new WeakMap<FwVerdict, Map<HybridPlug, Hop>>();

function hopOf(host: string, plug: HybridPlug, r: FwResult): Hop {
  let byPlug = crossingHops.get(r.verdict);
  if (!byPlug) {
    byPlug = new Map();
    crossingHops.set(r.verdict, byPlug);
  }
  let hop = byPlug.get(plug);
  if (!hop) {
    hop = {
      host,
      bridge: plug.bridge,
      port: plug.tap,
      kind: "firewall",
      chain: decidingChain(r.verdict),
      verdict: verdictWord(r.verdict),
    };
    byPlug.set(plug, hop);
  }
  return hop;
}

function dropOf(host: SimHost, plug: HybridPlug, v: FwVerdict & { kind: "drop" }): DropExplanation {
  const rule = v.rule;
  const where = rule ? `${rule.text} (${rule.file}:${rule.line})` : `the policy of ${v.chain}`;
  const d: DropExplanation = {
    host: host.name,
    bridge: plug.bridge,
    reason: "security-group",
    detail: `${v.reject ? "rejected" : "dropped"} by iptables on ${plug.bridge}, ${v.table} ${v.chain}: ${where}`,
    nearMisses: [],
    iptablesTable: v.table,
    chain: v.chain,
    rule: rule ? rule.text : `:${v.chain} DROP (policy)`,
    port: neutronPort(host, plug),
    firewallNearMisses: v.nearMisses.map((n) => ({
      rule: n.rule.text,
      file: n.rule.file,
      line: n.rule.line,
      failed: n.failed,
    })),
  };
  if (rule) {
    d.file = rule.file;
    d.line = rule.line;
  }
  return d;
}

/** A sentence for verdicts the rules cannot settle: both outcomes, or where it stops. */
function openText(v: FwVerdict): string | undefined {
  if (v.kind === "undecidable")
    return `security group undecidable at ${v.rule.text} (${v.rule.file}:${v.rule.line}): ${v.reason}`;
  if (v.kind !== "depends") return undefined;
  const side = (x: FwVerdict) =>
    x.kind === "drop"
      ? `dropped by ${x.rule?.text ?? `the policy of ${x.chain}`}`
      : x.kind === "accept"
        ? "accepted"
        : (openText(x) ?? x.kind);
  return `security group ${v.reason}: if a member ${side(v.ifMember)}, if not ${side(v.ifNot)}`;
}

/**
 * A frame captured on a qvb… (the veth between br-int and the qbr) heading to the VM: only the port's
 * ingress rules lie ahead of it; the verdict is delivered to the tap or dropped there.
 */
function towardVm(
  fw: HostFirewall,
  host: SimHost,
  plug: HybridPlug,
  frame: number,
  data: Uint8Array,
): { hop: Hop; dropped: FrameVerdict } {
  const r = evaluateFrame(fw, data, devicesOf(plug, "toVm"));
  const hop = hopOf(host.name, plug, r);
  const first: Hop = { host: host.name, bridge: plug.bridge, port: plug.qvb, kind: "in" };
  const note = openText(r.verdict);
  if (r.verdict.kind === "drop") {
    const drop = dropOf(host, plug, r.verdict);
    return {
      hop,
      dropped: {
        frame,
        verdict: "dropped",
        branches: [{ kind: "dropped", host: host.name, text: `dropped ${host.name} ${plug.bridge}`, drop }],
        partial: false,
        summary: `dropped ${host.name} ${plug.bridge}: security group (ingress of ${plug.tap}), ${drop.rule}`,
        hops: [first, hop, { host: host.name, bridge: plug.bridge, port: plug.tap, kind: "drop" }],
        drop,
        traces: [],
        cached: false,
      },
    };
  }
  return {
    hop,
    dropped: {
      frame,
      verdict: "delivered",
      branches: [{ kind: "delivered", host: host.name, text: `${host.name}:${plug.tap}` }],
      partial: false,
      summary: `delivered ${host.name}:${plug.tap}${note ? ` [${note}]` : ""}`,
      hops: [first, hop, { host: host.name, bridge: plug.bridge, port: plug.tap, kind: "out" }],
      traces: [],
      cached: false,
    },
  };
}

/**
 * The egress crossing, for a frame entering at a VM's tap: the firewall hop, and the dropped verdict
 * when the rules drop it (the OpenFlow pipeline is then not run).
 */
export function egressCrossing(
  fws: HostFirewalls,
  ingress: Ingress,
  frame: number,
  data: Uint8Array,
): { hop: Hop; dropped?: FrameVerdict; note?: string } | undefined {
  // `dropped` is the frame's whole verdict when the OpenFlow pipeline is not reached (or not on its way).
  if (ingress.kind !== "port" || ingress.before.length === 0) return undefined;
  const fw = fws.get(ingress.host.name);
  if (!fw) return undefined;
  const plug = plugOfQvo(ingress.host, ingress.port.name);
  if (plug && ingress.before[0].port === plug.qvb) return towardVm(fw, ingress.host, plug, frame, data);
  if (!plug || ingress.before[0].port !== plug.tap) return undefined;
  const devices = devicesOf(plug, "fromVm");
  const r = evaluateFrame(fw, data, devices);
  const hop = hopOf(ingress.host.name, plug, r);
  const note = openText(r.verdict);
  if (r.verdict.kind !== "drop") return note ? { hop, note } : { hop };
  const drop = dropOf(ingress.host, plug, r.verdict);
  return {
    hop,
    dropped: {
      frame,
      verdict: "dropped",
      branches: [
        {
          kind: "dropped",
          host: ingress.host.name,
          text: `dropped ${ingress.host.name} ${plug.bridge}`,
          drop,
        },
      ],
      partial: false,
      summary: `dropped ${ingress.host.name} ${plug.bridge}: security group (egress of ${plug.tap}), ${drop.rule}`,
      hops: [
        ...ingress.before.slice(0, 1),
        hop,
        { host: ingress.host.name, bridge: plug.bridge, port: plug.tap, kind: "drop" },
      ],
      drop,
      traces: [],
      cached: false,
    },
  };
}

/**
 * The ingress crossings, for a frame the pipeline delivered to hybrid-plugged qvo ports: each gets a
 * firewall hop before its tap; when the rules drop it at every such port, the verdict becomes dropped.
 */
/**
 * The path tree with hop `h` replaced by `by` in the node that holds it (the tree shares the flat list's
 * hop objects). A new tree: a cached verdict's tree is shared by the frames it answers.
 */
function spliceTree(t: PathTree, h: Hop, by: readonly Hop[]): PathTree {
  const i = t.hops.indexOf(h);
  if (i >= 0) return { hops: [...t.hops.slice(0, i), ...by, ...t.hops.slice(i + 1)], forks: t.forks };
  return { hops: t.hops, forks: t.forks.map((f) => spliceTree(f, h, by)) };
}

/** A qbr crossing on a delivered path: where its `out` hop sits, and the plug's firewall and ports. */
interface Crossing {
  at: number;
  fw: HostFirewall;
  host: SimHost;
  plug: HybridPlug;
  qvo: Hop;
  devices: Devices;
}

/**
 * The crossings of a path, per hops list: a cached OpenFlow verdict shares its hops with every frame it
 * answers, so the search for qbr crossings (and their Devices, which key the firewall's verdict cache)
 * is done once per cached verdict.
 */
const crossingsOfHops = new WeakMap<readonly Hop[], Crossing[]>();

function crossingsOf(
  fws: HostFirewalls,
  hosts: readonly SimHost[],
  list: readonly Hop[],
  keep: boolean,
): Crossing[] {
  const known = keep ? crossingsOfHops.get(list) : undefined;
  if (known) return known;
  const out: Crossing[] = [];
  for (let i = 0; i < list.length; i++) {
    const h = list[i];
    if (h.kind !== "out" || h.bridge === undefined || !h.bridge.startsWith("qbr")) continue;
    const fw = fws.get(h.host);
    const host = hosts.find((x) => x.name === h.host);
    const qvo = list[i - 2];
    const plug = host && qvo ? plugOfQvo(host, qvo.port) : undefined;
    if (!fw || !host || !plug || plug.tap !== h.port) continue;
    out.push({ at: i, fw, host, plug, qvo, devices: devicesOf(plug, "toVm") });
  }
  if (keep) crossingsOfHops.set(list, out);
  return out;
}

/**
 * The splice per hops list and firewall verdict (one crossing: the common case): frames that share a
 * cached OpenFlow verdict and a firewall verdict share the spliced hops, tree, branches and summary.
 */
interface Spliced {
  summaryIn: string;
  branchesIn: readonly VerdictBranch[];
  treeIn: PathTree | undefined;
  out: FrameVerdict;
}
/** The results of a one-crossing frame: reused, read at once. */
const oneResult: FwResult[] = [];
const splicedOfHops = new WeakMap<readonly Hop[], Map<FwVerdict, Spliced>>();

export function ingressCrossings(
  fws: HostFirewalls,
  hosts: readonly SimHost[],
  v: FrameVerdict,
  data: Uint8Array,
): FrameVerdict {
  if (v.verdict !== "delivered" || fws.size === 0) return v;
  // Only a cached OpenFlow verdict's hops are met again (a translated one's are its frame's own).
  const crossings = crossingsOf(fws, hosts, v.hops, v.cached);
  if (crossings.length === 0) return v;
  const results = crossings.length === 1 ? oneResult : [];
  for (let k = 0; k < crossings.length; k++)
    results[k] = evaluateFrame(crossings[k].fw, data, crossings[k].devices);
  // A cached verdict reaches here as the replay's copy for this frame (never the cache's own object).
  if (crossings.length === 1 && v.cached) {
    let byVerdict = splicedOfHops.get(v.hops);
    if (!byVerdict) {
      byVerdict = new Map();
      splicedOfHops.set(v.hops, byVerdict);
    }
    const s = byVerdict.get(results[0].verdict);
    if (s && s.summaryIn === v.summary && s.branchesIn === v.branches && s.treeIn === v.tree)
      return spliceInto(v, s.out);
    const out = splice(v, crossings, results);
    // Bounded: verdicts the rules cannot settle (`depends`) are not interned.
    if (byVerdict.size > 64) byVerdict.clear();
    byVerdict.set(results[0].verdict, { summaryIn: v.summary, branchesIn: v.branches, treeIn: v.tree, out });
    return out;
  }
  return splice(v, crossings, results);
}

/**
 * `v` (a cached verdict's per-frame copy, made by the replay for this frame alone) given a splice's
 * fields in place: cheaper than another copy of the whole verdict, frame after frame.
 */
function spliceInto(v: FrameVerdict, out: FrameVerdict): FrameVerdict {
  v.verdict = out.verdict;
  v.hops = out.hops;
  v.summary = out.summary;
  v.branches = out.branches;
  v.partial = out.partial;
  if (out.tree) v.tree = out.tree;
  if (out.drop) v.drop = out.drop;
  return v;
}

/** The verdict with each crossing's firewall hop (or drop) spliced into its hops, tree and branches. */
function splice(v: FrameVerdict, crossings: readonly Crossing[], results: readonly FwResult[]): FrameVerdict {
  const hops: Hop[] = [...v.hops];
  let summary = v.summary;
  let drop: DropExplanation | undefined;
  let delivered = 0;
  let dropped = 0;
  let branches: VerdictBranch[] = v.branches;
  let tree = v.tree;
  for (let k = 0; k < crossings.length; k++) {
    const { at: i, host, plug, qvo } = crossings[k];
    const r = results[k];
    const h = v.hops[i];
    const at = hops.indexOf(h);
    const hop = hopOf(h.host, plug, r);
    const note = openText(r.verdict);
    if (note) summary += ` [${note}]`;
    if (r.verdict.kind === "drop") {
      dropped++;
      const d = dropOf(host, plug, r.verdict);
      drop ??= d;
      hops.splice(at, 1, hop, { ...h, kind: "drop" });
      if (tree) tree = spliceTree(tree, h, [hop, { ...h, kind: "drop" }]);
      // The branch that reached this qvo is a dropped branch now (its port named as the delivery was).
      branches = branches.map((b) =>
        b.kind === "delivered" && b.host === h.host && b.text === `${h.host}:${qvo.port}`
          ? { kind: "dropped", host: h.host, text: `dropped ${h.host} ${plug.bridge}`, drop: d }
          : b,
      );
      summary = summary.replace(`${h.host}:${qvo.port}`, `(dropped at ${plug.bridge} by the security group)`);
    } else {
      delivered++;
      hops.splice(at, 0, hop);
      if (tree) tree = spliceTree(tree, h, [hop, h]);
    }
  }
  // Field by field: V8 copies an object spread of this shape slowly (once per delivered frame uncached).
  const out: FrameVerdict = {
    frame: v.frame,
    verdict: v.verdict,
    branches,
    partial: branches === v.branches ? v.partial : isPartial(branches),
    summary,
    hops,
    traces: v.traces,
    cached: v.cached,
  };
  if (v.drop !== undefined) out.drop = v.drop;
  if (tree) out.tree = tree;
  if (drop && delivered === 0 && dropped > 0) {
    out.verdict = "dropped";
    out.summary = `dropped ${drop.host} ${drop.bridge}: security group (ingress of ${hops.find((x) => x.kind === "drop")?.port}), ${drop.rule}`;
    out.drop = drop;
  }
  return out;
}
