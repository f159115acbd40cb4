/** From a loaded host (its dumps) to the host topology. Pure. */
import type { Host } from "../dumps/host/load.js";
import type { LinkInfo } from "../dumps/linux/link-block.js";
import { asMap, asNumber, asString } from "../dumps/vsctl/ovsdb-value.js";
import { TUNNEL_UDP_PORT } from "../model/tunnel.js";
import { ipHints, providerSegments, tunnelSegments } from "./flows-facts.js";
import type { HostTopology, LinuxDevice, OvsPort, PortRole, TunnelInfo } from "./model.js";

const TUNNEL_TYPES = new Set([
  "vxlan",
  "gre",
  "geneve",
  "stt",
  "erspan",
  "ip6gre",
  "ip6erspan",
  "gtpu",
  "bareudp",
]);

/** Neutron's device-name prefixes carry the first 11 characters of the port id. */
const NEUTRON_PREFIX = /^(tap|qvo|qvb|qbr|qr-|qg-|ha-|sg-|fg-|rfp-|fpr-)([0-9a-f]{8}-[0-9a-f]{2})$/;

export function portIdPrefix(name: string): string | undefined {
  return NEUTRON_PREFIX.exec(name)?.[2];
}

function roleOf(name: string, type: string, bridge: string): PortRole {
  if (type === "patch") return "patch";
  if (TUNNEL_TYPES.has(type)) return "tunnel";
  if (name.startsWith("qvo")) return "vm-hybrid";
  if (name.startsWith("qr-")) return "router";
  if (name.startsWith("qg-")) return "router-gateway";
  if (name.startsWith("tap")) return type === "internal" ? "dhcp" : "vm";
  if (type === "internal") return "internal";
  if (name === bridge) return "internal";
  return bridge === "br-int" ? "other" : "nic";
}

function linuxDevices(host: Host): Map<string, LinuxDevice> {
  const out = new Map<string, LinuxDevice>();
  // Prefer the most detailed dump (-d gives the kind); addresses dumps have the same link blocks.
  const dumps = [...host.dumps.ipLink, ...host.dumps.ipAddr].sort(
    (a, b) => b.value.filter((l) => l.kind).length - a.value.filter((l) => l.kind).length,
  );
  for (const d of dumps) {
    for (const l of d.value as LinkInfo[]) {
      if (out.has(l.name) || l.flags.length === 0) continue;
      const dev: LinuxDevice = {
        name: l.name,
        up: l.flags.includes("UP") && !l.flags.includes("NO-CARRIER") && l.state !== "DOWN",
        flags: l.flags,
        evidence: { file: d.file, line: l.line },
      };
      const kind = l.tunType === "tap" ? "tap" : l.kind;
      if (kind) dev.kind = kind;
      if (l.peer && !/^(if\d+|NONE)$/.test(l.peer)) dev.peer = l.peer;
      if (l.master) dev.master = l.master;
      if (l.mtu !== undefined) dev.mtu = l.mtu;
      out.set(l.name, dev);
    }
  }
  return out;
}

