/**
 * A simulation → the frame's verdict: where each copy of it ended (a port, a tunnel to a host not
 * loaded, the controller, a drop), the hops it took across bridges and hosts, and for a drop the
 * explanation. A port that is down or an MTU the frame exceeds turns an output into a drop, as the
 * kernel would after OVS handed it over.
 */
import type { OutputRecord } from "../pipeline/context.js";
import type { HostVisit, Simulation } from "../pipeline/replay.js";
import type { SimBridge, SimHost, SimPort } from "../pipeline/switch.js";
import type { TraceResult } from "../pipeline/trace.js";
import type { TraceNode } from "../pipeline/trace-tree.js";
import type { OvsPort } from "../topology/model.js";
import { noItems, withItem } from "../util/lazy-list.js";
import { memoize } from "../util/memo.js";
import { isPartial } from "./branches.js";
import { explainDrop } from "./drop.js";
import type { DropExplanation, FrameVerdict, Hop, PathTree, VerdictBranch, VerdictKind } from "./types.js";

/** Encapsulation overhead on the underlay for an inner Ethernet frame (outer IPv4, no options). */
const TUNNEL_OVERHEAD: Readonly<Record<string, number>> = { vxlan: 50, geneve: 50, gre: 38 };
const ETH_HEADER = 14;

/** What the verdict's MTU checks depend on, so a cached verdict is reused only for frames it fits. */
export interface VerdictResult {
  verdict: FrameVerdict;
  /** The largest frame every output accepts (MTUs); a cached verdict without MTU drop holds up to it. */
  mtuLimit: number;
  /** Some output refused the frame for its size. */
  mtuDropped: boolean;
}

/** Each host's OVS ports by bridge and name, indexed once: every output of every frame asks. */
const topoPorts = new WeakMap<SimHost, Map<string, Map<string, OvsPort>>>();
function topoPort(host: SimHost, bridge: string, name: string): OvsPort | undefined {
  let index = topoPorts.get(host);
  if (!index) {
    index = new Map();
    for (const b of host.topology.bridges) {
      let ports = index.get(b.name);
      if (!ports) {
        ports = new Map();
        index.set(b.name, ports);
      }
      for (const p of b.ports) if (!ports.has(p.name)) ports.set(p.name, p);
    }
    topoPorts.set(host, index);
  }
  return index.get(bridge)?.get(name);
}

/** The Linux hops past an OVS port towards the VM: qvo ⇄ qvb → qbr → tap. */
function linuxBeyond(host: SimHost, port: string): readonly Hop[] {
  const t = host.topology;
  const hops: Hop[] = [];
  const peer = t.linux.get(port)?.peer;
  if (!peer) return hops;
  hops.push({ host: host.name, port: peer, kind: "veth" });
  const master = t.linux.get(peer)?.master;
  if (!master) return hops;
  const members = t.linuxBridges.find((b) => b.name === master)?.members ?? [];
  for (const m of members)
    if (m !== peer) hops.push({ host: host.name, bridge: master, port: m, kind: "out" });
  return hops;
}

/** linuxBeyond per host and port, worked out once: every delivered frame asks. */
const beyondIndex = new WeakMap<SimHost, Map<string, readonly Hop[]>>();

/**
 * Adds the Linux hops past `port` to both lists, each a new object: a frame's hops are its own (the
 * firewall's splice finds a crossing by the identity of its hop), only the topology lookups are shared.
 */
function addLinuxBeyond(host: SimHost, port: string, a: Hop[], b: Hop[]): void {
  let index = beyondIndex.get(host);
  if (!index) {
    index = new Map();
    beyondIndex.set(host, index);
  }
  let known = index.get(port);
  if (!known) {
    known = linuxBeyond(host, port);
    index.set(port, known);
  }
  for (const k of known) {
    const h: Hop =
      k.bridge === undefined
        ? { host: k.host, port: k.port, kind: k.kind }
        : { host: k.host, bridge: k.bridge, port: k.port, kind: k.kind };
    a.push(h);
    b.push(h);
  }
}

