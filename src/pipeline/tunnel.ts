/**
 * Tunnel ports. Kernel datapath: output sets tunnel metadata from the port's options
 * (`set(tunnel(...)),PORT`). Userspace native tunnels: the route and neighbour tables give the outer
 * headers, the packet is pushed (`tnl_push(...)`) and switched by the underlay bridge; a packet for a
 * local tunnel endpoint arriving on that bridge is popped (`tnl_pop(PORT)`).
 */

import { parseMac } from "../model/field-value.js";
import { FIELD, readField, writeField } from "../model/fields.js";
import { type FlowKey, K, OFPP, TUN_FLAG_CSUM, TUN_FLAG_DF, TUN_FLAG_KEY } from "../model/layout.js";
import { TUNNEL_UDP_PORT } from "../model/tunnel.js";
import { memoize } from "../util/memo.js";
import { commitPacket } from "./commit.js";
import { joinOdp, type OutputRecord, type XlateContext } from "./context.js";
import { type GeneveOptions, geneveOptions, geneveSetOptions } from "./geneve-options.js";
import { ipText } from "./ip-text.js";
import { borrowKey, releaseKey } from "./key-pool.js";
import { ipv4ToNumber, routeTo, type SimHost, type SimPort } from "./switch.js";

const TUN_ID = FIELD.tun_id;
const TUN_ID_WORD = K.tunId;

/**
 * A tunnel port's options as the words they set: parsed once per port, not per packet (an IPv4 address
 * text and a key's BigInt each frame were ~1% of a tunneled frame).
 */
interface TunnelWords {
  ipv6Remote: boolean;
  /** The key's two words, when the port sets one (not key=flow). */
  keyWords: [number, number] | undefined;
  /** remote_ip as a number, undefined for none or remote_ip=flow. */
  remote: number | undefined;
  /** local_ip as a number (0 for none), undefined for local_ip=flow. */
  local: number | undefined;
  tpDst: number;
  flags: number;
}
type TunnelOptions = NonNullable<SimPort["tunnel"]>;
type TunnelRecord = NonNullable<OutputRecord["tunnel"]>;

/**
 * What a tunnel port's output remembers, one object per port (one WeakMap get a tunneled packet): its
 * options' words (made again should the port ever get other options), and its last tunnel record with
 * the metadata it was made from.
 */
interface PortTunnel {
  options: TunnelOptions;
  words: TunnelWords;
  idHi: number;
  idLo: number;
  src: number;
  dst: number;
  record: TunnelRecord | undefined;
}
const portTunnels = new WeakMap<SimPort, PortTunnel>();

function portTunnel(port: SimPort, t: TunnelOptions): PortTunnel {
  const known = portTunnels.get(port);
  if (known && known.options === t) return known;
  const made: PortTunnel = {
    options: t,
    words: wordsOf(t),
    idHi: 0,
    idLo: 0,
    src: 0,
    dst: 0,
    record: undefined,
  };
  portTunnels.set(port, made);
  return made;
}

function wordsOf(t: TunnelOptions): TunnelWords {
  const outKey = t.outKey ?? t.key;
  let keyWords: TunnelWords["keyWords"];
  if (outKey !== undefined && outKey !== "flow") {
    const scratch = new Uint32Array(K.tunId + 2) as unknown as FlowKey;
    writeField(scratch, TUN_ID, BigInt(outKey));
    keyWords = [scratch[TUN_ID_WORD], scratch[TUN_ID_WORD + 1]];
  }
  return {
    ipv6Remote: t.remote?.includes(":") ?? false,
    keyWords,
    remote: t.remote && t.remote !== "flow" ? (ipv4ToNumber(t.remote) ?? 0) : undefined,
    local: t.local === "flow" ? undefined : t.local ? (ipv4ToNumber(t.local) ?? 0) : 0,
    tpDst: t.dstPort ?? TUNNEL_UDP_PORT[t.type] ?? 0,
    flags: TUN_FLAG_DF | (outKey !== undefined ? TUN_FLAG_KEY : 0) | (t.csum ? TUN_FLAG_CSUM : 0),
  };
}

