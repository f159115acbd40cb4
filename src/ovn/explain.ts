/**
 * A trace in logical terms: under each OpenFlow step, the logical flow (datapath, pipeline, stage,
 * priority, match, actions) and the northbound object behind it, found by cookie; for a dropped packet,
 * the logical stage and ACL that dropped it and the logical ports it was going between.
 */

import type { CtZone } from "../dumps/ovn/controller.js";
import { FIELD, REGISTER, readField } from "../model/fields.js";
import type { FlowKey } from "../model/layout.js";
import type { TraceResult } from "../pipeline/index.js";
import type { TraceNode, TraceStep } from "../pipeline/trace-tree.js";
import { type AclNearMiss, aclNearMisses, aclPacket } from "./acl-near-miss.js";
import type { CookieIndex, CookieTarget, NbObject } from "./cookies.js";
import { list, str } from "./db.js";
import type { LogicalDatapath, OvnModel, PortBinding } from "./model.js";

/** What the last logical step of a dropped packet says. */
export interface OvnDrop {
  /** The logical flow whose OpenFlow flow dropped the packet (or the last one seen before the drop). */
  stage?: string;
  datapath?: string;
  pipeline?: string;
  priority?: number;
  match?: string;
  /** The ACL behind it, when the stage is an ACL stage. */
  acl?: Extract<NbObject, { kind: "acl" }>;
  inport?: string;
  outport?: string;
  /** For a port security stage: the port's port_security (MAC and addresses it may send from/receive). */
  portSecurity?: string[];
  /** Allow ACLs of higher priority that failed on one or two conditions. */
  nearMisses?: AclNearMiss[];
  /** The ACL logs: the packet went to ovn-controller to be logged, and no further. */
  logged?: boolean;
}

const json = (s: string) => JSON.stringify(s);

function dps(list: readonly LogicalDatapath[]): string {
  return list.map((d) => json(d.name)).join(", ");
}

export function formatNbObject(o: NbObject): string {
  switch (o.kind) {
    case "acl": {
      const named = o.name ? ` ${json(o.name)}` : "";
      const log = o.log ? ` (log${o.severity ? `, severity ${o.severity}` : ""})` : "";
      return `ACL${named}: ${o.direction}, priority=${o.priority}, match=(${o.match}), ${o.action}${log}`;
    }
    case "switchPort":
      return `Logical Switch Port: ${o.name}${o.type ? ` type ${o.type}` : ""}, addresses ${JSON.stringify(o.addresses)}, port security ${JSON.stringify(o.portSecurity)}`;
    case "routerPort":
      return `Logical Router Port: ${o.name} mac ${o.mac} networks ${JSON.stringify(o.networks)}`;
    case "loadBalancer":
      return `Load Balancer: ${o.name} protocol ${o.protocol || "tcp"} vips ${o.vips.map(([v, b]) => `${v} -> ${b}`).join("; ")}`;
    case "nat":
      return `NAT: ${o.type} external ip ${o.externalIp} logical ip ${o.logicalIp}${o.logicalPort ? ` logical port ${o.logicalPort}` : ""}`;
    case "route":
      return `Route: ${o.prefix} via ${o.nexthop}${o.outputPort ? ` (port ${o.outputPort})` : ""}, policy=${o.policy || "dst-ip"}`;
    case "policy":
      return `Logical Router Policy: priority ${o.priority} match=(${o.match}) action ${o.action}${o.nexthop ? ` nexthop ${o.nexthop}` : ""}`;
    case "qos":
      return `QoS: ${o.direction}, priority=${o.priority}, match=(${o.match}), ${o.action}`;
    case "dhcpOptions":
      return `DHCP Options: cidr ${o.cidr}`;
    default: {
      const _: never = o;
      return _;
    }
  }
}

function bindingText(b: PortBinding): string {
  const dp = b.datapath ? ` on ${json(b.datapath.name)}` : "";
  const where = b.chassis
    ? `chassis ${json(b.chassis.name)}`
    : b.type
      ? `type ${b.type}`
      : "bound to no chassis";
  return `Port Binding: logical_port ${json(b.logicalPort)}${dp}, tunnel_key ${b.tunnelKey}, ${where}`;
}

