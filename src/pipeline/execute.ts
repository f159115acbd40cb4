/**
 * One execute function per action of the action table (src/model/actions), keyed by the same `type`,
 * so an action that can be parsed but not executed is a compile error. Each does what
 * ofproto-dpif-xlate.c's do_xlate_actions does for it, including the notes ofproto/trace prints.
 */
import {
  type Action,
  type ActionOf,
  type ActionType,
  formatSubfield,
  type Subfield,
} from "../model/actions/index.js";
import { isIp, prereqsOk, readSubfield, writeSubfield } from "../model/field-access.js";
import { formatFieldValue } from "../model/field-value.js";
import {
  allOnes,
  FIELD,
  type FieldDef,
  readField,
  wordBits,
  wordShift,
  writeField,
} from "../model/fields.js";
import { type FlowKey, K, KSIZE, OFPP, VLAN_CFI } from "../model/layout.js";
import { commitPacket, mplsLabels } from "./commit.js";
import type { XlateContext } from "./context.js";
import { hashL4 } from "./flow-hash.js";
import { executeCt, executeGroup, executeLearn } from "./stateful.js";
import { portMayEnable } from "./switch.js";

// biome-ignore lint/suspicious/noConfusingVoidType: most executors return nothing; "stop" ends the action list (dec_ttl exception)
type Result = void | "stop";
/**
 * `list` and `index` locate the action in the list being walked: check_pkt_larger translates the
 * actions after it itself (once per branch).
 */
type Executor<T extends ActionType> = (
  ctx: XlateContext,
  a: ActionOf<T>,
  isLast: boolean,
  list: readonly Action[],
  index: number,
) => Result;
export type ExecutorTable = { [T in ActionType]: Executor<T> };

const all = allOnes;

/**
 * Bit layouts of the words the executors rewrite in place (the TCI, nw_tos, the top MPLS label stack
 * entry, which the mpls_* fields view), from the registry.
 */
const VID = wordBits(FIELD.dl_vlan);
const PCP = wordBits(FIELD.dl_vlan_pcp);
const DSCP = wordBits(FIELD.ip_dscp);
const ECN = wordBits(FIELD.nw_ecn);
const MPLS_LABEL = wordBits(FIELD.mpls_label);
const MPLS_TC = wordBits(FIELD.mpls_tc);
const MPLS_BOS = wordBits(FIELD.mpls_bos);
const MPLS_TTL = wordBits(FIELD.mpls_ttl);

/**
 * A set_field's value and mask as the words of its field's storage (the field's bits only, at its
 * shift): worked out once per action with bigints, then applied to each packet in plain numbers.
 */
interface FieldWords {
  offset: number;
  masks: number[];
  values: number[];
}
const setFieldWordsOf = new WeakMap<ActionOf<"setField">, FieldWords>();
function setFieldWords(a: ActionOf<"setField">): FieldWords {
  let w = setFieldWordsOf.get(a);
  if (w) return w;
  const f = a.field;
  const n = KSIZE[f.slot];
  const bits = all(f.bits);
  let m = (a.value.mask & bits) << BigInt(f.shift);
  let v = (a.value.value & a.value.mask & bits) << BigInt(f.shift);
  w = { offset: K[f.slot], masks: new Array<number>(n), values: new Array<number>(n) };
  for (let i = n - 1; i >= 0; i--) {
    w.masks[i] = Number(m & 0xffffffffn);
    w.values[i] = Number(v & 0xffffffffn);
    m >>= 32n;
    v >>= 32n;
  }
  setFieldWordsOf.set(a, w);
  return w;
}

function unwildcard(ctx: XlateContext, s: Subfield): void {
  ctx.wcWrites(K[s.field.slot], KSIZE[s.field.slot]);
  writeSubfield(ctx.wc, s, all(s.nBits));
}

