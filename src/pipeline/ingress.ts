/**
 * Where a captured frame enters the pipeline. A port named by the user (`--at HOST:PORT`) or by the
 * capture (pcapng if_name) is followed through the Linux side to the OVS port the frame really enters
 * (tap → qbr → qvb ⇄ qvo); a tunnel frame addressed to a loaded host's tunnel endpoint enters that host's
 * tunnel port whose remote_ip is the outer source, carrying the inner frame; otherwise a frame whose
 * source MAC is a Neutron port's MAC entered at that port (the VM sent it).
 */
import { type TunnelInfo, tunnelOf } from "../decode/flowkey.js";
import { LINKTYPE } from "../decode/protocols.js";
import { parseMac } from "../model/field-value.js";
import type { Hop } from "./hop.js";
import { ipText } from "./ip-text.js";
import type { SimBridge, SimHost, SimPort } from "./switch.js";

export interface PortIngress {
  kind: "port";
  host: SimHost;
  bridge: SimBridge;
  port: SimPort;
  /** Linux hops before the OVS port (tap, qbr, qvb for a hybrid-plugged VM). */
  before: Hop[];
  /** Set when nothing in the frame said where it entered and the capture's previous entry was assumed. */
  assumed?: string;
}

export interface TunnelIngress {
  kind: "tunnel";
  host: SimHost;
  bridge: SimBridge;
  port: SimPort;
  tunnel: Readonly<TunnelInfo>;
  before: Hop[];
}

export type Ingress = PortIngress | TunnelIngress | { kind: "none"; reason: string };

export interface PortRef {
  host: SimHost;
  port: SimPort;
  before: Hop[];
}

/** A port by name on one host: an OVS port, or a Linux device leading to one. */
export function findPortOnHost(host: SimHost, name: string): PortRef | undefined {
  for (const b of host.bridges.values()) {
    const p = b.byName.get(name);
    if (p) return { host, port: p, before: [] };
  }
  // Walk the Linux side: a device → its bridge (master) → that bridge's members → veth peers, until a
  // device that is an OVS port. Breadth first, so tap → qbr → qvb → qvo is found in three steps.
  const topo = host.topology;
  const seen = new Set([name]);
  let frontier: Array<{ dev: string; path: Hop[] }> = [{ dev: name, path: [] }];
  for (let depth = 0; depth < 4 && frontier.length > 0; depth++) {
    const next: typeof frontier = [];
    for (const { dev, path } of frontier) {
      const d = topo.linux.get(dev);
      const hop = (kind: Hop["kind"], bridge?: string): Hop => {
        const h: Hop = { host: host.name, port: dev, kind };
        if (bridge !== undefined) h.bridge = bridge;
        return h;
      };
      const steps: string[] = [];
      const lb = topo.linuxBridges.find((x) => x.name === dev);
      if (lb) steps.push(...lb.members);
      if (d?.master) steps.push(d.master);
      if (d?.peer) steps.push(d.peer);
      for (const s of steps) {
        if (seen.has(s)) continue;
        seen.add(s);
        const kind: Hop["kind"] = d?.peer === s ? "veth" : "in";
        const pathNext = [...path, hop(kind, lb ? dev : d?.master)];
        for (const b of host.bridges.values()) {
          const p = b.byName.get(s);
          if (p) return { host, port: p, before: pathNext };
        }
        next.push({ dev: s, path: pathNext });
      }
    }
    frontier = next;
  }
  return undefined;
}

/** `HOST:PORT` or `PORT` (searched on every host; an error when several hosts have it). */
export function resolveAt(hosts: readonly SimHost[], at: string): PortRef | string {
  const colon = at.indexOf(":");
  const hostName = colon > 0 ? at.slice(0, colon) : undefined;
  const portName = colon > 0 ? at.slice(colon + 1) : at;
  const candidates = hosts.filter((h) => hostName === undefined || h.name === hostName);
  if (hostName !== undefined && candidates.length === 0)
    return `--at ${at}: no loaded host is called "${hostName}" (hosts: ${hosts.map((h) => h.name).join(", ")})`;
  const found = candidates.flatMap((h) => findPortOnHost(h, portName) ?? []);
  if (found.length === 0)
    return `--at ${at}: no port or device "${portName}" leads into Open vSwitch on ${hostName ?? "any loaded host"}`;
  if (found.length > 1)
    return `--at ${at}: "${portName}" exists on ${found.map((f) => f.host.name).join(", ")}; write HOST:${portName}`;
  return found[0];
}

/** The loaded host whose tunnel endpoint is `ip`. */
export function hostWithLocalIp(hosts: readonly SimHost[], ip: string): SimHost | undefined {
  // A loop, not find(): every tunnel output of a replay asks, and find's callback is a closure each time.
  for (const h of hosts) if (h.topology.localIps.has(ip)) return h;
  return undefined;
}