/** The annotation lines of one step (without indentation), ovn-detrace's content in ovspath's words. */
export function formatTargets(targets: readonly CookieTarget[]): string[] {
  const out: string[] = [];
  for (const t of targets) {
    switch (t.kind) {
      case "logicalFlow": {
        const f = t.flow;
        out.push(
          `* Logical flow: ${dps(f.datapaths)} ${f.pipeline} table=${f.table} (${f.stage}), priority=${f.priority}, match=(${f.match}), actions=(${f.actions})`,
        );
        for (const o of t.nb) out.push(`   * ${formatNbObject(o)}`);
        break;
      }
      case "portBinding":
        out.push(`* ${bindingText(t.binding)}`);
        break;
      case "macBinding": {
        const b = t.binding;
        out.push(
          `* MAC Binding: ip ${b.ip}, mac ${b.mac}, logical_port ${json(b.logicalPort)}${b.datapath ? ` on ${json(b.datapath.name)}` : ""}`,
        );
        break;
      }
      case "multicastGroup": {
        const g = t.group;
        out.push(
          `* Multicast Group: ${json(g.name)}${g.datapath ? ` on ${json(g.datapath.name)}` : ""}, tunnel_key ${g.tunnelKey}, ports ${g.ports.join(", ")}`,
        );
        break;
      }
      case "chassis":
        out.push(`* Chassis: ${json(t.chassis.name)} (hostname ${t.chassis.hostname})`);
        break;
      default: {
        const _: never = t;
        return _;
      }
    }
  }
  return out;
}

const COOKIE = /^( *)\d+\. .*, cookie 0x([0-9a-f]+)$/;
const TABLE = /^ *\d+\. /;

/**
 * Annotates ofproto/trace text as ovn-detrace does: after each flow block (a table line with a cookie
 * and its actions, up to the next table line or blank line) the lines of what the cookie names,
 * indented under the table line. Works on OVS's own trace output as well as on ovspath's.
 */
export function annotateTraceText(text: string, index: CookieIndex): string {
  const out: string[] = [];
  let pending: { indent: string; lines: string[] } | undefined;
  const flush = () => {
    if (pending) for (const l of pending.lines) out.push(`${pending.indent}    ${l}`);
    pending = undefined;
  };
  for (const line of text.split("\n")) {
    if (pending && (TABLE.test(line) || line.trim() === "")) flush();
    out.push(line);
    const m = COOKIE.exec(line);
    if (m) {
      const lines = formatTargets(index.lookup(BigInt(`0x${m[2]}`)));
      if (lines.length > 0) pending = { indent: m[1], lines };
    }
  }
  flush();
  return out.join("\n");
}

/** The step's targets in JSON-friendly form (for `trace --ovn --json`). */
export function stepTargets(step: TraceStep, index: CookieIndex): CookieTarget[] {
  return step.cookie === undefined ? [] : index.lookup(step.cookie);
}

/** The logical port a register names on the datapath `metadata` names (reg14 inport, reg15 outport). */
export function logicalPort(model: OvnModel, metadata: number, key: number): string | undefined {
  if (key === 0) return undefined;
  const b = model.portBindings.find((p) => p.datapath?.tunnelKey === metadata && p.tunnelKey === key);
  if (b) return b.logicalPort;
  const g = model.multicastGroups.find((x) => x.datapath?.tunnelKey === metadata && x.tunnelKey === key);
  return g?.name;
}

/** Every table step of a trace with the flow key its lookup saw, in trace order. */
function stepsWithKeys(result: TraceResult): Array<{ step: TraceStep; key: FlowKey | undefined }> {
  const out: Array<{ step: TraceStep; key: FlowKey | undefined }> = [];
  const walk = (nodes: readonly TraceNode[]) => {
    for (const n of nodes) {
      if (n.step) out.push({ step: n.step, key: n.key });
      walk(n.subs);
    }
  };
  for (const p of result.passes) walk(p.nodes);
  return out;
}

const METADATA = FIELD.metadata;
const REG14 = REGISTER[14];
const REG15 = REGISTER[15];

/**
 * Why a dropped packet was dropped, logically: the last step with a logical flow (the OpenFlow flow
 * that dropped it, or the last logical decision before an empty action list), and the ports as that
 * step's lookup saw them (`metadata` the datapath, reg14 the inport, reg15 the outport).
 */
