/**
 * Near misses for a packet an ACL dropped: the allow ACLs of higher priority, in the same direction,
 * that apply to the port (through a port group it is in, or its switch) and failed on one or two of
 * their conditions — "tcp.dst == 22, frame has 80", "ip4.src == $as_admin, frame has 10.0.1.11".
 */
import { FIELD, type FieldName, readField } from "../model/fields.js";
import type { FlowKey } from "../model/layout.js";
import { formatIpv4, formatMac } from "../model/value/index.js";
import {
  type AclContext,
  type AclExpr,
  type AclPacket,
  conditions,
  evaluate,
  isPortCondition,
  parseAclMatch,
} from "./acl-match.js";
import { list, str, uuidOf } from "./db.js";
import type { OvnModel } from "./model.js";

export interface AclNearMiss {
  acl: { uuid: string; name: string; direction: string; priority: number; match: string; action: string };
  /** The failed conditions, each with what the frame had. */
  failed: string[];
}

const FIELDS: Record<string, { ovs: FieldName; format: "ipv4" | "dec" | "mac" | "hex" }> = {
  "eth.src": { ovs: "dl_src", format: "mac" },
  "eth.dst": { ovs: "dl_dst", format: "mac" },
  "eth.type": { ovs: "dl_type", format: "hex" },
  "ip4.src": { ovs: "nw_src", format: "ipv4" },
  "ip4.dst": { ovs: "nw_dst", format: "ipv4" },
  "ip.proto": { ovs: "nw_proto", format: "dec" },
  "ip.ttl": { ovs: "nw_ttl", format: "dec" },
  "tcp.src": { ovs: "tp_src", format: "dec" },
  "tcp.dst": { ovs: "tp_dst", format: "dec" },
  "udp.src": { ovs: "tp_src", format: "dec" },
  "udp.dst": { ovs: "tp_dst", format: "dec" },
  "icmp4.type": { ovs: "icmp_type", format: "dec" },
  "icmp4.code": { ovs: "icmp_code", format: "dec" },
};

/**
 * The transport protocols an ACL names, each with the IP version it needs: one table for the ACL's
 * predicates (`tcp`, `icmp4`…), for which fields a frame has (`tcp.dst` only on TCP), and for what a
 * near miss says the frame is.
 */
const TRANSPORTS: ReadonlyArray<{ name: string; proto: number; ip: "ip" | "ip4" | "ip6" }> = [
  { name: "tcp", proto: 6, ip: "ip" },
  { name: "udp", proto: 17, ip: "ip" },
  { name: "sctp", proto: 132, ip: "ip" },
  { name: "icmp4", proto: 1, ip: "ip4" },
  { name: "icmp6", proto: 58, ip: "ip6" },
];

/** The frame's network and transport protocols, as the ACL predicates read them. */
function frameProtocols(key: FlowKey) {
  const dlType = Number(readField(key, FIELD.dl_type));
  const proto = Number(readField(key, FIELD.nw_proto));
  const ip4 = dlType === 0x0800;
  const ip6 = dlType === 0x86dd;
  const ipVersion = { ip: ip4 || ip6, ip4, ip6 };
  const transport = TRANSPORTS.find((t) => t.proto === proto && ipVersion[t.ip]);
  return { dlType, proto, ip4, ip6, transport };
}

function format(v: bigint, how: "ipv4" | "dec" | "mac" | "hex"): string {
  if (how === "ipv4") return formatIpv4(v);
  if (how === "mac") return formatMac(v);
  return how === "hex" ? `0x${v.toString(16)}` : v.toString();
}

/** The packet as the ACL stage saw it: the flow key of the dropping step and the logical ports. */
export function aclPacket(key: FlowKey, inport?: string, outport?: string): AclPacket {
  const get = (f: FieldName) => readField(key, FIELD[f]);
  const frame = frameProtocols(key);
  const preds: Record<string, boolean> = {
    ip4: frame.ip4,
    ip6: frame.ip6,
    ip: frame.ip4 || frame.ip6,
    arp: frame.dlType === 0x0806,
    icmp: frame.transport?.name === "icmp4" || frame.transport?.name === "icmp6",
  };
  for (const t of TRANSPORTS) preds[t.name] = frame.transport === t;
  const p: AclPacket = {
    field(name) {
      const f = FIELDS[name];
      if (!f) return undefined;
      const l4 = name.split(".")[0];
      if (TRANSPORTS.some((t) => t.name === l4) && !preds[l4]) return undefined;
      if (name.startsWith("ip4.") && !frame.ip4) return undefined;
      return format(get(f.ovs), f.format);
    },
    pred: (name) => preds[name],
  };
  if (inport) p.inport = inport;
  if (outport) p.outport = outport;
  return p;
}