/** tnl_port_send: tunnel metadata from the port's options and the flow (key=flow, remote_ip=flow...). */
function setTunnelFromPort(ctx: XlateContext, port: SimPort): OutputRecord["tunnel"] | undefined {
  const t = port.tunnel;
  if (!t) return undefined;
  const f = ctx.flow;
  const pt = portTunnel(port, t);
  const w = pt.words;
  const ipv6Remote =
    w.ipv6Remote ||
    (t.remote === "flow" && ctx.flow.subarray(K.tunIpv6Dst, K.tunIpv6Dst + 4).some((x) => x !== 0));
  if (ipv6Remote) ctx.reportUnmodelled("IPv6 tunnels", "are");
  if (w.keyWords) {
    f[TUN_ID_WORD] = w.keyWords[0];
    f[TUN_ID_WORD + 1] = w.keyWords[1];
  }
  if (w.remote !== undefined) f[K.tunDst] = w.remote;
  // Unless local_ip=flow, the source is the port's local_ip, or none: never the received tunnel's.
  if (w.local !== undefined) f[K.tunSrc] = w.local;
  f[K.tunTos] = 0;
  f[K.tunTtl] = 64;
  f[K.tunTpDst] = w.tpDst;
  f[K.tunFlags] = (f[K.tunFlags] & 1) | w.flags;
  return tunnelRecord(pt, t.type, f);
}

/**
 * The output's tunnel record, the same object while a port sends with the same key and endpoints (a
 * replay's packets of one network, one after another): its texts are made once, and what the explain
 * stage derives from a record can be remembered by it. Records are never changed once made.
 */
function tunnelRecord(m: PortTunnel, type: string, f: FlowKey): TunnelRecord {
  const idHi = f[TUN_ID_WORD];
  const idLo = f[TUN_ID_WORD + 1];
  const src = f[K.tunSrc];
  const dst = f[K.tunDst];
  if (m.record && m.idHi === idHi && m.idLo === idLo && m.src === src && m.dst === dst) return m.record;
  m.record = {
    type,
    tunId: `0x${readField(f, TUN_ID).toString(16)}`,
    src: ipText(src),
    dst: ipText(dst),
  };
  m.idHi = idHi;
  m.idLo = idLo;
  m.src = src;
  m.dst = dst;
  return m.record;
}

/** The kernel datapath's set(tunnel(...)) for the flow's tunnel metadata. */
function tunnelSetAction(ctx: XlateContext, port: SimPort): string {
  const f = ctx.flow;
  const parts: string[] = [];
  const id = readField(f, TUN_ID);
  if (id !== 0n || f[K.tunFlags] & TUN_FLAG_KEY) parts.push(`tun_id=0x${id.toString(16)}`);
  if (f[K.tunSrc]) parts.push(`src=${ipText(f[K.tunSrc])}`);
  if (f[K.tunDst]) parts.push(`dst=${ipText(f[K.tunDst])}`);
  if (f[K.tunTos]) parts.push(`tos=0x${f[K.tunTos].toString(16)}`);
  parts.push(`ttl=${f[K.tunTtl]}`);
  if (f[K.tunTpSrc]) parts.push(`tp_src=${f[K.tunTpSrc]}`);
  if (f[K.tunTpDst]) parts.push(`tp_dst=${f[K.tunTpDst]}`);
  if (port.tunnel?.type === "geneve") {
    const options = geneveSetOptions(f, ctx.host.bridges.get(port.bridge)?.tlvMap);
    if (options) parts.push(options);
  }
  const flags = [
    f[K.tunFlags] & TUN_FLAG_DF && "df",
    f[K.tunFlags] & TUN_FLAG_CSUM && "csum",
    f[K.tunFlags] & TUN_FLAG_KEY && "key",
  ].filter(Boolean);
  parts.push(`flags(${flags.join("|")})`);
  return `set(tunnel(${parts.join(",")}))`;
}

/** Kernel-style tunnel output: report, set the metadata, emit set(tunnel()) when it changed. */
export function kernelTunnelSend(ctx: XlateContext, port: SimPort): OutputRecord["tunnel"] | undefined {
  const tunnel = setTunnelFromPort(ctx, port);
  if (!tunnel) return undefined;
  if (ctx.flow[K.tunDst] === ctx.origTunDst && ctx.origTunDst !== 0) {
    ctx.report("warn", "Not tunneling to our own address");
    return undefined;
  }
  ctx.report("detail", "output to kernel tunnel");
  const set = tunnelSetAction(ctx, port);
  if (set !== ctx.committedTunnel) {
    ctx.odp.push(set);
    ctx.committedTunnel = set;
  }
  return tunnel;
}

const VPORT_TYPE: Record<string, number> = { gre: 3, vxlan: 4, geneve: 5 };