export function explainOvnDrop(result: TraceResult, index: CookieIndex): OvnDrop | undefined {
  const steps = stepsWithKeys(result);
  for (const { step, key } of steps.reverse()) {
    const lf = stepTargets(step, index).find((t) => t.kind === "logicalFlow");
    if (lf?.kind !== "logicalFlow") continue;
    const drop: OvnDrop = {
      stage: lf.flow.stage,
      datapath: lf.flow.datapaths.map((d) => d.name).join(", "),
      pipeline: lf.flow.pipeline,
      priority: lf.flow.priority,
      match: lf.flow.match,
    };
    const acl = lf.nb.find((o) => o.kind === "acl");
    if (acl?.kind === "acl") drop.acl = acl;
    if (!key) return drop;
    const md = Number(readField(key, METADATA));
    // A flow shared by several datapaths (a datapath group) ran on the one `metadata` names.
    const dp = lf.flow.datapaths.find((d) => d.tunnelKey === md);
    if (dp) drop.datapath = dp.name;
    const inport = logicalPort(index.model, md, Number(readField(key, REG14)));
    const outport = logicalPort(index.model, md, Number(readField(key, REG15)));
    if (inport) drop.inport = inport;
    if (outport) drop.outport = outport;
    if (drop.acl) {
      const egress = drop.acl.direction === "to-lport";
      const misses = aclNearMisses(
        index.model,
        {
          direction: drop.acl.direction,
          priority: drop.acl.priority,
          port: egress ? outport : inport,
          datapath: drop.datapath,
        },
        aclPacket(key, inport, outport),
        key,
      );
      if (misses.length > 0) drop.nearMisses = misses;
    }
    if (/port_sec/.test(lf.flow.stage) && inport) {
      const lsp = index.model.nb
        .get("Logical_Switch_Port")
        ?.find((r) => str(r, "name") === (lf.flow.pipeline === "egress" ? outport : inport));
      if (lsp) drop.portSecurity = list(lsp, "port_security").map(String);
    }
    return drop;
  }
  return undefined;
}

export function formatOvnDrop(d: OvnDrop): string {
  const misses = (d.nearMisses ?? []).map(
    (m) =>
      `\n  near miss: ACL${m.acl.name ? ` ${json(m.acl.name)}` : ""} ${m.acl.direction} priority ${m.acl.priority} ${m.acl.action} (${m.acl.match}): ${m.failed.join("; ")}`,
  );
  const where = d.stage
    ? ["in", d.datapath ? json(d.datapath) : "", d.pipeline ?? "", "stage", d.stage].filter(Boolean).join(" ")
    : "";
  const ports = [d.inport ? `inport ${json(d.inport)}` : "", d.outport ? `outport ${json(d.outport)}` : ""]
    .filter(Boolean)
    .join(", ");
  const by = d.acl
    ? `by ${formatNbObject(d.acl)}`
    : d.match !== undefined
      ? `by the logical flow priority=${d.priority}, match=(${d.match})`
      : "";
  const sec = d.portSecurity ? `; port security ${JSON.stringify(d.portSecurity)}` : "";
  const verb = d.logged ? "dropped (and logged by ovn-controller)" : "dropped";
  // Joined word by word: the match and ACL texts are the database's, never respaced.
  const head = ["OVN:", verb, where, by, ports ? `(${ports}${sec})` : ""].filter(Boolean).join(" ");
  return head + misses.join("");
}

/**
 * What each conntrack zone of a datapath actions line belongs to, from ovn-controller's ct-zone-list:
 * a logical port's zone, or a router's (`UUID_dnat` / `UUID_snat`, named by the datapath).
 */
export function zoneNotes(datapathActions: string, zones: readonly CtZone[], model: OvnModel): string[] {
  const out: string[] = [];
  const seen = new Set<number>();
  for (const [, z] of datapathActions.matchAll(/zone=(\d+)/g)) {
    const n = Number(z);
    if (seen.has(n)) continue;
    seen.add(n);
    const owner = zones.find((x) => x.zone === n);
    if (!owner) continue;
    const m = /^([0-9a-f-]{36})_(dnat|snat)$/.exec(owner.name);
    const dp = m ? model.datapaths.get(m[1]) : undefined;
    out.push(
      m
        ? `* ct zone ${n}: ${dp ? json(dp.name) : m[1]} ${m[2].toUpperCase()}`
        : `* ct zone ${n}: logical port ${json(owner.name)}`,
    );
  }
  return out;
}

/**
 * OVN's use of the flow's metadata and registers, read in logical terms from a `Flow:` or `Final flow:`
 * line: `metadata` is the logical datapath's tunnel key, reg14 the logical inport's key on it, reg15
 * the outport's (or a multicast group's).
 */
export function registerNotes(flowLine: string, model: OvnModel): string[] {
  const value = (f: string) => {
    const m = new RegExp(`(?:^|[ ,])${f}=(0x[0-9a-f]+|\\d+)(?=,|$)`).exec(flowLine);
    return m ? Number(m[1]) : undefined;
  };
  const md = value("metadata");
  if (md === undefined) return [];
  const dp = [...model.datapaths.values()].find((d) => d.tunnelKey === md);
  if (!dp) return [];
  const parts = [`datapath ${json(dp.name)} (metadata=0x${md.toString(16)})`];
  for (const [reg, role] of [
    ["reg14", "inport"],
    ["reg15", "outport"],
  ] as const) {
    const key = value(reg);
    const port = key === undefined ? undefined : logicalPort(model, md, key);
    if (port && key !== undefined) parts.push(`${role} ${json(port)} (${reg}=0x${key.toString(16)})`);
  }
  return [`* logical: ${parts.join(", ")}`];
}
