/**
 * The logical network drawn onto the physical one: logical switches and routers with their ports, each
 * port where it is bound (Port_Binding → chassis) and, on a loaded chassis, the br-int interface that
 * plugs it (external_ids:iface-id); the chassis with their encapsulations and the Geneve tunnel ports
 * ovn-controller made between them (`ovn-<chassis>-N`); localnet ports with their provider network.
 * And what is wrong in it: a VM port bound to no chassis, a chassis without encapsulation, an ACL that
 * names an empty address set or port group, a VM MTU that Geneve's overhead does not fit under the
 * underlay's, an interface whose iface-id no logical port has. Pure.
 */
import type { Host } from "../dumps/host/load.js";
import type { OvsdbRecord } from "../dumps/vsctl/list.js";
import { list, map, num, str } from "./db.js";
import type { OvnModel } from "./model.js";

/** Outer Ethernet 14 + IPv4 20 + UDP 8 + Geneve 8, plus OVN's one 8-byte option (class 0x102 type 0x80). */
export const GENEVE_OVN_OVERHEAD = 58;

export interface Evidence {
  file: string;
  line: number;
}

export interface PlugPoint {
  host: string;
  bridge: string;
  interface: string;
  ofport?: number;
  mtu?: number;
}

export interface LogicalPort {
  name: string;
  /** "" for a VM port; router, localnet, patch, l3gateway, chassisredirect, localport, external... */
  type: string;
  tunnelKey?: number;
  addresses: string[];
  /** Where it is bound (a chassis name), for a port type that is bound to one. */
  chassis?: string;
  /** The br-int interface that plugs it on a loaded chassis. */
  plugged?: PlugPoint;
  /** The router port (of a switch's router port) or the switch port (of a router port) it connects to. */
  peer?: string;
  /** localnet: the provider network (ovn-bridge-mappings maps it to a bridge on each chassis). */
  network?: string;
}

export interface LogicalDatapathView {
  kind: "switch" | "router";
  name: string;
  tunnelKey?: number;
  ports: LogicalPort[];
}

export interface ChassisView {
  name: string;
  hostname: string;
  encaps: Array<{ type: string; ip: string; csum: boolean }>;
  /** Which loaded host it is (by system-id or hostname), if any. */
  host?: string;
  /** Tunnel ports on that host's integration bridge: `ovn-hv2-0` → the chassis at its remote IP. */
  tunnels: Array<{ port: string; remote: string; chassis?: string }>;
  bound: string[];
}

export interface OvnFinding {
  severity: "error" | "warning";
  kind:
    | "port-unbound"
    | "chassis-without-encap"
    | "acl-empty-address-set"
    | "acl-empty-port-group"
    | "mtu-geneve"
    | "iface-id-unknown";
  message: string;
  evidence: Evidence[];
}

export interface OvnTopology {
  datapaths: LogicalDatapathView[];
  chassis: ChassisView[];
  findings: OvnFinding[];
}

const rows = (m: OvnModel, db: "nb" | "sb", t: string): OvsdbRecord[] => m[db].get(t) ?? [];

interface HostFacts {
  host: Host;
  systemId?: string;
  bridge: string;
  interfaces: OvsdbRecord[];
  interfaceFile?: string;
}

function hostFacts(h: Host): HostFacts {
  let systemId: string | undefined;
  let bridge = "br-int";
  for (const d of h.dumps.vsctlList.filter((l) => l.table === "open_vswitch"))
    for (const r of d.value) {
      const ids = map(r, "external_ids");
      systemId = ids.get("system-id") ?? systemId;
      bridge = ids.get("ovn-bridge") ?? bridge;
    }
  const ifaces = h.dumps.vsctlList.find((l) => l.table === "interface");
  const f: HostFacts = { host: h, bridge, interfaces: ifaces?.value ?? [] };
  if (systemId) f.systemId = systemId;
  if (ifaces) f.interfaceFile = ifaces.file;
  return f;
}

/**
 * The underlay MTU of a chassis: the smallest MTU among the device the route to the other chassis
 * leaves by (ovs/route/show, a bridge for OVS's userspace tunnels) and that bridge's NIC ports.
 */
function underlayMtu(facts: HostFacts): number | undefined {
  const h = facts.host;
  const devs = new Set(
    h.dumps.routes.flatMap((d) => d.value.filter((r) => !r.local && r.src).map((r) => r.dev)),
  );
  for (const b of h.dumps.vsctlShow[0]?.value.bridges ?? [])
    if (devs.has(b.name))
      for (const p of b.ports)
        for (const i of p.interfaces)
          if (i.type === "" || i.type === "system" || i.type === "dummy") devs.add(i.name);
  const mtus = facts.interfaces
    .filter((r) => devs.has(str(r, "name")))
    .map((r) => num(r, "mtu"))
    .filter((n) => Number.isFinite(n) && n > 0);
  return mtus.length > 0 ? Math.min(...mtus) : undefined;
}