/** Each bridge's patch ports by the bridge their peer is on, indexed once: every frame's hops ask. */
const patchIndex = new WeakMap<SimBridge, Map<string, SimPort>>();
function patchTowards(host: SimHost, from: string, to: string): SimPort | undefined {
  const bridge = host.bridges.get(from);
  if (!bridge) return undefined;
  let index = patchIndex.get(bridge);
  if (!index) {
    index = new Map();
    for (const p of bridge.ports.values()) {
      if (p.peer === undefined) continue;
      for (const other of host.bridges.values())
        if (other.byName.has(p.peer) && !index.has(other.name)) index.set(other.name, p);
    }
    patchIndex.set(bridge, index);
  }
  return index.get(to);
}

/** The patch-port crossings of a visit: each change of bridge between consecutive table steps. */
function patchHops(visit: HostVisit, hops: Hop[]): void {
  let bridge = visit.bridge;
  for (const p of visit.trace.passes) bridge = walkPatches(visit, p.nodes, bridge, hops);
}

/** Depth first over the trace (the order of the steps); returns the bridge the walk ended in. */
function walkPatches(visit: HostVisit, nodes: readonly TraceNode[], bridge: string, hops: Hop[]): string {
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    const s = n.step;
    if (s && s.bridge !== bridge) {
      const patch = patchTowards(visit.host, bridge, s.bridge);
      hops.push({
        host: visit.host.name,
        bridge: s.bridge,
        port: patch?.peer ?? `(${bridge} → ${s.bridge})`,
        kind: "patch",
      });
      bridge = s.bridge;
    }
    if (n.subs.length > 0) bridge = walkPatches(visit, n.subs, bridge, hops);
  }
  return bridge;
}

type End = VerdictBranch;

/** The hops and tree of a walk that lays out no path (never written: see Walk). */
const NO_HOPS: Hop[] = Object.freeze([]) as unknown as Hop[];
const NO_TREE: PathTree = Object.freeze({ hops: NO_HOPS, forks: Object.freeze([]) as unknown as PathTree[] });

/**
 * A tunnel output's segment (`vxlan 1010 to 10.0.0.12`), made once per tunnel record: translation
 * hands the same record to every packet of a port with the same key and endpoints.
 */
const segments = new WeakMap<NonNullable<OutputRecord["tunnel"]>, string>();
function tunnelSegment(t: NonNullable<OutputRecord["tunnel"]>): string {
  let s = segments.get(t);
  if (s === undefined) {
    s = `${t.type} ${Number(BigInt(t.tunId))} to ${t.dst}`;
    segments.set(t, s);
  }
  return s;
}

/**
 * One walk over a simulation's visits in path order: each output either ends a copy of the frame (a
 * branch) or continues at the next host. Without a path it settles the ends and the MTU limit; with one
 * (`known`: the ends a first walk settled, read back in the same order instead of explaining the drops
 * again) it lays out the hops and their tree. A method per step, not closures made per frame.
 */
class Walk {
  /** Made on the first end (most walks settle one): an empty list grown by its first push costs more. */
  ends: End[] = noItems();
  mtuLimit = Number.POSITIVE_INFINITY;
  readonly hops: Hop[];
  readonly root: PathTree;
  private next = 0;

  constructor(
    private readonly sim: Simulation,
    private readonly ethLength: number,
    private readonly known?: readonly End[],
  ) {
    // Only the path's walk writes the hops and the tree: the first walk shares an empty one.
    this.hops = known ? [] : NO_HOPS;
    this.root = known ? { hops: [], forks: [] } : NO_TREE;
  }

  /**
   * The end the first walk settled here, read back by the path's walk; undefined in the first walk,
   * which settles it (`if (!this.settled()) this.add(...)`): an end is built once.
   */
  private settled(): End | undefined {
    return this.known?.[this.next++];
  }

  private add(e: End): End {
    this.ends = withItem(this.ends, e);
    return e;
  }

  private hop(node: PathTree, hop: Hop): void {
    this.hops.push(hop);
    node.hops.push(hop);
  }

