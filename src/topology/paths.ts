/**
 * Each Neutron port's path through its host and out of it: the Linux side (tap → qbr → qvb ⇄ qvo),
 * br-int with the local VLAN, patch ports into br-tun or a provider bridge, and the tunnel ports or NIC
 * the network leaves by — then, with several hosts loaded, the remote host at the other end of each
 * tunnel and the same network's ports there.
 */
import type { Hop, HostTopology, OvsPort, Segment, VmPath } from "./model.js";

const VM_ROLES = new Set(["vm-hybrid", "vm", "dhcp", "router", "router-gateway"]);

export function allPorts(t: HostTopology): OvsPort[] {
  return t.bridges.flatMap((b) => b.ports);
}

function portNamed(t: HostTopology, name: string): OvsPort | undefined {
  return allPorts(t).find((p) => p.name === name);
}

/** The host owning an IP: a tunnel endpoint (local_ip) or an interface address. */
export function hostOwning(hosts: readonly HostTopology[], ip: string): HostTopology | undefined {
  return hosts.find((h) => h.localIps.has(ip)) ?? hosts.find((h) => h.addresses.has(ip));
}

function linuxSide(t: HostTopology, port: OvsPort): Hop[] {
  const hops: Hop[] = [];
  const host = t.host;
  if (port.role === "vm-hybrid") {
    const suffix = port.name.slice(3);
    const qvb = t.linux.get(port.name)?.peer ?? `qvb${suffix}`;
    const qbr = t.linux.get(qvb)?.master ?? `qbr${suffix}`;
    const lb = t.linuxBridges.find((b) => b.name === qbr);
    const tap = lb?.members.find((m) => m.startsWith("tap")) ?? `tap${suffix}`;
    const mtu = (n: string) => (t.linux.get(n)?.mtu !== undefined ? `mtu ${t.linux.get(n)?.mtu}` : undefined);
    const hop = (kind: Hop["kind"], name: string): Hop => {
      const h: Hop = { kind, name, host };
      const d = mtu(name);
      if (d) h.detail = d;
      return h;
    };
    hops.push(hop("tap", tap), hop("linux-bridge", qbr), hop("veth", qvb));
  }
  return hops;
}

function ovsHop(p: OvsPort, host: string, kind: Hop["kind"] = "ovs-port"): Hop {
  const h: Hop = { kind, name: p.name, host, bridge: p.bridge };
  if (p.ofport !== undefined) h.ofport = p.ofport;
  if (p.tag !== undefined) h.tag = p.tag;
  if (p.tunnel) h.detail = `${p.tunnel.type} ${p.tunnel.local ?? "?"} → ${p.tunnel.remote ?? "?"}`;
  return h;
}

/** From br-int out of the host: via patch-tun to tunnels, or via int-br-X to a provider NIC. */
function exitsFrom(hosts: readonly HostTopology[], t: HostTopology, seg: Segment | undefined): Hop[][] {
  const exits: Hop[][] = [];
  for (const patch of allPorts(t).filter((p) => p.bridge === "br-int" && p.role === "patch")) {
    const peer = patch.peer ? portNamed(t, patch.peer) : undefined;
    const start: Hop[] = [ovsHop(patch, t.host, "patch")];
    if (!peer) {
      exits.push([
        ...start,
        { kind: "patch", name: patch.peer ?? "?", host: t.host, detail: "peer missing" },
      ]);
      continue;
    }
    start.push(ovsHop(peer, t.host, "patch"), { kind: "ovs-bridge", name: peer.bridge, host: t.host });
    const onBridge = allPorts(t).filter((p) => p.bridge === peer.bridge && p !== peer);
    const tunnels = onBridge.filter((p) => p.role === "tunnel");
    if (tunnels.length > 0) {
      // A tunnel network leaves by br-tun; a provider network's segment names its int-br port.
      if (seg && (seg.type === "flat" || seg.type === "vlan")) continue;
      const used = seg?.outPorts.length ? tunnels.filter((p) => seg.outPorts.includes(p.name)) : tunnels;
      for (const tun of used) {
        const branch = [...start, ovsHop(tun, t.host, "tunnel")];
        const remote = tun.tunnel?.remote;
        const owner = remote ? hostOwning(hosts, remote) : undefined;
        if (remote)
          branch.push({
            kind: "remote-host",
            name: owner?.host ?? remote,
            host: owner?.host ?? "?",
            detail: owner ? remote : `${remote} (not loaded)`,
          });
        exits.push(branch);
      }
    } else {
      if (seg && seg.type !== "flat" && seg.type !== "vlan" && seg.type !== "unknown") continue;
      if (seg && (seg.type === "flat" || seg.type === "vlan") && !seg.outPorts.includes(patch.name)) continue;
      for (const nic of onBridge.filter((p) => p.role === "nic"))
        exits.push([...start, ovsHop(nic, t.host, "nic")]);
    }
  }
  return exits;
}

export function segmentOf(t: HostTopology, vlan: number | undefined): Segment | undefined {
  if (vlan === undefined) return undefined;
  return t.segments.find((s) => s.localVlan === vlan);
}

export function vmPaths(hosts: readonly HostTopology[]): VmPath[] {
  const out: VmPath[] = [];
  for (const t of hosts) {
    for (const p of allPorts(t).filter((x) => x.bridge === "br-int" && VM_ROLES.has(x.role))) {
      const seg = segmentOf(t, p.tag);
      const path: VmPath = { host: t.host, port: p.name, role: p.role, hops: [], exits: [], peers: [] };
      if (p.neutron.mac) path.mac = p.neutron.mac;
      if (p.neutron.ifaceId) path.ifaceId = p.neutron.ifaceId;
      if (p.neutron.vmUuid) path.vmUuid = p.neutron.vmUuid;
      if (p.tag !== undefined) path.localVlan = p.tag;
      if (seg) path.segment = seg;
      const vm: Hop = { kind: "vm", name: p.neutron.vmUuid ?? p.neutron.mac ?? p.name, host: t.host };
      if (p.neutron.mac) vm.detail = p.neutron.mac;
      path.hops = [
        ...(p.role === "vm-hybrid" || p.role === "vm" ? [vm] : []),
        ...linuxSide(t, p),
        // OVS-firewall plugging: the tap itself is the br-int port.
        p.role === "vm"
          ? { ...ovsHop(p, t.host, "tap"), ...(p.mtu !== undefined ? { detail: `mtu ${p.mtu}` } : {}) }
          : ovsHop(p, t.host),
        { kind: "ovs-bridge", name: "br-int", host: t.host, ...(p.tag !== undefined ? { tag: p.tag } : {}) },
      ];
      path.exits = p.tag === 4095 ? [] : exitsFrom(hosts, t, seg);
      out.push(path);
    }
  }
  // End to end: the same segmentation id on other hosts.
  for (const a of out) {
    const sa = a.segment;
    if (sa?.segmentationId === undefined) continue;
    for (const b of out) {
      if (b.host === a.host || b.segment?.segmentationId !== sa.segmentationId || b.segment.type !== sa.type)
        continue;
      const via = `${sa.type} ${sa.segmentationId}`;
      const peer: VmPath["peers"][number] = { host: b.host, port: b.port, via };
      if (b.mac) peer.mac = b.mac;
      a.peers.push(peer);
    }
  }
  return out;
}