/** Address sets and port groups from the northbound database, with port groups' `$pg_ip4`/`$pg_ip6`. */
export function aclContext(model: OvnModel): AclContext {
  const nb = model.nb;
  const lsps = new Map((nb.get("Logical_Switch_Port") ?? []).map((r) => [uuidOf(r), r]));
  const groups = new Map((nb.get("Port_Group") ?? []).map((r) => [str(r, "name"), r]));
  const sets = new Map(
    (nb.get("Address_Set") ?? []).map((r) => [str(r, "name"), list(r, "addresses").map(String)]),
  );
  const members = (g: string) => {
    const r = groups.get(g);
    return r ? list(r, "ports").flatMap((u) => lsps.get(String(u)) ?? []) : undefined;
  };
  return {
    addressSet(name) {
      const s = sets.get(name);
      if (s) return s;
      const m = /^(.*)_ip([46])$/.exec(name);
      const ports = m ? members(m[1]) : undefined;
      if (!ports || !m) return undefined;
      return ports
        .flatMap((r) => list(r, "addresses").map(String))
        .flatMap((a) => a.split(/\s+/).slice(1))
        .filter((ip) => ip.includes(":") === (m[2] === "6"));
    },
    portGroup: (name) => members(name)?.map((r) => str(r, "name")),
  };
}

/** What the frame had, for a failed condition. */
function frameHas(c: AclExpr, p: AclPacket, key: FlowKey): string {
  if (c.kind === "cmp") {
    const actual = c.field === "inport" ? p.inport : c.field === "outport" ? p.outport : p.field(c.field);
    return `${c.text}, frame has ${c.field === "inport" || c.field === "outport" ? JSON.stringify(actual) : actual}`;
  }
  const frame = frameProtocols(key);
  const what =
    frame.ip4 || frame.ip6
      ? (frame.transport?.name ?? `ip proto ${frame.proto}`)
      : frame.dlType === 0x0806
        ? "arp"
        : `eth.type 0x${frame.dlType.toString(16)}`;
  return `${c.kind === "or" ? `(${c.text})` : c.text}, frame is ${what}`;
}

/**
 * The allow ACLs that nearly let the packet through, best first (fewest failed conditions, then
 * highest priority). `direction` and `priority` are the dropping ACL's; `port` the logical port it was
 * applied to (inport for from-lport, outport for to-lport), `datapath` its switch.
 */
export function aclNearMisses(
  model: OvnModel,
  drop: { direction: string; priority: number; port: string | undefined; datapath: string | undefined },
  packet: AclPacket,
  key: FlowKey,
): AclNearMiss[] {
  const nb = model.nb;
  const ctx = aclContext(model);
  const lspUuid = new Map((nb.get("Logical_Switch_Port") ?? []).map((r) => [str(r, "name"), uuidOf(r)]));
  const portUuid = drop.port ? lspUuid.get(drop.port) : undefined;
  // The ACLs that apply to the port: those of the port groups it is in and those of its switch.
  const applying = new Set<string>();
  for (const g of nb.get("Port_Group") ?? [])
    if (portUuid && list(g, "ports").map(String).includes(portUuid))
      for (const a of list(g, "acls")) applying.add(String(a));
  for (const s of nb.get("Logical_Switch") ?? [])
    if (str(s, "name") === drop.datapath) for (const a of list(s, "acls")) applying.add(String(a));
  const out: AclNearMiss[] = [];
  for (const r of nb.get("ACL") ?? []) {
    if (!applying.has(uuidOf(r))) continue;
    const action = str(r, "action");
    const priority = Number(r.columns.get("priority"));
    if (str(r, "direction") !== drop.direction || !action.startsWith("allow") || priority <= drop.priority)
      continue;
    const e = parseAclMatch(str(r, "match"));
    if (!e) continue;
    const conds = conditions(e);
    const truths = conds.map((c) => evaluate(c, packet, ctx));
    if (truths.includes("unknown")) continue;
    if (conds.some((c, i) => isPortCondition(c) && truths[i] === false)) continue;
    const failed = conds.filter((_, i) => truths[i] === false);
    if (failed.length === 0 || failed.length > 2) continue;
    out.push({
      acl: {
        uuid: uuidOf(r),
        name: str(r, "name"),
        direction: str(r, "direction"),
        priority,
        match: str(r, "match"),
        action,
      },
      failed: failed.map((c) => frameHas(c, packet, key)),
    });
  }
  return out.sort((a, b) => a.failed.length - b.failed.length || b.acl.priority - a.acl.priority);
}