/**
 * native_tunnel_output: route, neighbour, header, then the underlay bridge switches the outer packet.
 * The packet is left as the underlay had it: the caller restores it (compose_output, around every
 * tunnel output).
 */
export function nativeTunnelOutput(ctx: XlateContext, port: SimPort, isLast: boolean): void {
  const tunnel = setTunnelFromPort(ctx, port);
  if (!tunnel) return;
  // compose_output_action__ commits the inner packet's changes (a VLAN popped for this port after a
  // flood pushed one for a trunk port) before build_tunnel_send, whether or not the route is found.
  commitPacket(ctx);
  if (!ctx.lean) ctx.report("detail", "output to native tunnel");
  const f = ctx.flow;
  const dst = f[K.tunDst];
  const hop = nextHop(ctx, dst);
  const route = hop.route;
  const dev = hop.dev;
  if (!route || !dev) {
    ctx.report("warn", "native tunnel routing failed");
    return;
  }
  // The routing notes are formatted only for a trace that prints them (not a lean replay's).
  if (!ctx.lean) ctx.report("detail", `tunneling to ${ipText(dst)} via ${route.dev}`);
  const src = f[K.tunSrc] || hop.routeSrc;
  const smac = dev.mac;
  if (!smac) {
    ctx.report("warn", "tunnel output device lacks Ethernet address");
    return;
  }
  const neigh = hop.neigh;
  if (!neigh) {
    ctx.report(
      "detail",
      `neighbor cache miss for ${ipText(dst)} on bridge ${route.dev}, sending ARP request`,
    );
    return;
  }
  if (!ctx.lean) ctx.report("detail", `tunneling from ${smac} ${ipText(src)} to ${neigh.mac} ${ipText(dst)}`);
  const push = tunnelPush(ctx, port, dev, neigh.mac, smac, src, dst);
  // compose_output_action__ commits the inner packet's changes (a router's MAC and TTL rewrite) before
  // the push: the commit above did, and nothing since has changed the packet or the datapath's copy.
  // The tunnel output's record is the inner packet as it is now (tunnel metadata set): copied here, so
  // the packet need not be saved and restored around the underlay (the caller, compose_output, restores
  // the packet as it was before the tunnel metadata anyway).
  const outFlow = ctx.outputFlow();
  const savedBase = ctx.base;
  const savedShared = ctx.baseShared;
  const savedEffects = ctx.sideEffects;
  // The outer packet as the underlay bridge sees it.
  writeMac(f, K.dlDst, hop.dmac);
  writeMac(f, K.dlSrc, hop.smac);
  f[K.vlanTci] = 0;
  f[K.vlanTci1] = 0;
  f[K.dlType] = 0x0800;
  f[K.nwSrc] = src;
  f[K.nwDst] = dst;
  f[K.nwFrag] = 0;
  f[K.nwTos] = f[K.tunTos];
  f[K.nwTtl] = f[K.tunTtl];
  f[K.tpDst] = f[K.tunTpDst];
  f[K.tpSrc] = f[K.tunTpSrc];
  f[K.nwProto] = port.tunnel?.type === "gre" ? 47 : 17;
  // The datapath's packet is now the outer one: a copy the underlay commits into (the inner's is put
  // back afterwards, not copied back).
  ctx.base = borrowKey(f);
  ctx.baseShared = false;
  ctx.sideEffects = false;
  const outer = ctx.odp;
  ctx.enterOuter(outer);
  ctx.odp = [push];
  // Not last, OVS opens a datapath clone() around the push first (native_tunnel_output).
  if (!isLast) ctx.openClones++;
  const firstUnderlayOutput = ctx.outputs.length;
  // The outer packet is compose_output's scratch copy (it restores the inner one afterwards).
  ctx.xlate.patchOutput(ctx, dev, isLast, true);
  if (!isLast) ctx.openClones--;
  ctx.leaveOuter();
  // What the underlay bridge output is the encapsulated copy of this tunnel output, not a delivery.
  for (let i = firstUnderlayOutput; i < ctx.outputs.length; i++) ctx.outputs[i].underlay = true;
  const inner = ctx.odp;
  ctx.odp = outer;
  if (inner.length > 1) outer.push(isLast ? joinOdp(inner) : `clone(${joinOdp(inner)})`);
  ctx.sideEffects = savedEffects;
  if (!ctx.baseShared) releaseKey(ctx.base);
  ctx.base = savedBase;
  ctx.baseShared = savedShared;
  // The outer source is the route's when the port names no local_ip (OVN's ports): the receiver knows
  // the sender by it.
  ctx.xlate.recordOutput(
    ctx,
    port,
    tunnel.src === "0.0.0.0" ? withSource(tunnel, ipText(src)) : tunnel,
    outFlow,
  );
}