/** xlate_report_subfield: `-> NXM_…[] is now VALUE`. */
function reportSubfield(ctx: XlateContext, s: Subfield): void {
  if (ctx.lean) return; // a note nobody reads in a replay: not even formatted
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
    f[K.vlanTci] = (f[K.vlanTci] & ~VID) | vid | VLAN_CFI;
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

function setIf(ctx: XlateContext, cond: boolean, fd: FieldDef, value: bigint): void {
  if (!cond) return;
  writeField(ctx.flow, fd, value);
  ctx.wcWrites(K[fd.slot], KSIZE[fd.slot]);
  writeField(ctx.wc, fd, all(fd.bits));
}

/** The port of a PortRef on the current bridge (names resolved by the bridge's ports). */
function portNumber(ctx: XlateContext, ref: { number?: number; name?: string }): number | undefined {
  if (ref.number !== undefined) return ref.number;
  return ref.name === undefined ? undefined : ctx.bridge.byName.get(ref.name)?.ofport;
}

/**
 * member_enabled_cb (ofproto-dpif-xlate.c): a port of the bridge is a usable bundle member when it may
 * be enabled, i.e. neither its link nor the port is down; reserved ports (IN_PORT, TABLE, NORMAL, FLOOD,
 * ALL, NONE) always are, CONTROLLER never.
 */
function memberEnabled(ctx: XlateContext, port: number): boolean {
  if (port === OFPP.controller) return false;
  if (port >= OFPP.inPort && port <= OFPP.none && port !== OFPP.local) return true;
  return portMayEnable(ctx.bridge, port);
}

export const EXECUTORS: ExecutorTable = {
  output: (ctx, a, last) => {
    const port = portNumber(ctx, a.port);
    if (port === undefined) ctx.report("warn", "Nonexistent output port");
    else ctx.xlate.outputAction(ctx, port, last);
  },
  outputReg: (ctx, a, last) => {
    const port = readSubfield(ctx.flow, a.src);
    unwildcard(ctx, a.src);
    if (port > 0xffffn) {
      ctx.report("warn", `output port ${port} is out of range`);
      return;
    }
    ctx.report("detail", `output port is ${port}`);
    ctx.xlate.outputAction(ctx, Number(port), last);
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
    ctx.xlate.outputAction(ctx, port, last);
  },
  controller: (ctx, a) =>
    ctx.xlate.controllerAction(ctx, a.maxLen ?? 65535, a.reason ?? "action", a.id ?? 0, a.meterId),
  enqueue: (ctx, a, last) => {
    ctx.setQueue = true;
    const port = portNumber(ctx, a.port);
    if (port !== undefined)
      ctx.xlate.outputAction(ctx, port === OFPP.inPort ? ctx.flow[K.inPort] : port, last);
  },
  resubmit: (ctx, a, last) => {
    let inPort = a.port ? (portNumber(ctx, a.port) ?? ctx.flow[K.inPort]) : ctx.flow[K.inPort];
    if (inPort === OFPP.inPort) inPort = ctx.flow[K.inPort];
    const table = a.table === undefined || a.table === 255 ? ctx.tableId : a.table;
    ctx.xlate.xlateTable(ctx, inPort, table, last, undefined, a.ct);
  },
  gotoTable: (ctx, a, last) => ctx.xlate.xlateTable(ctx, ctx.flow[K.inPort], a.table, last),
  group: (ctx, a, last) => executeGroup(ctx, a.id, last),
  // xlate_meter_action(): the meter goes straight into the datapath actions (no commit first). Its
  // datapath id is allocated by OVS at run time and is in no dump: the OpenFlow id stands for it (a
  // flow naming a meter the bridge lacks is refused when added, so the meter exists). The rate
  // limit itself is not modelled: the packet passes.
  meter: (ctx, a) => {
    ctx.recordMeter(a.id);
    ctx.odp.push(`meter(${a.id})`);
  },
  setField: (ctx, a) => {
    if (!prereqsOk(ctx.flow, a.field)) {
      ctx.report("warn", `unmet prerequisites for ${a.field.mfName}, set_field ignored`);
      return;
    }
    const w = setFieldWords(a);
    const f = ctx.flow;
    const wc = ctx.wc;
    ctx.wcWrites(w.offset, w.masks.length);
    for (let i = 0; i < w.masks.length; i++) {
      const at = w.offset + i;
      f[at] = (f[at] & ~w.masks[i]) | w.values[i];
      wc[at] |= w.masks[i];
    }
    // vlan_vid/dl_vlan written on an untagged packet: OVS's set_field for VLAN fields keeps CFI.
    if (a.field.slot === "vlanTci" && a.field !== FIELD.vlan_tci) ctx.flow[K.vlanTci] |= VLAN_CFI;
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
      f[K.vlanTci] = (f[K.vlanTci] & ~PCP) | (a.pcp << wordShift(FIELD.dl_vlan_pcp)) | VLAN_CFI;
    }
  },
  stripVlan: (ctx) => popVlan(ctx.flow),
  pushVlan: (ctx, a) => pushVlan(ctx.flow, a.ethertype),
  setEthSrc: (ctx, a) => setIf(ctx, true, FIELD.dl_src, a.mac),
  setEthDst: (ctx, a) => setIf(ctx, true, FIELD.dl_dst, a.mac),
  setIpv4Src: (ctx, a) => setIf(ctx, ctx.flow[K.dlType] === 0x0800, FIELD.nw_src, a.addr),
  setIpv4Dst: (ctx, a) => setIf(ctx, ctx.flow[K.dlType] === 0x0800, FIELD.nw_dst, a.addr),
  setIpDscp: (ctx, a) => {
    if (!isIp(ctx.flow)) return;
    ctx.flow[K.nwTos] = (ctx.flow[K.nwTos] & ~DSCP) | (a.tos & DSCP);
    ctx.wcWrites(K.nwTos, 1);
    ctx.wc[K.nwTos] |= DSCP;
  },
  setIpEcn: (ctx, a) => {
    if (!isIp(ctx.flow)) return;
    ctx.flow[K.nwTos] = (ctx.flow[K.nwTos] & ~ECN) | (a.ecn & ECN);
    ctx.wcWrites(K.nwTos, 1);
    ctx.wc[K.nwTos] |= ECN;
  },
  setIpTtl: (ctx, a) => setIf(ctx, isIp(ctx.flow), FIELD.nw_ttl, BigInt(a.ttl)),
  setL4Src: (ctx, a) => setIf(ctx, isIp(ctx.flow) && !(ctx.flow[K.nwFrag] & 2), FIELD.tp_src, BigInt(a.port)),
  setL4Dst: (ctx, a) => setIf(ctx, isIp(ctx.flow) && !(ctx.flow[K.nwFrag] & 2), FIELD.tp_dst, BigInt(a.port)),
  setTunnel: (ctx, a) => writeField(ctx.flow, FIELD.tun_id, a.id),
  decTtl: (ctx, a) => {
    const f = ctx.flow;
    if (!isIp(f)) return;
    if (f[K.nwTtl] > 1) {
      f[K.nwTtl]--;
      return;
    }
    for (const id of a.controllerIds ?? [0]) ctx.xlate.controllerAction(ctx, 65535, "invalid_ttl", id);
    ctx.report("warn", `IPv${f[K.dlType] === 0x0800 ? 4 : 6} decrement TTL exception`);
    return "stop";
  },
  setQueue: (ctx, a) => {
    ctx.setQueue = true;
    ctx.flow[K.skbPriority] = 0x10000 + a.queue;
  },
  popQueue: (ctx) => {
    ctx.flow[K.skbPriority] = 0;
  },
  pushMpls: (ctx, a) => {
    // flow_push_mpls: onto a label, a copy of it (not the bottom); onto IP, label 0 (2 for IPv6), the
    // DSCP's low bits as TC, the IP TTL (64 when 0); the packet's L3 and L4 fields are then gone.
    const f = ctx.flow;
    const L = K.mplsLse;
    const depth = mplsLabels(f);
    if (depth >= KSIZE.mplsLse) {
      if (ctx.sideEffects)
        ctx.report(
          "error",
          `dropping packet on which an MPLS push action can't be performed as it would have more MPLS LSEs than the ${KSIZE.mplsLse} supported.`,
        );
      ctx.error = "Too many MPLS labels";
      return;
    }
    if (depth > 0) {
      f[L + 2] = f[L + 1];
      f[L + 1] = f[L];
      f[L] &= ~MPLS_BOS;
    } else {
      const ip = isIp(f);
      const label = f[K.dlType] === 0x86dd ? 2 : 0;
      const tc = ip ? (f[K.nwTos] >> 2) & 7 : 0;
      const ttl = ip && f[K.nwTtl] !== 0 ? f[K.nwTtl] : 64;
      // compose_mpls_push_action: what the actions did to the IP header is committed before it is hidden.
      commitPacket(ctx);
      f[L] =
        ((label << wordShift(FIELD.mpls_label)) | (tc << wordShift(FIELD.mpls_tc)) | MPLS_BOS | ttl) >>> 0;
      f.fill(0, K.nwSrc, K.tcpFlags + 1);
      f[K.dpHash] = 0;
    }
    f[K.dlType] = a.ethertype;
  },
  popMpls: (ctx, a) => {
    const f = ctx.flow;
    if (f[K.dlType] !== 0x8847 && f[K.dlType] !== 0x8848) return;
    if (a.ethertype !== 0x8847 && a.ethertype !== 0x8848) ctx.wasMpls = true;
    f[K.mplsLse] = f[K.mplsLse + 1];
    f[K.mplsLse + 1] = f[K.mplsLse + 2];
    f[K.mplsLse + 2] = 0;
    f[K.dlType] = a.ethertype;
  },
  setMplsLabel: (ctx, a) => {
    const f = ctx.flow;
    if (f[K.dlType] === 0x8847 || f[K.dlType] === 0x8848)
      f[K.mplsLse] = ((f[K.mplsLse] & ~MPLS_LABEL) | (a.label << wordShift(FIELD.mpls_label))) >>> 0;
  },
  setMplsTc: (ctx, a) => {
    const f = ctx.flow;
    if (f[K.dlType] === 0x8847 || f[K.dlType] === 0x8848)
      f[K.mplsLse] = (f[K.mplsLse] & ~MPLS_TC) | (a.tc << wordShift(FIELD.mpls_tc));
  },
  setMplsTtl: (ctx, a) => {
    const f = ctx.flow;
    if (f[K.dlType] === 0x8847 || f[K.dlType] === 0x8848) f[K.mplsLse] = (f[K.mplsLse] & ~0xff) | a.ttl;
  },
  decMplsTtl: (ctx) => {
    const f = ctx.flow;
    if (f[K.dlType] !== 0x8847 && f[K.dlType] !== 0x8848) return;
    const ttl = f[K.mplsLse] & MPLS_TTL;
    if (ttl > 1) {
      f[K.mplsLse] = (f[K.mplsLse] & ~MPLS_TTL) | (ttl - 1);
      return;
    }
    ctx.xlate.controllerAction(ctx, 65535, "invalid_ttl");
    ctx.report("warn", "MPLS decrement TTL exception");
    return "stop";
  },
  stackPush: (ctx, a) => {
    ctx.ownStack().push({ value: readSubfield(ctx.flow, a.src), bits: a.src.nBits });
    unwildcard(ctx, a.src);
  },
  stackPop: (ctx, a) => {
    const top = ctx.ownStack().pop();
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
    const md = FIELD.metadata;
    const mask = a.mask ?? all(64);
    writeField(ctx.flow, md, (readField(ctx.flow, md) & ~mask) | (a.value & mask));
  },
  clone: (ctx, a, last) => ctx.xlate.cloneActions(ctx, a.actions, last),
  ct: (ctx, a, last) => executeCt(ctx, a, last),
  nat: (ctx, a) => {
    ctx.natSeen = a.kind;
  },
  deleteField: (ctx, a) => {
    // Presence is a nonzero value here (see geneve-options.ts): a deleted option is not sent.
    writeField(ctx.flow, a.field, 0n);
    ctx.report("detail", `delete ${a.field.name}`);
  },
  ctClear: (ctx) => {
    if (!ctx.conntracked) return;
    ctx.clearConntrack();
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
    const live = members.filter((p) => memberEnabled(ctx, p));
    // bundle_execute: active_backup takes the first member that is up; hrw hashes among those up.
    const chosen =
      live.length === 0
        ? OFPP.none
        : a.algorithm === "active_backup"
          ? live[0]
          : live[hashL4(ctx.flow, a.basis) % live.length];
    if (a.load && a.dst) {
      writeSubfield(ctx.flow, a.dst, BigInt(chosen));
      reportSubfield(ctx, a.dst);
    } else if (chosen !== OFPP.none) ctx.xlate.outputAction(ctx, chosen, last);
  },
  sample: () => {},
  checkPktLarger: (ctx, a, _last, list, index) => {
    if (!ctx.bridge.checkPktLen) {
      // No check_pkt_len in the datapath: userspace decides from the packet given (none: not larger),
      // and the flow is slow-pathed so that every packet is decided again.
      const larger = ctx.packetLength !== undefined && ctx.packetLength > a.length;
      writeSubfield(ctx.flow, a.dst, larger ? 1n : 0n);
      ctx.slowAction = true;
      return;
    }
    // The rest of this list is translated by the check, once for each outcome (the datapath decides).
    ctx.xlate.checkPktLarger(ctx, a, list.slice(index + 1));
    return "stop";
  },
  unknown: (ctx, a) => {
    ctx.recordIgnored(a.text);
    ctx.report("warn", `action "${a.text}" is not modelled by ovspath; ignored`);
  },
};

/**
 * The executors by action type in a Map: the type of an action list's entries varies, and reading
 * EXECUTORS[type] with it is a megamorphic keyed load (~250 instructions); a Map's get is a third of it.
 */
export const EXECUTOR_OF: ReadonlyMap<ActionType, AnyExecutor> = new Map(
  Object.entries(EXECUTORS) as Array<[ActionType, AnyExecutor]>,
);

/** An executor of whichever type (EXECUTOR_OF finds the one of an action's own type). */
export type AnyExecutor = (
  ctx: XlateContext,
  a: Action,
  isLast: boolean,
  list: readonly Action[],
  index: number,
) => Result;
