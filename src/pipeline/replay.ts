/**
 * Replay: captured frames through the simulated switches of every loaded host, in capture order, with
 * the state a real switch keeps (MAC learning, learn() flows, conntrack) carried from frame to frame.
 * A frame output to a tunnel whose remote end is a loaded host continues there, at the tunnel port whose
 * remote_ip is the sender's endpoint, as the inner frame with tun_id/tun_src/tun_dst set.
 *
 * This module simulates; the explain stage (src/explain/replay.ts) turns a simulation into a verdict.
 */

import { extractFlowKey, extractTunnelFlowKey } from "../decode/flowkey.js";
import type { FlowEntry } from "../dumps/flows.js";
import { parseIpv4 } from "../model/field-value.js";
import { type FlowKey, K, KSIZE, newFlowKey } from "../model/layout.js";
import { noItems, withItem } from "../util/lazy-list.js";
import { ConntrackTable } from "./conntrack.js";
import type { OutputRecord } from "./context.js";
import { geneveMetadataFromHeader } from "./geneve-options.js";
import type { Hop } from "./hop.js";
import {
  hostWithLocalIp,
  type Ingress,
  type IngressResolver,
  ingressResolver,
  type PortRef,
  tunnelPortFor,
} from "./ingress.js";
import { ipText } from "./ip-text.js";
import type { FrameKeys } from "./key-pool.js";
import { maskActionReads } from "./megaflow.js";
import type { SimHost, SimPort } from "./switch.js";
import { switchState } from "./switch-state.js";
import { type TraceRequest, type TraceResult, trace } from "./trace.js";

/** A replay's connection tracker answers ct(): no --ct-next list (shared, never written). */
const NO_CT_NEXT: number[] = [];

/** How many hosts one frame may cross (a tunnel loop between hosts ends here). */
const MAX_HOST_VISITS = 16;

export interface HostVisit {
  host: SimHost;
  bridge: string;
  port: SimPort;
  /** Linux hops before the OVS port (tap → qbr → qvb). */
  before: Hop[];
  /** Set when the frame arrived from a tunnel: the segment id (VNI / GRE key) and the sender. */
  tunnel?: { kind: string; id: number; src: string };
  trace: TraceResult;
  exits: Exit[];
}

export type Exit =
  /** Output to a port of this host (a VM, router, DHCP port or NIC). */
  | { kind: "port"; out: OutputRecord; port: SimPort | undefined }
  /** Output to a tunnel: `visit` is the index of the visit at the remote host when it is loaded. */
  | { kind: "tunnel"; out: OutputRecord; remote: string; visit?: number }
  | { kind: "controller"; out: OutputRecord };

export interface Simulation {
  ingress: Ingress;
  visits: HostVisit[];
  /** The frame crossed more hosts than MAX_HOST_VISITS (a tunnel loop). */
  hostLoop: boolean;
  /** The megaflow: the bits of the ingress key the outcome depended on; undefined when not cacheable. */
  mask: FlowKey | undefined;
  /** The translation changed switch state (MAC table, learned flows): cached outcomes are stale. */
  stateChanged: boolean;
}

/** A host a frame is to visit: where it enters and with what key. */
interface QueuedVisit {
  host: SimHost;
  port: SimPort;
  before: Hop[];
  key: FlowKey;
  tunnel?: HostVisit["tunnel"];
  from?: Exit & { kind: "tunnel" };
}

export interface ReplayEngineOptions {
  /** `HOST:PORT`, already resolved: every frame that is not a tunnel frame for a loaded host enters here. */
  at?: PortRef;
}

/**
 * Clears what a packet does not carry from one host to the next: metadata, registers, conntrack.
 * Written into `key`, which must be all zeros.
 */
export function remoteKey(out: OutputRecord, port: SimPort, key: FlowKey = newFlowKey()): FlowKey {
  for (const slot of [
    "dlDst",
    "dlSrc",
    "dlType",
    "vlanTci",
    "vlanTpid",
    "vlanTci1",
    "vlanTpid1",
    "mplsLse",
    "nwSrc",
    "nwDst",
    "ipv6Src",
    "ipv6Dst",
    "ipv6Label",
    "nwProto",
    "nwTos",
    "nwTtl",
    "nwFrag",
    "arpSha",
    "arpTha",
    "ndTarget",
    "tpSrc",
    "tpDst",
    "tcpFlags",
  ] as const)
    key.set(out.flow.subarray(K[slot], K[slot] + KSIZE[slot]), K[slot]);
  const t = out.tunnel;
  if (t) {
    const id = BigInt(t.tunId);
    key[K.tunId] = Number(id >> 32n);
    key[K.tunId + 1] = Number(id & 0xffffffffn);
    key[K.tunSrc] = Number(parseIpv4(t.src) ?? 0n);
    key[K.tunDst] = Number(parseIpv4(t.dst) ?? 0n);
    key[K.tunTtl] = 64;
    // Geneve options travel in the header: the receiver's tun_metadata (OVN's logical port pair).
    if (t.type === "geneve") key.set(out.flow.subarray(K.tunMetadata, K.tunMetadata + 64), K.tunMetadata);
  }
  key[K.inPort] = port.ofport;
  return key;
}

export class ReplayEngine {
  readonly conntrack = new ConntrackTable();
  private readonly resolver: IngressResolver;
  /**
   * The request of each host visit's translation, one object rewritten per visit: trace() reads it while
   * it runs and keeps none of it, and a frame made one of 14 fields per host it crossed.
   */
  private readonly request: TraceRequest = {
    host: undefined as unknown as SimHost,
    perPass: false,
    bridge: "",
    flow: undefined as unknown as FlowKey,
    withPacket: true,
    ctNext: NO_CT_NEXT,
    conntrack: this.conntrack,
    megaflow: undefined,
    executed: undefined,
    packetLength: undefined,
    lengthBranch: false,
    lean: false,
    frameKeys: undefined,
  };
  /**
   * The loaded host a tunnel record leads to (null: none), by record: translation hands the same record
   * to every packet of a port with the same key and endpoints (see tunnel.ts).
   */
  private readonly remotes = new WeakMap<NonNullable<OutputRecord["tunnel"]>, SimHost | null>();