export function buildOvnTopology(model: OvnModel, hosts: readonly Host[]): OvnTopology {
  const findings: OvnFinding[] = [];
  const facts = hosts.map(hostFacts);
  const hostOf = (chassis: string, hostname: string) =>
    facts.find((f) => f.systemId === chassis) ??
    facts.find((f) => f.host.name === hostname || f.host.name === chassis);
  const bindings = new Map(model.portBindings.map((b) => [b.logicalPort, b]));
  // Interfaces plugging logical ports, by iface-id.
  const plugs = new Map<string, PlugPoint>();
  const plugLine = new Map<string, Evidence>();
  for (const f of facts)
    for (const r of f.interfaces) {
      const id = map(r, "external_ids").get("iface-id");
      if (!id) continue;
      const p: PlugPoint = { host: f.host.name, bridge: f.bridge, interface: str(r, "name") };
      const ofport = num(r, "ofport");
      if (Number.isFinite(ofport)) p.ofport = ofport;
      const mtu = num(r, "mtu");
      if (Number.isFinite(mtu)) p.mtu = mtu;
      plugs.set(id, p);
      plugLine.set(id, { file: f.interfaceFile ?? "", line: r.line });
      if (!bindings.has(id) && model.portBindings.length > 0)
        findings.push({
          severity: "warning",
          kind: "iface-id-unknown",
          message: `${f.host.name}: interface ${p.interface} on ${f.bridge} has iface-id ${id}, which no logical port has: OVN will not wire it`,
          evidence: f.interfaceFile ? [{ file: f.interfaceFile, line: r.line }] : [],
        });
    }
  const datapaths: LogicalDatapathView[] = [];
  const dpKey = new Map([...model.datapaths.values()].map((d) => [d.name, d.tunnelKey]));
  const lspByUuid = new Map(rows(model, "nb", "Logical_Switch_Port").map((r) => [str(r, "_uuid"), r]));
  const lrpByUuid = new Map(rows(model, "nb", "Logical_Router_Port").map((r) => [str(r, "_uuid"), r]));
  const port = (name: string, type: string, addresses: string[]): LogicalPort => {
    const lp: LogicalPort = { name, type, addresses };
    const b = bindings.get(name);
    if (b) lp.tunnelKey = b.tunnelKey;
    if (b?.chassis) lp.chassis = b.chassis.name;
    const plug = plugs.get(name);
    if (plug) lp.plugged = plug;
    return lp;
  };
  for (const r of rows(model, "nb", "Logical_Switch")) {
    const name = str(r, "name");
    const ports = list(r, "ports").flatMap((u) => {
      const p = lspByUuid.get(String(u));
      if (!p) return [];
      const addresses = list(p, "addresses").map(String);
      const lp = port(
        str(p, "name"),
        str(p, "type"),
        addresses.filter((a) => a !== "router"),
      );
      const opts = map(p, "options");
      if (lp.type === "router" && opts.get("router-port")) lp.peer = opts.get("router-port");
      if (lp.type === "localnet" && opts.get("network_name")) lp.network = opts.get("network_name");
      if (lp.type === "" && !lp.chassis)
        findings.push({
          severity: "warning",
          kind: "port-unbound",
          message: `logical port ${lp.name} of switch ${name} is bound to no chassis: no VM with iface-id=${lp.name} is plugged into any chassis' integration bridge (or ovn-controller did not claim it)`,
          evidence: [{ file: model.origin.get("nb:Logical_Switch_Port") ?? "", line: p.line }],
        });
      return [lp];
    });
    const v: LogicalDatapathView = { kind: "switch", name, ports };
    const key = dpKey.get(name);
    if (key !== undefined) v.tunnelKey = key;
    datapaths.push(v);
  }
  const peers = new Map<string, string>();
  for (const d of datapaths) for (const p of d.ports) if (p.peer) peers.set(p.peer, p.name);
  for (const r of rows(model, "nb", "Logical_Router")) {
    const name = str(r, "name");
    const ports = list(r, "ports").flatMap((u) => {
      const p = lrpByUuid.get(String(u));
      if (!p) return [];
      const lp = port(str(p, "name"), "router", [str(p, "mac"), ...list(p, "networks").map(String)]);
      const peer = peers.get(lp.name);
      if (peer) lp.peer = peer;
      return [lp];
    });
    const v: LogicalDatapathView = { kind: "router", name, ports };
    const key = dpKey.get(name);
    if (key !== undefined) v.tunnelKey = key;
    datapaths.push(v);
  }
  const chassis: ChassisView[] = [...model.chassis.values()].map((c) => {
    const v: ChassisView = {
      name: c.name,
      hostname: c.hostname,
      encaps: c.encaps.map((e) => ({ type: e.type, ip: e.ip, csum: e.options.get("csum") === "true" })),
      tunnels: [],
      bound: model.portBindings.filter((b) => b.chassis?.uuid === c.uuid).map((b) => b.logicalPort),
    };
    const f = hostOf(c.name, c.hostname);
    if (f) {
      v.host = f.host.name;
      for (const r of f.interfaces) {
        const type = str(r, "type");
        if (type !== "geneve" && type !== "vxlan" && type !== "stt") continue;
        const remote = map(r, "options").get("remote_ip") ?? "";
        const to = [...model.chassis.values()].find((x) => x.encaps.some((e) => e.ip === remote));
        v.tunnels.push(
          to ? { port: str(r, "name"), remote, chassis: to.name } : { port: str(r, "name"), remote },
        );
      }
      const underlay = underlayMtu(f);
      for (const b of v.bound) {
        const mtu = plugs.get(b)?.mtu;
        if (underlay !== undefined && mtu !== undefined && mtu + GENEVE_OVN_OVERHEAD > underlay)
          findings.push({
            severity: "warning",
            kind: "mtu-geneve",
            message: `${f.host.name}: ${b}'s interface MTU ${mtu} + Geneve's ${GENEVE_OVN_OVERHEAD} bytes (with OVN's option) exceeds the underlay's ${underlay}: full-size frames to other chassis are dropped unless the VM uses ${underlay - GENEVE_OVN_OVERHEAD}`,
            evidence: plugLine.has(b) ? [plugLine.get(b) as Evidence] : [],
          });
      }
    }
    if (c.encaps.length === 0)
      findings.push({
        severity: "error",
        kind: "chassis-without-encap",
        message: `chassis ${c.name} has no encapsulation: no tunnel reaches it, its ports are cut off from other chassis`,
        evidence: [],
      });
    return v;
  });
  findings.push(...aclFindings(model));
  return { datapaths, chassis, findings };
}

