/**
 * One execute function per action of the action table (src/model/actions), keyed by the same `type`,
 * so an action that can be parsed but not executed is a compile error. Each does what
 * ofproto-dpif-xlate.c's do_xlate_actions does for it, including the notes ofproto/trace prints.
 */
import { type ActionOf, type ActionType, formatSubfield, type Subfield } from "../model/actions/index.js";
import { formatFieldValue } from "../model/field-value.js";
import { type FieldDef, fieldNamed, readField, writeField } from "../model/fields.js";
import { CS, type FlowKey, K, OFPP, VLAN_CFI } from "../model/layout.js";
import type { XlateContext } from "./context.js";
import { executeCt, executeGroup, executeLearn } from "./stateful.js";
import { clearConntrack, cloneActions, controllerAction, outputAction, xlateTable } from "./xlate.js";

// biome-ignore lint/suspicious/noConfusingVoidType: most executors return nothing; "stop" ends the action list (dec_ttl exception)
type Result = void | "stop";
type Executor<T extends ActionType> = (ctx: XlateContext, a: ActionOf<T>, isLast: boolean) => Result;
export type ExecutorTable = { [T in ActionType]: Executor<T> };

const all = (bits: number): bigint => (1n << BigInt(bits)) - 1n;
const field = fieldNamed;
const TUN_ID = field("tun_id");

export function readSubfield(flow: FlowKey, s: Subfield): bigint {
  return (readField(flow, s.field) >> BigInt(s.ofs)) & all(s.nBits);
}

export function writeSubfield(flow: FlowKey, s: Subfield, value: bigint): void {
  const m = all(s.nBits) << BigInt(s.ofs);
  const old = readField(flow, s.field);
  writeField(flow, s.field, (old & ~m) | ((value << BigInt(s.ofs)) & m));
}

function unwildcard(ctx: XlateContext, s: Subfield): void {
  writeSubfield(ctx.wc, s, all(s.nBits));
}

const isIp = (f: FlowKey): boolean => f[K.dlType] === 0x0800 || f[K.dlType] === 0x86dd;

/** mf_are_prereqs_ok: whether the packet has the field at all. */
export function prereqsOk(f: FlowKey, fd: FieldDef): boolean {
  const dl = f[K.dlType];
  const p = f[K.nwProto];
  switch (fd.prereq) {
    case "none":
      return true;
    case "arp":
      return dl === 0x0806 || dl === 0x8035;
    case "vlan":
      return (f[K.vlanTci] & VLAN_CFI) !== 0;
    case "ipv4":
      return dl === 0x0800;
    case "ipv6":
      return dl === 0x86dd;
    case "ipAny":
      return isIp(f);
    case "tcp":
      return isIp(f) && p === 6;
    case "udp":
      return isIp(f) && p === 17;
    case "sctp":
      return isIp(f) && p === 132;
    case "icmpv4":
      return dl === 0x0800 && p === 1;
    case "icmpv6":
      return dl === 0x86dd && p === 58;
    case "nd":
    case "ndSolicit":
    case "ndAdvert": {
      if (!(dl === 0x86dd && p === 58 && f[K.tpDst] === 0)) return false;
      const t = f[K.tpSrc];
      return fd.prereq === "nd" ? t === 135 || t === 136 : fd.prereq === "ndSolicit" ? t === 135 : t === 136;
    }
    case "mpls":
      return dl === 0x8847 || dl === 0x8848;
    case "ctValid":
      return (f[K.ctState] & CS.trk) !== 0;
  }
}

/** xlate_report_subfield: `-> NXM_…[] is now VALUE`. */
function reportSubfield(ctx: XlateContext, s: Subfield): void {
  const v = readSubfield(ctx.flow, s);
  const whole = s.ofs === 0 && s.nBits >= s.field.bits;
  const text = whole
    ? formatFieldValue(s.field, v, all(s.field.bits), "action")
    : `0x${v.toString(16).padStart(2, "0")}`;
  ctx.report("detail", `${formatSubfield(s)} is now ${text}`);
}

function setVlanVid(f: FlowKey, vid: number, push: boolean): void {
  if (f[K.vlanTci] & VLAN_CFI || push) {
    if (!f[K.vlanTpid]) f[K.vlanTpid] = 0x8100;
    f[K.vlanTci] = (f[K.vlanTci] & ~0x0fff) | vid | VLAN_CFI;
  }
}

function popVlan(f: FlowKey): void {
  f[K.vlanTci] = f[K.vlanTci1];
  f[K.vlanTpid] = f[K.vlanTpid1];
  f[K.vlanTci1] = 0;
  f[K.vlanTpid1] = 0;
}