  constructor(
    readonly hosts: readonly SimHost[],
    opts: ReplayEngineOptions = {},
  ) {
    this.resolver = ingressResolver(hosts, opts.at);
  }

  ingress(data: Uint8Array, linktype: number, ifName?: string): Ingress {
    return this.resolver.resolve(data, linktype, ifName);
  }

  private remoteOf(t: NonNullable<OutputRecord["tunnel"]>): SimHost | undefined {
    let remote = this.remotes.get(t);
    if (remote === undefined) {
      remote = hostWithLocalIp(this.hosts, t.dst) ?? null;
      this.remotes.set(t, remote);
    }
    return remote ?? undefined;
  }

  /** The flow key the frame has at its ingress (the inner frame for a tunnel ingress). */
  keyAt(ingress: Ingress, data: Uint8Array, linktype: number, key: FlowKey): void {
    if (ingress.kind === "tunnel") {
      const t = extractTunnelFlowKey(data, linktype, key);
      if (t?.kind === "geneve")
        geneveMetadataFromHeader(data, t.optOffset, t.optLength, ingress.bridge.tlvMap, key);
    } else extractFlowKey(data, linktype, key);
    if (ingress.kind !== "none") key[K.inPort] = ingress.port.ofport;
  }

  /**
   * Runs the frame through every host it reaches. Changes switch state as OVS would. `megaflow: false`
   * (a replay without its cache) skips collecting the megaflow mask, which only the cache needs.
   * `frameKeys` (a lean replay that caches nothing): the output records' flows and each host's input
   * are those keys, good until the caller's next frame.
   */
  simulate(
    ingress: Ingress,
    key: FlowKey,
    opts: { megaflow?: boolean; length?: number; lean?: boolean; frameKeys?: FrameKeys } = {},
  ): Simulation {
    const sim: Simulation = {
      ingress,
      visits: noItems(),
      hostLoop: false,
      mask: undefined,
      stateChanged: false,
    };
    if (ingress.kind === "none") return sim;
    const mask = opts.megaflow === false ? undefined : newFlowKey();
    let cacheable = true;
    const changesBefore = switchState.changes;
    const first: QueuedVisit = {
      host: ingress.host,
      port: ingress.port,
      before: ingress.before,
      key,
    };
    if (ingress.kind === "tunnel")
      first.tunnel = { kind: ingress.tunnel.kind, id: ingress.tunnel.id, src: ipText(ingress.tunnel.src) };
    // The hosts still to visit after this one: a list only once a tunnel leads to a loaded host.
    let queue: QueuedVisit[] | undefined;
    for (let item: QueuedVisit | undefined = first; item; item = queue?.shift()) {
      if (sim.visits.length >= MAX_HOST_VISITS) {
        sim.hostLoop = true;
        break;
      }
      const executed: FlowEntry[] | undefined = mask ? [] : undefined;
      const req = this.request;
      req.host = item.host;
      req.perPass = mask !== undefined;
      req.bridge = item.port.bridge;
      req.flow = item.key;
      req.megaflow = mask;
      req.executed = executed;
      // The datapath runs the one check_pkt_len branch the frame's length selects.
      req.packetLength = opts.length;
      req.lengthBranch = opts.length !== undefined;
      req.lean = opts.lean ?? false;
      req.frameKeys = opts.frameKeys;
      const result = trace(req);
      if (mask && executed)
        for (const f of executed) if (!maskActionReads(mask, f.actions)) cacheable = false;
      if (result.passes.length > 1) cacheable = false;
      const visit: HostVisit = {
        host: item.host,
        bridge: item.port.bridge,
        port: item.port,
        before: item.before,
        trace: result,
        exits: noItems(),
      };
      if (item.tunnel) visit.tunnel = item.tunnel;
      const index = sim.visits.length;
      // A list of one made whole, not grown (see lazy-list.ts): most frames cross one host.
      sim.visits = withItem(sim.visits, visit);
      if (item.from) item.from.visit = index;
      for (const pass of result.passes)
        for (const out of pass.outputs) {
          if (out.underlay) continue;
          if (out.port === "CONTROLLER") {
            visit.exits = withItem(visit.exits, { kind: "controller", out });
            continue;
          }
          if (out.tunnel) {
            const exit: Exit & { kind: "tunnel" } = { kind: "tunnel", out, remote: out.tunnel.dst };
            visit.exits = withItem(visit.exits, exit);
            const remote = this.remoteOf(out.tunnel);
            const tp = remote ? tunnelPortFor(remote, out.tunnel.type, out.tunnel.src) : undefined;
            if (remote && tp) {
              const t = { kind: out.tunnel.type, id: Number(BigInt(out.tunnel.tunId)), src: out.tunnel.src };
              queue ??= [];
              queue.push({
                host: remote,
                port: tp.port,
                before: [],
                key: remoteKey(out, tp.port, opts.frameKeys?.zeroed()),
                tunnel: t,
                from: exit,
              });
            }
            continue;
          }
          visit.exits = withItem(visit.exits, { kind: "port", out, port: out.simPort });
        }
    }
    if (switchState.changes !== changesBefore) sim.stateChanged = true;
    if (mask && cacheable && !sim.hostLoop) sim.mask = mask;
    return sim;
  }
}