  visit(i: number, node: PathTree): void {
    const v = this.sim.visits[i];
    const h = v.host.name;
    const path = this.known !== undefined;
    const ethLength = this.ethLength;
    if (path) {
      for (const b of v.before) this.hop(node, b);
      const inHop: Hop = {
        host: h,
        bridge: v.bridge,
        port: v.port.name,
        kind: v.tunnel ? "tunnel-in" : "in",
      };
      if (v.tunnel) inHop.segment = `${v.tunnel.kind} ${v.tunnel.id} from ${v.tunnel.src}`;
      else if (v.port.tag !== undefined) inHop.segment = `vlan ${v.port.tag}`;
      this.hop(node, inHop);
      const crossings: Hop[] = [];
      patchHops(v, crossings);
      for (const c of crossings) this.hop(node, c);
    }
    const error = passError(v);
    if (error) {
      if (!this.settled())
        this.add({
          kind: /depth|resubmit/.test(error) ? "loop" : "dropped",
          host: h,
          text: `${h}: ${error}`,
          drop: explainDrop(v.host, v.trace),
        });
      if (path) this.hop(node, { host: h, bridge: v.bridge, port: "(translation failed)", kind: "drop" });
      return;
    }
    if (v.exits.length === 0) {
      const { drop } = this.settled() ?? this.add(droppedEnd(h, explainDrop(v.host, v.trace)));
      if (path && drop)
        this.hop(node, {
          host: h,
          bridge: drop.bridge,
          port: drop.table !== undefined ? `table ${drop.table}` : "(drop)",
          kind: "drop",
        });
      return;
    }
    const forked = v.exits.length > 1;
    for (const e of v.exits) {
      // A flood or a tunnel fan-out: each output continues on a branch of its own.
      let branch = node;
      if (forked && path) {
        branch = { hops: [], forks: [] };
        node.forks.push(branch);
      }
      if (e.kind === "controller") {
        if (!this.settled())
          this.add({ kind: "controller", host: h, text: `${h} ${e.out.bridge}: to the controller` });
        continue;
      }
      if (e.kind === "tunnel") {
        const t = e.out.tunnel;
        if (path) {
          const out: Hop = { host: h, bridge: e.out.bridge, port: e.out.port, kind: "tunnel-out" };
          if (t) out.segment = tunnelSegment(t);
          this.hop(branch, out);
        }
        const overhead = TUNNEL_OVERHEAD[t?.type ?? ""] ?? 50;
        const underlay = t ? v.host.topology.addresses.get(t.src)?.mtu : undefined;
        if (underlay !== undefined) {
          const limit = underlay - overhead + ETH_HEADER;
          this.mtuLimit = Math.min(this.mtuLimit, limit);
          if (ethLength > limit) {
            if (!this.settled())
              this.add({
                kind: "dropped",
                host: h,
                text: `dropped ${h}: ${ethLength}-byte frame + ${overhead} bytes of ${t?.type} exceeds the underlay MTU ${underlay}`,
                drop: mtuDrop(
                  v,
                  e.out.bridge,
                  `the ${ethLength}-byte frame plus ${overhead} bytes of ${t?.type} headers exceeds the underlay MTU ${underlay} (${t?.src})`,
                ),
              });
            continue;
          }
        }
        if (e.visit !== undefined) this.visit(e.visit, branch);
        else if (!this.settled())
          this.add({ kind: "tunneled", host: h, text: tunneledText(h, e.out, e.remote) });
        continue;
      }
      const port = e.port;
      if (path) this.hop(branch, { host: h, bridge: e.out.bridge, port: e.out.port, kind: "out" });
      // The port's own, found when the host was built (the index by name only for a port without it).
      const tp = port?.topo ?? topoPort(v.host, e.out.bridge, e.out.port);
      if (port?.down && tp) {
        if (!this.settled())
          this.add({
            kind: "dropped",
            host: h,
            text: `dropped ${h}: ${e.out.port} is down`,
            drop: {
              host: h,
              bridge: e.out.bridge,
              reason: "port-down",
              detail: `output to ${e.out.port}, which ovs-ofctl show reports down (PORT_DOWN or LINK_DOWN); port defined at ${tp.evidence.file}:${tp.evidence.line}`,
              nearMisses: [],
            },
          });
        continue;
      }
      if (tp?.mtu !== undefined) {
        const mtu = tp.mtu;
        const limit = mtu + ETH_HEADER + (port?.vlanMode === "trunk" ? 4 : 0);
        this.mtuLimit = Math.min(this.mtuLimit, limit);
        if (ethLength > limit) {
          if (!this.settled())
            this.add({
              kind: "dropped",
              host: h,
              text: `dropped ${h}: ${ethLength}-byte frame exceeds ${e.out.port}'s MTU ${mtu}`,
              drop: mtuDrop(
                v,
                e.out.bridge,
                `the ${ethLength}-byte frame exceeds ${e.out.port}'s MTU ${mtu}`,
              ),
            });
          continue;
        }
      }
      if (path) addLinuxBeyond(v.host, e.out.port, this.hops, branch.hops);
      if (!this.settled()) this.add({ kind: "delivered", host: h, text: deliveredText(h, e.out) });
    }
  }