/** Address sets and port groups an ACL names that hold nothing: the ACL matches nothing through them. */
function aclFindings(model: OvnModel): OvnFinding[] {
  const out: OvnFinding[] = [];
  const sets = new Map(
    rows(model, "nb", "Address_Set").map((r) => [str(r, "name"), list(r, "addresses").length]),
  );
  const groups = new Map(rows(model, "nb", "Port_Group").map((r) => [str(r, "name"), r]));
  const lspAddresses = new Map(
    rows(model, "nb", "Logical_Switch_Port").map((r) => [str(r, "_uuid"), list(r, "addresses").map(String)]),
  );
  // Port groups' derived sets: $pg_ip4 / $pg_ip6 hold the addresses of the group's ports.
  const derived = (name: string): number | undefined => {
    const m = /^(.*)_ip([46])$/.exec(name);
    const g = m ? groups.get(m[1]) : undefined;
    if (!g || !m) return undefined;
    const v6 = m[2] === "6";
    return list(g, "ports")
      .flatMap((u) => lspAddresses.get(String(u)) ?? [])
      .flatMap((a) => a.split(/\s+/).slice(1))
      .filter((ip) => ip.includes(":") === v6).length;
  };
  for (const acl of rows(model, "nb", "ACL")) {
    const match = str(acl, "match");
    const what = `ACL ${str(acl, "direction")} priority ${num(acl, "priority")} (${match})`;
    for (const [, name] of match.matchAll(/\$([\w.-]+)/g)) {
      const n = sets.get(name) ?? derived(name);
      if (n === 0)
        out.push({
          severity: "warning",
          kind: "acl-empty-address-set",
          message: `${what} names address set $${name}, which is empty: that part of the match never holds`,
          evidence: [{ file: model.origin.get("nb:ACL") ?? "", line: acl.line }],
        });
    }
    for (const [, name] of match.matchAll(/@([\w.-]+)/g)) {
      const g = groups.get(name);
      if (g && list(g, "ports").length === 0)
        out.push({
          severity: "warning",
          kind: "acl-empty-port-group",
          message: `${what} names port group @${name}, which has no port: the ACL applies to nothing`,
          evidence: [{ file: model.origin.get("nb:ACL") ?? "", line: acl.line }],
        });
    }
  }
  return out;
}