/**
 * What a native tunnel output to one destination finds on its host: the route, the underlay bridge's
 * LOCAL port, the route's source, the neighbour and the two MACs as numbers. The routes and neighbours
 * come from the dumps and never change once the host is built, so each destination's is worked out
 * once (a route scan, the neighbour's address formatted, two Map gets and two MACs parsed a frame).
 */
interface NextHop {
  route: SimHost["routes"][number] | undefined;
  dev: SimPort | undefined;
  /** The route's source address, 0 when it names none. */
  routeSrc: number;
  neigh: { mac: string; bridge: string } | undefined;
  /** The neighbour's and the device's MAC (0 when absent: not read then). */
  dmac: number;
  smac: number;
}

/**
 * Each host's next hops, remembered by destination through `memoize`: bounded like every such memo, since
 * a flow can take tun_dst from the packet (remote_ip=flow with a move), and a capture then brings
 * destinations without end.
 */
const nextHops = new WeakMap<SimHost, (dst: number) => NextHop>();
function nextHop(ctx: XlateContext, dst: number): NextHop {
  const host = ctx.host;
  const known = nextHops.get(host);
  if (known) return known(dst);
  const find = memoize((to: number) => nextHopFrom(host, to));
  nextHops.set(host, find);
  return find(dst);
}

function nextHopFrom(host: SimHost, dst: number): NextHop {
  const route = routeTo(host, dst);
  const dev = route && bridgeLocal(host, route.dev);
  const neigh = host.neighbours.get(ipText(dst));
  return {
    route,
    dev,
    routeSrc: ipv4ToNumber(route?.src ?? "") || 0,
    neigh,
    dmac: neigh ? macNumber(neigh.mac) : 0,
    smac: dev?.mac ? macNumber(dev.mac) : 0,
  };
}

/** A record with the route's source address, made once per record and source (records are shared). */
const sourced = new WeakMap<TunnelRecord, TunnelRecord>();
function withSource(r: TunnelRecord, src: string): TunnelRecord {
  const known = sourced.get(r);
  if (known?.src === src) return known;
  const record = { ...r, src };
  sourced.set(r, record);
  return record;
}

/** The last tnl_push of each tunnel port and what it was made from (see tunnelPush). */
interface PushMemo {
  dmac: string;
  smac: string;
  src: number;
  dst: number;
  idHi: number;
  idLo: number;
  tpDst: number;
  csum: boolean;
  dev: SimPort;
  text: string;
}
const pushes = new WeakMap<SimPort, PushMemo>();

/**
 * The datapath's tnl_push(...) for the outer headers. Without Geneve options (which come from the
 * packet's tun_metadata) it depends only on the values compared here, so a port's last one is reused
 * while they stay the same: the packets of one network between two hosts, one after another.
 */
function tunnelPush(
  ctx: XlateContext,
  port: SimPort,
  dev: SimPort,
  dmac: string,
  smac: string,
  src: number,
  dst: number,
): string {
  const f = ctx.flow;
  const type = port.tunnel?.type ?? "";
  const idHi = f[TUN_ID_WORD];
  const idLo = f[TUN_ID_WORD + 1];
  const tpDst = f[K.tunTpDst];
  const csum = (f[K.tunFlags] & TUN_FLAG_CSUM) !== 0;
  const m = type === "geneve" ? undefined : pushes.get(port);
  if (
    m &&
    m.dmac === dmac &&
    m.smac === smac &&
    m.src === src &&
    m.dst === dst &&
    m.idHi === idHi &&
    m.idLo === idLo &&
    m.tpDst === tpDst &&
    m.csum === csum &&
    m.dev === dev
  )
    return m.text;
  const header = tunnelHeader(type, dmac, smac, src, dst, readField(f, TUN_ID), tpDst, {
    csum,
    geneve: type === "geneve" ? geneveOptions(f, ctx.host.bridges.get(port.bridge)?.tlvMap) : undefined,
  });
  const text = `tnl_push(tnl_port(${port.dpPort ?? 0}),${header},out_port(${dev.dpPort ?? 0}))`;
  if (type !== "geneve") pushes.set(port, { dmac, smac, src, dst, idHi, idLo, tpDst, csum, dev, text });
  return text;
}

/** A MAC's text as a number (48 bits fit a double exactly). */
const macNumber = (mac: string): number => Number(parseMac(mac) ?? 0n);