  /** The frame crossed more hosts than a replay follows. */
  hostLoop(): void {
    const visits = this.sim.visits;
    const last = visits[visits.length - 1];
    if (!this.settled())
      this.add({
        kind: "loop",
        host: last?.host.name ?? "",
        text: `crossed more than ${visits.length} hosts (tunnel loop)`,
      });
  }
}

/** The first error of a visit's passes (a loop, a resource limit), if any. */
function passError(v: HostVisit): string | undefined {
  for (const p of v.trace.passes) if (p.error) return p.error;
  return undefined;
}

/**
 * An end's text, made once per port (a delivery) or tunnel record (a tunnel to a host not loaded: one
 * port's while its key and endpoints stay, see tunnel.ts) and the host and name or address it names:
 * every frame that ends the same way again would build the same string.
 */
interface EndText {
  host: string;
  /** The port's name or the tunnel's remote address. */
  to: string;
  text: string;
}
const endTexts = new WeakMap<object, EndText>();
function knownText(by: object | undefined, host: string, to: string): string | undefined {
  const known = by && endTexts.get(by);
  return known && known.host === host && known.to === to ? known.text : undefined;
}
function deliveredText(host: string, out: OutputRecord): string {
  const port = out.port;
  let text = knownText(out.simPort, host, port);
  if (text === undefined) {
    text = `${host}:${port}`;
    if (out.simPort) endTexts.set(out.simPort, { host, to: port, text });
  }
  return text;
}
function tunneledText(host: string, out: OutputRecord, remote: string): string {
  let text = knownText(out.tunnel, host, remote);
  if (text === undefined) {
    text = `tunneled ${host} → ${remote} (not loaded)`;
    if (out.tunnel) endTexts.set(out.tunnel, { host, to: remote, text });
  }
  return text;
}

/** A visit's end when its translation output nothing: where and why it was dropped. */
function droppedEnd(host: string, drop: DropExplanation): End {
  const table = drop.table !== undefined ? ` table ${drop.table}` : "";
  return { kind: "dropped", host, text: `dropped ${host} ${drop.bridge}${table} (${drop.reason})`, drop };
}

/** The whole walk: the ends, or with `known` the path. */
function walk(sim: Simulation, ethLength: number, known?: readonly End[]): Walk {
  const w = new Walk(sim, ethLength, known);
  if (sim.visits.length > 0) w.visit(0, w.root);
  if (sim.hostLoop) w.hostLoop();
  return w;
}

/**
 * A translated frame's verdict, its path (hops and tree) laid out when first read: the CLI's replay
 * reads it only with -v, --json, a filter on it or a security group to cross, and laying it out for
 * every frame was a tenth of an uncached frame's time. The other fields are plain ones; the path's two
 * are accessors, settable as a plain verdict's are (a firewall's splice sets them).
 */
class TranslatedVerdict implements FrameVerdict {
  readonly cached = false;
  declare drop?: DropExplanation;
  #path: { hops: Hop[]; tree: PathTree | undefined } | undefined;
  /** What the path is laid out from (with the branches, the ends the first walk settled); let go once it is. */
  #sim: Simulation | undefined;
  readonly #ethLength: number;

