/** What is wrong in the wiring, each finding with the dump lines that show it. Pure. */
import type { Finding, HostTopology, VmPath } from "./model.js";
import { allPorts, hostOwning, segmentOf } from "./paths.js";

/** Encapsulation overhead on an IPv4 underlay (outer Ethernet + IP + the tunnel header). */
export const TUNNEL_OVERHEAD: Record<string, { bytes: number; label: string }> = {
  vxlan: { bytes: 50, label: "VXLAN/IPv4: 50" },
  gre: { bytes: 42, label: "GRE with key/IPv4: 42" },
  geneve: { bytes: 50, label: "Geneve/IPv4: 50 plus options" },
};

export function findings(hosts: readonly HostTopology[], paths: readonly VmPath[]): Finding[] {
  const out: Finding[] = [];
  for (const t of hosts) {
    const ports = allPorts(t);
    for (const d of t.linux.values()) {
      if (d.peer && !t.linux.has(d.peer))
        out.push({
          severity: "error",
          kind: "veth-peer-missing",
          host: t.host,
          message: `${d.name}'s veth peer ${d.peer} does not exist`,
          evidence: [d.evidence],
        });
    }
    for (const p of ports.filter((x) => x.role === "patch")) {
      if (!p.peer || !ports.some((x) => x.name === p.peer && x.role === "patch"))
        out.push({
          severity: "error",
          kind: "patch-peer-missing",
          host: t.host,
          message: `patch port ${p.name} on ${p.bridge}: its peer ${p.peer ?? "(none set)"} is not a patch port on any bridge`,
          evidence: [p.evidence],
        });
    }
    if (hosts.length > 1)
      for (const p of ports.filter((x) => x.tunnel?.remote)) {
        const remote = p.tunnel?.remote ?? "";
        if (!hostOwning(hosts, remote))
          out.push({
            severity: "warning",
            kind: "tunnel-remote-unknown",
            host: t.host,
            message: `tunnel ${p.name} goes to ${remote}, which no loaded host owns`,
            evidence: [p.evidence],
          });
      }
    for (const p of ports.filter(
      (x) =>
        x.bridge === "br-int" && ["vm-hybrid", "vm", "dhcp", "router", "router-gateway"].includes(x.role),
    )) {
      if (p.tag === undefined)
        out.push({
          severity: "error",
          kind: "port-untagged",
          host: t.host,
          message: `${p.name} on br-int has no tag: the agent has not wired it (no local VLAN)`,
          evidence: [p.evidence],
        });
      else if (p.tag === 4095)
        out.push({
          severity: "warning",
          kind: "port-dead-vlan",
          host: t.host,
          message: `${p.name} is in VLAN 4095, the agent's dead VLAN: all its traffic is dropped`,
          evidence: [p.evidence],
        });
      if (p.up === false) {
        const dev = t.linux.get(p.name);
        const why = dev ? ` (${dev.flags.join(",")})` : "";
        out.push({
          severity: "warning",
          kind: "port-down",
          host: t.host,
          message: `${p.name} is down${why}`,
          evidence: [dev?.evidence ?? p.evidence],
        });
      }
    }
  }
  // Segments: a network used on a host must be able to arrive there (br-tun table 3/4/6 flow).
  const segIds = new Map<string, { type: string; id: number }>();
  for (const t of hosts)
    for (const s of t.segments)
      if (s.segmentationId !== undefined && s.type !== "flat" && s.type !== "vlan")
        segIds.set(`${s.type}:${s.segmentationId}`, { type: s.type, id: s.segmentationId });
  for (const t of hosts) {
    for (const s of t.segments) {
      if (s.outbound && !s.inbound && s.segmentationId !== undefined) {
        const type =
          s.type !== "unknown"
            ? s.type
            : ([...segIds.values()].find((x) => x.id === s.segmentationId)?.type ?? "unknown");
        const table = type === "gre" ? 3 : type === "geneve" ? 6 : 4;
        out.push({
          severity: "error",
          kind: "segment-missing-flow",
          host: t.host,
          message: `segmentation id ${s.segmentationId} (${type}, local VLAN ${s.localVlan}) has no br-tun table ${table} flow: traffic arriving for it is dropped`,
          evidence: [s.outbound],
        });
      }
    }
    // A local VLAN used by ports but with no way out or in.
    const used = new Set(
      allPorts(t)
        .filter((p) => p.bridge === "br-int" && p.tag !== undefined && p.tag !== 4095)
        .map((p) => p.tag as number),
    );
    const hasTun = allPorts(t).some((p) => p.role === "tunnel");
    for (const vlan of used)
      if (hasTun && !segmentOf(t, vlan))
        out.push({
          severity: "warning",
          kind: "segment-missing-flow",
          host: t.host,
          message: `local VLAN ${vlan} is used on br-int but no br-tun or provider flow maps it to a network`,
          evidence: allPorts(t)
            .filter((p) => p.tag === vlan)
            .map((p) => p.evidence),
        });
  }
  // MTU: the VM's MTU plus the encapsulation must fit the underlay's MTU.
  for (const path of paths) {
    const t = hosts.find((h) => h.host === path.host);
    const vmHop = path.hops.find((h) => h.kind === "tap");
    // The VM side's MTU: the tap's in ip link (hybrid plug), or the br-int port's (OVS-firewall tap).
    const vmMtu =
      vmHop && t
        ? (t.linux.get(vmHop.name)?.mtu ?? allPorts(t).find((p) => p.name === vmHop.name)?.mtu)
        : undefined;
    if (!t || !vmHop || vmMtu === undefined) continue;
    for (const exit of path.exits) {
      const tun = exit.find((h) => h.kind === "tunnel");
      const port = tun ? allPorts(t).find((p) => p.name === tun.name) : undefined;
      const local = port?.tunnel?.local;
      const under = local ? t.addresses.get(local) : undefined;
      const overhead = port?.tunnel ? TUNNEL_OVERHEAD[port.tunnel.type] : undefined;
      if (!port || !under?.mtu || !overhead) continue;
      if (vmMtu + overhead.bytes > under.mtu)
        out.push({
          severity: "error",
          kind: "mtu",
          host: t.host,
          message: `${vmHop.name} MTU ${vmMtu} + ${overhead.label} = ${vmMtu + overhead.bytes} > underlay MTU ${under.mtu} on ${under.device} (${local}): full-size packets will not fit through ${port.tunnel?.type} tunnels`,
          evidence: [t.linux.get(vmHop.name)?.evidence ?? port.evidence, under.evidence],
        });
    }
  }
  // One finding per distinct problem (an MTU problem repeats for every tunnel of the same underlay).
  const seen = new Set<string>();
  return out.filter((f) => {
    const key = `${f.host}|${f.kind}|${f.message.replace(/ through \S+ will not fit$/, "")}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