/** The tunnel port on `host` that receives `kind` traffic from `remote` (a remote_ip=flow port as fallback). */
export function tunnelPortFor(
  host: SimHost,
  kind: string,
  remote: string,
): { bridge: SimBridge; port: SimPort } | undefined {
  let wildcard: { bridge: SimBridge; port: SimPort } | undefined;
  for (const b of host.bridges.values())
    for (const p of b.ports.values()) {
      if (!p.tunnel || p.type !== kind) continue;
      if (p.tunnel.remote === remote) return { bridge: b, port: p };
      if (p.tunnel.remote === "flow") wildcard ??= { bridge: b, port: p };
    }
  return wildcard;
}

function tunnelIngress(hosts: readonly SimHost[], t: Readonly<TunnelInfo>): Ingress | undefined {
  const dst = ipText(t.dst);
  const src = ipText(t.src);
  const host = hostWithLocalIp(hosts, dst);
  if (!host) return undefined;
  const tp = tunnelPortFor(host, t.kind, src);
  if (!tp)
    return {
      kind: "none",
      reason: `${t.kind} frame from ${src} to ${host.name} (${dst}), which has no ${t.kind} port to ${src}`,
    };
  return { kind: "tunnel", host, bridge: tp.bridge, port: tp.port, tunnel: { ...t }, before: [] };
}

function portIngress(ref: PortRef): Ingress {
  const bridge = ref.host.bridges.get(ref.port.bridge);
  if (!bridge) return { kind: "none", reason: `port ${ref.port.name} has no bridge` };
  return { kind: "port", host: ref.host, bridge, port: ref.port, before: ref.before };
}

/** Neutron port MAC → the OVS port, per host, for the source-MAC inference. */
function portsByMac(hosts: readonly SimHost[]): Map<string, PortRef> {
  const m = new Map<string, PortRef>();
  for (const h of hosts)
    for (const b of h.topology.bridges)
      for (const p of b.ports) {
        const mac = p.neutron.mac?.toLowerCase();
        if (!mac) continue;
        const ref = findPortOnHost(h, p.name);
        if (ref) m.set(mac, ref);
      }
  return m;
}

/** The 48 bits of the MAC at `at` as a number (exact: under 2^53). */
function macNumberAt(d: Uint8Array, at: number): number {
  const low = ((d[at + 2] << 24) | (d[at + 3] << 16) | (d[at + 4] << 8) | d[at + 5]) >>> 0;
  return (d[at] * 0x100 + d[at + 1]) * 0x1_0000_0000 + low;
}

export interface IngressResolver {
  /** Where this frame enters; `ifName` is the capture interface's name, when it has one. */
  resolve(data: Uint8Array, linktype: number, ifName?: string): Ingress;
}

/**
 * Builds the resolver once per replay: `at` forces the ingress port (tunnel frames addressed to a loaded
 * host still enter through their tunnel port: a capture on the underlay NIC holds both).
 */
export function ingressResolver(hosts: readonly SimHost[], at?: PortRef): IngressResolver {
  // Keyed by the MAC's 48 bits as a number: every frame asks, and formatting its MAC as text to ask
  // was most of the resolution's cost.
  const byMacNumber = new Map<number, PortRef>();
  for (const [mac, ref] of portsByMac(hosts)) {
    const n = parseMac(mac);
    if (n !== null) byMacNumber.set(Number(n), ref);
  }
  const byIfName = new Map<string, Ingress>();
  const ifIngress = (name: string): Ingress => {
    let r = byIfName.get(name);
    if (!r) {
      const found = hosts.flatMap((h) => findPortOnHost(h, name) ?? []);
      r =
        found.length === 1
          ? portIngress(found[0])
          : { kind: "none", reason: `interface "${name}" is on ${found.length} hosts` };
      byIfName.set(name, r);
    }
    return r;
  };
  const fixed = at ? portIngress(at) : undefined;
  let previous: PortIngress | undefined;
  return {
    resolve(data, linktype, ifName) {
      const t = tunnelOf(data, linktype);
      if (t) {
        const ti = tunnelIngress(hosts, t);
        if (ti) return ti;
      }
      if (fixed) return fixed;
      if (ifName) {
        const r = ifIngress(ifName);
        if (r.kind !== "none") return r;
      }
      if (linktype === LINKTYPE.ethernet && data.length >= 12) {
        const ref = byMacNumber.get(macNumberAt(data, 6));
        if (ref) {
          const r = portIngress(ref);
          if (r.kind === "port") previous = r;
          return r;
        }
        // A forged or unknown source MAC on a capture taken at one port: the port its other frames
        // entered is where this one entered too (said so in the verdict).
        if (previous && !t) {
          const mac = Array.from(data.subarray(6, 12), (b) => b.toString(16).padStart(2, "0")).join(":");
          return {
            ...previous,
            assumed: `entered at ${previous.port.name} like the capture's earlier frames (source MAC ${mac} is no Neutron port's)`,
          };
        }
      }
      if (t)
        return {
          kind: "none",
          reason: `${t.kind} frame to ${ipText(t.dst)}, which is no loaded host's tunnel endpoint`,
        };
      return {
        kind: "none",
        reason:
          "cannot tell where this frame entered (no interface name, no known source MAC): use --at HOST:PORT",
      };
    },
  };
}