  constructor(
    public frame: number,
    public verdict: VerdictKind,
    public branches: VerdictBranch[],
    public partial: boolean,
    public summary: string,
    public traces: TraceResult[],
    sim: Simulation,
    ethLength: number,
  ) {
    this.#sim = sim;
    this.#ethLength = ethLength;
  }

  #laidOut(): { hops: Hop[]; tree: PathTree | undefined } {
    if (!this.#path) {
      const w = walk(this.#sim as Simulation, this.#ethLength, this.branches);
      this.#path = { hops: w.hops, tree: w.root };
      this.#sim = undefined;
    }
    return this.#path;
  }

  get hops(): Hop[] {
    return this.#laidOut().hops;
  }
  set hops(hops: Hop[]) {
    this.#laidOut().hops = hops;
  }
  get tree(): PathTree | undefined {
    return this.#laidOut().tree;
  }
  set tree(tree: PathTree | undefined) {
    this.#laidOut().tree = tree;
  }
}

export function verdictOf(frame: number, sim: Simulation, innerLength: number): VerdictResult {
  const { ends, mtuLimit } = walk(sim, innerLength);
  const assumed = sim.ingress.kind === "port" ? sim.ingress.assumed : undefined;
  // Which check_pkt_len branch the frame's length selected: the other one's outputs never happened.
  // Made only for a frame that has notes (most have none).
  let notes: string[] | undefined;
  if (assumed) notes = [assumed];
  for (const v of sim.visits)
    for (const p of v.trace.passes)
      if (p.lengthBranches) {
        notes ??= [];
        for (const n of p.lengthBranches) notes.push(`${v.host.name} ${n}`);
      }
  const verdict = new TranslatedVerdict(
    frame,
    overall(ends),
    ends,
    // One end is never partial (that takes a failed end and another): most frames have one.
    ends.length > 1 && isPartial(ends),
    notes ? `${summarize(ends)} [${notes.join("; ")}]` : summarize(ends),
    // Most frames cross one host: its trace in a list of one, without map's callback.
    sim.visits.length === 1 ? [sim.visits[0].trace] : sim.visits.map((v) => v.trace),
    sim,
    innerLength,
  );
  // The first end's drop explanation, and whether any end was refused for its size: one pass.
  let mtuDropped = false;
  for (const e of ends) {
    const drop = e.drop;
    if (!drop) continue;
    if (verdict.drop === undefined) verdict.drop = drop;
    if (drop.reason === "mtu-exceeded") mtuDropped = true;
  }
  return { verdict, mtuLimit, mtuDropped };
}

function mtuDrop(v: HostVisit, bridge: string, detail: string): DropExplanation {
  return { host: v.host.name, bridge, reason: "mtu-exceeded", detail, nearMisses: [] };
}

const PRECEDENCE: readonly VerdictKind[] = ["delivered", "tunneled", "controller", "loop", "dropped"];

function overall(ends: readonly End[]): VerdictKind {
  // The end kind first in PRECEDENCE; one pass over the ends, no callback per kind.
  let best = PRECEDENCE.length - 1;
  for (const e of ends) {
    const i = PRECEDENCE.indexOf(e.kind);
    if (i >= 0 && i < best) best = i;
  }
  return PRECEDENCE[best];
}

/**
 * A lone delivery's summary by its end's text, made once: the texts are few (one per port, made once
 * too, so the memo finds its hash already computed).
 */
const deliveredSummary = memoize((text: string): string => `delivered ${text}`);

function summarize(ends: readonly End[]): string {
  // One end (a frame delivered or tunneled once, or dropped): no lists to build.
  if (ends.length === 1)
    return (
      (ends[0].kind === "delivered" ? deliveredSummary(ends[0].text) : ends[0].text) || "dropped (no output)"
    );
  const delivered = ends.filter((e) => e.kind === "delivered").map((e) => e.text);
  const rest = ends.filter((e) => e.kind !== "delivered").map((e) => e.text);
  const parts: string[] = [];
  if (delivered.length > 0) parts.push(`delivered ${delivered.join(", ")}`);
  parts.push(...rest);
  return parts.join("; ") || "dropped (no output)";
}