/** A MAC's 48 bits into its two words of the flow key (the high 16 bits in the first: see layout.ts). */
function writeMac(f: FlowKey, slot: number, mac: number): void {
  f[slot] = Math.floor(mac / 0x1_0000_0000);
  // The low 32 bits: `>>> 0` takes an integer below 2^53 modulo 2^32 exactly, where `%` on a number
  // past 32 bits is a floating-point remainder (a slow call).
  f[slot + 1] = mac >>> 0;
}

/** The underlay device of a route: a bridge's internal (LOCAL) port on this host. */
function bridgeLocal(host: SimHost, dev: string): SimPort | undefined {
  const br = host.bridges.get(dev);
  return br?.ports.get(OFPP.local);
}

function tunnelHeader(
  type: string,
  dmac: string,
  smac: string,
  src: number,
  dst: number,
  id: bigint,
  tpDst: number,
  extra: { csum: boolean; geneve: GeneveOptions | undefined },
): string {
  const eth = `eth(dst=${dmac},src=${smac},dl_type=0x0800)`;
  const ip = (proto: number) =>
    `ipv4(src=${ipText(src)},dst=${ipText(dst)},proto=${proto},tos=0,ttl=64,frag=0x4000)`;
  if (type === "gre") {
    return `header(size=42,type=${VPORT_TYPE.gre},${eth},${ip(47)},gre((flags=0x2000,proto=0x6558),key=0x${id.toString(16)}))`;
  }
  // With checksums on, OVS leaves 0xffff in the header for the datapath to fill in.
  const udp = `udp(src=0,dst=${tpDst},csum=${extra.csum ? "0xffff" : "0x0"})`;
  if (type === "geneve") {
    const g = extra.geneve;
    const opts = g?.text ? `,${g.text}` : "";
    return `header(size=${50 + (g?.bytes ?? 0)},type=${VPORT_TYPE.geneve},${eth},${ip(17)},${udp},geneve(${g?.critical ? "crit," : ""}vni=0x${id.toString(16)}${opts}))`;
  }
  return `header(size=50,type=${VPORT_TYPE.vxlan},${eth},${ip(17)},${udp},vxlan(flags=0x8000000,vni=0x${id.toString(16)}))`;
}

/**
 * terminate_native_tunnel: a packet output to the bridge port that holds a local tunnel endpoint,
 * addressed to that endpoint on a tunnel's UDP port (or GRE), is decapsulated by the datapath.
 * Returns the tunnel vport's datapath number, or undefined when this is not such a packet.
 */
export function terminateNativeTunnel(ctx: XlateContext, port: SimPort): number | undefined {
  if (port.ofport !== OFPP.local) return undefined;
  const f = ctx.flow;
  if (
    f[K.dlType] === 0x86dd &&
    (f[K.nwProto] === 47 || (f[K.nwProto] === 17 && isTunnelUdpPort(ctx, f[K.tpDst])))
  )
    ctx.reportUnmodelled("IPv6 tunnels", "are");
  if (f[K.dlType] !== 0x0800) return undefined;
  // The bridge's own address: a local /32 route (a host's kernel), or the source of a route through
  // it (a userspace bridge given an address with netdev-dummy/ip4addr has no local route).
  const dst = f[K.nwDst];
  const local = ctx.host.routes.some(
    (r) => r.dev === port.bridge && ((r.len === 32 && r.prefix === dst) || ipv4ToNumber(r.src ?? "") === dst),
  );
  if (!local) return undefined;
  for (const b of ctx.host.bridges.values()) {
    for (const p of b.ports.values()) {
      const t = p.tunnel;
      if (!t || p.dpPort === undefined) continue;
      const udp = TUNNEL_UDP_PORT[t.type];
      if (f[K.nwProto] === 17 && udp !== undefined && f[K.tpDst] === (t.dstPort ?? udp)) return p.dpPort;
      if (f[K.nwProto] === 47 && t.type === "gre") return p.dpPort;
    }
  }
  return undefined;
}

/** A UDP port some tunnel port of the host listens on (IPv6 decapsulation is not modelled). */
function isTunnelUdpPort(ctx: XlateContext, udpPort: number): boolean {
  for (const b of ctx.host.bridges.values())
    for (const p of b.ports.values()) {
      const t = p.tunnel;
      if (t && (t.dstPort ?? TUNNEL_UDP_PORT[t.type]) === udpPort) return true;
    }
  return false;
}