function pushVlan(f: FlowKey, tpid: number): void {
  f[K.vlanTci1] = f[K.vlanTci];
  f[K.vlanTpid1] = f[K.vlanTpid];
  f[K.vlanTci] = VLAN_CFI;
  f[K.vlanTpid] = tpid;
}

function setIf(ctx: XlateContext, cond: boolean, name: string, value: bigint): void {
  if (!cond) return;
  const fd = field(name);
  writeField(ctx.flow, fd, value);
  writeField(ctx.wc, fd, all(fd.bits));
}

/** The port of a PortRef on the current bridge (names resolved by the bridge's ports). */
function portNumber(ctx: XlateContext, ref: { number?: number; name?: string }): number | undefined {
  if (ref.number !== undefined) return ref.number;
  return ref.name === undefined ? undefined : ctx.bridge.byName.get(ref.name)?.ofport;
}

export const EXECUTORS: ExecutorTable = {
  output: (ctx, a, last) => {
    const port = portNumber(ctx, a.port);
    if (port === undefined) ctx.report("warn", "Nonexistent output port");
    else outputAction(ctx, port, last);
  },
  outputReg: (ctx, a, last) => {
    const port = readSubfield(ctx.flow, a.src);
    unwildcard(ctx, a.src);
    if (port > 0xffffn) {
      ctx.report("warn", `output port ${port} is out of range`);
      return;
    }
    ctx.report("detail", `output port is ${port}`);
    outputAction(ctx, Number(port), last);
  },
  outputTrunc: (ctx, a, last) => {
    const port = portNumber(ctx, a.port);
    // xlate_output_trunc_action: the datapath truncates at the output that follows; a patch port
    // (no datapath port) or a special port cannot take it.
    const target = port === undefined ? undefined : ctx.bridge.ports.get(port);
    if (port === undefined || target === undefined || target.type === "patch") {
      ctx.report("warn", `output_trunc does not support port ${port ?? "(none)"}`);
      return;
    }
    if (port === ctx.flow[K.inPort]) {
      ctx.report("warn", "skipping output to input port");
      return;
    }
    ctx.odp.push(`trunc(${a.maxLen})`);
    outputAction(ctx, port, last);
  },
  controller: (ctx, a) => controllerAction(ctx, a.maxLen ?? 65535, a.reason ?? "action", a.id ?? 0),
  enqueue: (ctx, a, last) => {
    const port = portNumber(ctx, a.port);
    if (port !== undefined) outputAction(ctx, port === OFPP.inPort ? ctx.flow[K.inPort] : port, last);
  },
  resubmit: (ctx, a, last) => {
    let inPort = a.port ? (portNumber(ctx, a.port) ?? ctx.flow[K.inPort]) : ctx.flow[K.inPort];
    if (inPort === OFPP.inPort) inPort = ctx.flow[K.inPort];
    const table = a.table === undefined || a.table === 255 ? ctx.tableId : a.table;
    xlateTable(ctx, inPort, table, last, undefined, a.ct);
  },
  gotoTable: (ctx, a, last) => xlateTable(ctx, ctx.flow[K.inPort], a.table, last),
  group: (ctx, a, last) => executeGroup(ctx, a.id, last),
  meter: () => {},
  setField: (ctx, a) => {
    if (!prereqsOk(ctx.flow, a.field)) {
      ctx.report("warn", `unmet prerequisites for ${a.field.mfName}, set_field ignored`);
      return;
    }
    const mask = a.value.mask;
    const old = readField(ctx.flow, a.field);
    writeField(ctx.flow, a.field, (old & ~mask) | (a.value.value & mask));
    writeField(ctx.wc, a.field, readField(ctx.wc, a.field) | mask);
    // vlan_vid/dl_vlan written on an untagged packet: OVS's set_field for VLAN fields keeps CFI.
    if (a.field.slot === "vlanTci" && a.field.name !== "vlan_tci") ctx.flow[K.vlanTci] |= VLAN_CFI;
  },
  load: (ctx, a) => {
    if (!prereqsOk(ctx.flow, a.dst.field)) return;
    writeSubfield(ctx.flow, a.dst, a.value);
    unwildcard(ctx, a.dst);
  },
  move: (ctx, a) => {
    if (prereqsOk(ctx.flow, a.dst.field) && prereqsOk(ctx.flow, a.src.field)) {
      unwildcard(ctx, a.src);
      unwildcard(ctx, a.dst);
      writeSubfield(ctx.flow, a.dst, readSubfield(ctx.flow, a.src));
    }
    reportSubfield(ctx, a.dst);
  },
  setVlanVid: (ctx, a) => setVlanVid(ctx.flow, a.vid, a.pushIfNeeded),
  setVlanPcp: (ctx, a) => {
    const f = ctx.flow;
    if (f[K.vlanTci] & VLAN_CFI || a.pushIfNeeded) {
      if (!f[K.vlanTpid]) f[K.vlanTpid] = 0x8100;
      f[K.vlanTci] = (f[K.vlanTci] & 0x1fff) | (a.pcp << 13) | VLAN_CFI;
    }
  },
  stripVlan: (ctx) => popVlan(ctx.flow),
  pushVlan: (ctx, a) => pushVlan(ctx.flow, a.ethertype),
  setEthSrc: (ctx, a) => setIf(ctx, true, "dl_src", a.mac),
  setEthDst: (ctx, a) => setIf(ctx, true, "dl_dst", a.mac),
  setIpv4Src: (ctx, a) => setIf(ctx, ctx.flow[K.dlType] === 0x0800, "nw_src", a.addr),
  setIpv4Dst: (ctx, a) => setIf(ctx, ctx.flow[K.dlType] === 0x0800, "nw_dst", a.addr),
  setIpDscp: (ctx, a) => {
    if (!isIp(ctx.flow)) return;
    ctx.flow[K.nwTos] = (ctx.flow[K.nwTos] & 0x03) | (a.tos & 0xfc);
    ctx.wc[K.nwTos] |= 0xfc;
  },
  setIpEcn: (ctx, a) => {
    if (!isIp(ctx.flow)) return;
    ctx.flow[K.nwTos] = (ctx.flow[K.nwTos] & 0xfc) | (a.ecn & 0x03);
    ctx.wc[K.nwTos] |= 0x03;
  },
  setIpTtl: (ctx, a) => setIf(ctx, isIp(ctx.flow), "nw_ttl", BigInt(a.ttl)),
  setL4Src: (ctx, a) => setIf(ctx, isIp(ctx.flow) && !(ctx.flow[K.nwFrag] & 2), "tp_src", BigInt(a.port)),
  setL4Dst: (ctx, a) => setIf(ctx, isIp(ctx.flow) && !(ctx.flow[K.nwFrag] & 2), "tp_dst", BigInt(a.port)),
  setTunnel: (ctx, a) => writeField(ctx.flow, TUN_ID, a.id),
  decTtl: (ctx, a) => {
    const f = ctx.flow;
    if (!isIp(f)) return;
    if (f[K.nwTtl] > 1) {
      f[K.nwTtl]--;
      return;
    }
    for (const id of a.controllerIds ?? [0]) controllerAction(ctx, 65535, "invalid_ttl", id);
    ctx.report("warn", `IPv${f[K.dlType] === 0x0800 ? 4 : 6} decrement TTL exception`);
    return "stop";
  },
  setQueue: (ctx, a) => {
    ctx.flow[K.skbPriority] = 0x10000 + a.queue;
  },
  popQueue: (ctx) => {
    ctx.flow[K.skbPriority] = 0;
  },
  pushMpls: (ctx, a) => {
    const f = ctx.flow;
    f[K.mplsLse + 2] = f[K.mplsLse + 1];
    f[K.mplsLse + 1] = f[K.mplsLse];
    const ttl = isIp(f) ? f[K.nwTtl] : 64;
    f[K.mplsLse] = (f[K.dlType] === 0x8847 || f[K.dlType] === 0x8848 ? f[K.mplsLse] & ~0x100 : 0x100) | ttl;
    f[K.dlType] = a.ethertype;
  },
  popMpls: (ctx, a) => {
    const f = ctx.flow;
    if (f[K.dlType] !== 0x8847 && f[K.dlType] !== 0x8848) return;
    f[K.mplsLse] = f[K.mplsLse + 1];
    f[K.mplsLse + 1] = f[K.mplsLse + 2];
    f[K.mplsLse + 2] = 0;
    f[K.dlType] = a.ethertype;
  },
  setMplsLabel: (ctx, a) => {
    const f = ctx.flow;
    if (f[K.dlType] === 0x8847 || f[K.dlType] === 0x8848)
      f[K.mplsLse] = ((f[K.mplsLse] & 0xfff) | (a.label << 12)) >>> 0;
  },
  setMplsTc: (ctx, a) => {
    const f = ctx.flow;
    if (f[K.dlType] === 0x8847 || f[K.dlType] === 0x8848)
      f[K.mplsLse] = (f[K.mplsLse] & ~0xe00) | (a.tc << 9);
  },
  setMplsTtl: (ctx, a) => {
    const f = ctx.flow;
    if (f[K.dlType] === 0x8847 || f[K.dlType] === 0x8848) f[K.mplsLse] = (f[K.mplsLse] & ~0xff) | a.ttl;
  },
  decMplsTtl: (ctx) => {
    const f = ctx.flow;
    if (f[K.dlType] !== 0x8847 && f[K.dlType] !== 0x8848) return;
    const ttl = f[K.mplsLse] & 0xff;
    if (ttl > 1) {
      f[K.mplsLse] = (f[K.mplsLse] & ~0xff) | (ttl - 1);
      return;
    }
    controllerAction(ctx, 65535, "invalid_ttl");
    ctx.report("warn", "MPLS decrement TTL exception");
    return "stop";
  },
  stackPush: (ctx, a) => {
    ctx.stack.push({ value: readSubfield(ctx.flow, a.src), bits: a.src.nBits });
    unwildcard(ctx, a.src);
  },
  stackPop: (ctx, a) => {
    const top = ctx.stack.pop();
    if (!top) {
      ctx.report("error", "stack underflow");
      return;
    }
    writeSubfield(ctx.flow, a.dst, top.value);
    unwildcard(ctx, a.dst);
    reportSubfield(ctx, a.dst);
  },
  note: () => {},
  exit: (ctx) => {
    ctx.exit = true;
  },
  clearActions: (ctx) => {
    ctx.actionSet = [];
    ctx.flow[K.actsetOutput] = 0;
  },
  writeActions: (ctx, a) => {
    // An action set holds at most one action of each kind: a later write replaces it.
    const kinds = new Set(a.actions.map((x) => x.type));
    ctx.actionSet = [...ctx.actionSet.filter((x) => !kinds.has(x.type)), ...a.actions];
    const out = a.actions.find((x): x is ActionOf<"output"> => x.type === "output");
    if (out) ctx.flow[K.actsetOutput] = portNumber(ctx, out.port) ?? 0;
  },
  writeMetadata: (ctx, a) => {
    const md = field("metadata");
    const mask = a.mask ?? all(64);
    writeField(ctx.flow, md, (readField(ctx.flow, md) & ~mask) | (a.value & mask));
  },
  clone: (ctx, a, last) => cloneActions(ctx, a.actions, last),
  ct: (ctx, a, last) => executeCt(ctx, a, last),
  nat: (ctx, a) => {
    ctx.natSeen = a.kind;
  },
  ctClear: (ctx) => {
    if (!ctx.conntracked) return;
    clearConntrack(ctx);
    ctx.odp.push("ct_clear");
  },
  conjunction: (ctx) => {
    ctx.report("error", "executing no-op conjunction action");
  },
  learn: (ctx, a) => executeLearn(ctx, a),
  finTimeout: () => {},
  multipath: (ctx, a) => {
    // Deterministic: with one link there is only link 0; otherwise the symmetric-L4 hash picks.
    const link = a.maxLink === 0 ? 0n : BigInt(hashL4(ctx.flow, a.basis) % (a.maxLink + 1));
    writeSubfield(ctx.flow, a.dst, link);
    unwildcard(ctx, a.dst);
    reportSubfield(ctx, a.dst);
  },
  bundle: (ctx, a, last) => {
    const members = a.members.map((m) => portNumber(ctx, m)).filter((p): p is number => p !== undefined);
    const live = members.filter((p) => ctx.bridge.ports.has(p));
    const chosen = live.length === 0 ? OFPP.none : live[hashL4(ctx.flow, a.basis) % live.length];
    if (a.load && a.dst) {
      writeSubfield(ctx.flow, a.dst, BigInt(chosen));
      reportSubfield(ctx, a.dst);
    } else if (chosen !== OFPP.none) outputAction(ctx, chosen, last);
    else ctx.report("warn", "no live bundle members");
  },
  sample: () => {},
  checkPktLarger: (ctx, a) => {
    // A trace without a packet has no length: OVS treats it as not larger.
    writeSubfield(ctx.flow, a.dst, 0n);
  },
  unknown: (ctx, a) => {
    ctx.report("warn", `action "${a.text}" is not modelled by ovspath; ignored`);
  },
};

/** A symmetric hash of the L2-L4 addresses (stable across runs; used where OVS hashes to choose). */
export function hashL4(f: FlowKey, basis: number): number {
  let h = (0x811c9dc5 ^ basis) >>> 0;
  const words = [
    f[K.dlSrc] ^ f[K.dlDst],
    f[K.dlSrc + 1] ^ f[K.dlDst + 1],
    f[K.dlType],
    f[K.nwSrc] ^ f[K.nwDst],
    f[K.nwProto],
    f[K.tpSrc] ^ f[K.tpDst],
  ];
  for (const w of words) h = Math.imul(h ^ w, 0x01000193) >>> 0;
  return h;
}