export function buildHostTopology(host: Host): HostTopology {
  const topo: HostTopology = {
    host: host.name,
    bridges: [],
    linux: linuxDevices(host),
    linuxBridges: [],
    localIps: new Set(),
    addresses: new Map(),
    segments: [],
    ipHints: [],
  };
  const ifaceRecords = new Map(
    (host.dumps.vsctlList.find((l) => l.table === "interface")?.value ?? []).map((r) => [
      asString(r.columns.get("name")),
      r,
    ]),
  );
  const dpif = host.dumps.dpifShow[0]?.value.datapaths.flatMap((d) => d.bridges) ?? [];
  const dpctlPorts = new Map<string, number>();
  for (const d of host.dumps.dpctlShow)
    for (const dp of d.value) for (const p of dp.ports) dpctlPorts.set(p.name, p.dpPort);
  const vsctl = host.dumps.vsctlShow[0];
  for (const b of vsctl?.value.bridges ?? []) {
    const view = host.bridges.find((x) => x.name === b.name);
    const ofports = new Map([...(view?.portNames ?? [])].map(([n, s]) => [s, n]));
    const ofState = new Map((view?.ports?.value.ports ?? []).map((p) => [p.name, p]));
    const bridge: HostTopology["bridges"][number] = { name: b.name, ports: [] };
    if (b.failMode) bridge.failMode = b.failMode;
    if (b.datapathType) bridge.datapathType = b.datapathType;
    for (const p of b.ports) {
      const iface = p.interfaces[0];
      const type = iface?.type ?? "";
      const rec = ifaceRecords.get(p.name);
      const ext = asMap(rec?.columns.get("external_ids"));
      const port: OvsPort = {
        bridge: b.name,
        name: p.name,
        type,
        role: roleOf(p.name, type, b.name),
        trunks: p.trunks,
        neutron: {},
        evidence: { file: vsctl.file, line: iface?.line ?? p.line },
      };
      const ofport = ofports.get(p.name) ?? asNumber(rec?.columns.get("ofport"));
      if (ofport !== undefined && ofport >= 0) port.ofport = ofport;
      const dp = dpif.find((x) => x.name === b.name)?.ports.find((x) => x.name === p.name);
      if (dp && dp.dpPort !== null) port.dpPort = dp.dpPort;
      // Without dpif/show, `dpctl/show` numbers the datapath's ports by name (tunnels share a vport).
      else if (!dp) {
        const vport = TUNNEL_TYPES.has(type)
          ? `${type}_sys${type === "gre" ? "" : `_${iface?.options.get("dst_port") ?? TUNNEL_UDP_PORT[type] ?? ""}`}`
          : p.name;
        const sys = dpctlPorts.get(p.name) ?? dpctlPorts.get(vport);
        if (sys !== undefined) port.dpPort = sys;
      }
      if (p.tag !== undefined) port.tag = p.tag;
      const peer = iface?.options.get("peer");
      if (peer) port.peer = peer;
      if (TUNNEL_TYPES.has(type)) {
        const o = iface.options;
        const t: TunnelInfo = { type };
        for (const [k, key] of [
          ["local_ip", "local"],
          ["remote_ip", "remote"],
          ["key", "key"],
          ["in_key", "inKey"],
          ["out_key", "outKey"],
        ] as const)
          if (o.has(k)) t[key] = o.get(k) as string;
        if (o.has("dst_port")) t.dstPort = Number(o.get("dst_port"));
        port.tunnel = t;
        if (t.local) topo.localIps.add(t.local);
      }
      const linux = topo.linux.get(p.name);
      const mtu = linux?.mtu ?? asNumber(rec?.columns.get("mtu"));
      if (mtu !== undefined) port.mtu = mtu;
      const of = ofState.get(p.name);
      const downs = [
        linux ? !linux.up : false,
        of ? of.state.includes("LINK_DOWN") || of.config.includes("PORT_DOWN") : false,
        asString(rec?.columns.get("link_state")) === "down",
      ];
      if (linux || of || rec) port.up = !downs.some(Boolean);
      const mac = asString(ext.get("attached-mac"));
      const ifaceId = asString(ext.get("iface-id"));
      const vm = asString(ext.get("vm-uuid"));
      if (mac) port.neutron.mac = mac;
      if (ifaceId) port.neutron.ifaceId = ifaceId;
      if (vm) port.neutron.vmUuid = vm;
      const prefix = portIdPrefix(p.name);
      if (prefix) port.portIdPrefix = prefix;
      bridge.ports.push(port);
    }
    topo.bridges.push(bridge);
  }
  for (const d of host.dumps.brctl)
    for (const br of d.value)
      topo.linuxBridges.push({
        name: br.name,
        members: br.interfaces,
        evidence: { file: d.file, line: br.line },
      });
  if (topo.linuxBridges.length === 0) {
    // No brctl dump: the masters in ip link say the same.
    const masters = new Map<string, string[]>();
    for (const dev of topo.linux.values())
      if (dev.master) masters.set(dev.master, [...(masters.get(dev.master) ?? []), dev.name]);
    for (const [name, members] of masters) {
      const dev = topo.linux.get(name);
      if (dev?.kind === "bridge" || name.startsWith("qbr"))
        topo.linuxBridges.push({ name, members, evidence: dev?.evidence ?? { file: "", line: 0 } });
    }
  }
  for (const d of host.dumps.ipAddr)
    for (const l of d.value)
      for (const a of l.addresses) {
        const ip = a.cidr.split("/")[0];
        const entry: { device: string; mtu?: number; evidence: { file: string; line: number } } = {
          device: l.name,
          evidence: { file: d.file, line: a.line },
        };
        const mtu = l.mtu ?? topo.linux.get(l.name)?.mtu;
        if (mtu !== undefined) entry.mtu = mtu;
        if (!topo.addresses.has(ip)) topo.addresses.set(ip, entry);
      }
  const brTun = host.bridges.find((b) => b.name === "br-tun");
  if (brTun?.flows)
    topo.segments.push(...tunnelSegments(brTun.flows.value.flows, (n) => brTun.portNames.get(n)));
  const brInt = host.bridges.find((b) => b.name === "br-int");
  if (brInt?.flows) {
    const intPorts = new Map([...brInt.portNames].filter(([, name]) => name.startsWith("int-")));
    topo.segments.push(...providerSegments(brInt.flows.value.flows, intPorts));
    topo.ipHints.push(...ipHints(brInt.flows.value.flows));
  }
  if (brTun?.flows) topo.ipHints.push(...ipHints(brTun.flows.value.flows));
  // A segment seen only going out (its inbound flow missing) takes its type from its tunnel ports.
  const tunnelType = new Map(
    topo.bridges.flatMap((b) => b.ports).flatMap((p) => (p.tunnel ? [[p.name, p.tunnel.type]] : [])),
  );
  for (const s of topo.segments) {
    const t = s.outPorts.map((n) => tunnelType.get(n)).find((x) => x !== undefined);
    if (s.type === "unknown" && (t === "vxlan" || t === "gre" || t === "geneve")) s.type = t;
  }
  return topo;
}
