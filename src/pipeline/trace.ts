/**
 * ofproto/trace offline: the input flow (a BR_FLOW string or a packet), one pass through the bridge's
 * pipeline, then one pass per conntrack recirculation, each with its Flow, steps, Final flow and
 * Datapath actions — printed in OVS's layout or returned as data.
 */

import { extractFlowKey } from "../decode/flowkey.js";
import { LINKTYPE } from "../decode/protocols.js";
import type { FlowEntry } from "../dumps/flows.js";
import { prereqsOk } from "../model/field-access.js";
import { FIELD, type FieldDef, wordBits, wordShift, writeField } from "../model/fields.js";
import {
  CS,
  copyFlowKey,
  type FlowKey,
  K,
  KSIZE,
  newFlowKey,
  OFPP,
  PACKET_METADATA_SLOTS,
  VLAN_CFI,
} from "../model/layout.js";
import { parseMatch, SHORTHANDS } from "../model/match.js";
import type { ConntrackTable } from "./conntrack.js";
import {
  type CtCall,
  type LearnedFlow,
  type OutputRecord,
  type RecircRequest,
  XlateContext,
} from "./context.js";
import { ctStateValue } from "./ct-state.js";
import { ctStateText, formatFlow, sameFlow } from "./flow-format.js";
import { hashL4 } from "./flow-hash.js";
import { borrowKey, type FrameKeys } from "./key-pool.js";
import { type NatSimulation, simulateNat } from "./nat-sim.js";
import { mirrorAt } from "./normal.js";
import type { SimHost } from "./switch.js";
import { printTrace, report, stepsOf, type TraceNode, type TraceStep } from "./trace-tree.js";
import { runActionSet, TRANSLATOR, xlateTable } from "./xlate.js";

export interface TraceRequest {
  host: SimHost;
  bridge: string;
  flow: FlowKey;
  /** A packet was given: side effects (MAC learning, learn()) happen, as in OVS. */
  withPacket: boolean;
  /** ct_state for each recirculation in turn (`--ct-next`); absent ones default to trk|new. */
  ctNext: number[];
  /** A replay's connection tracker: when given, it answers ct() instead of ctNext. */
  conntrack?: ConntrackTable;
  /** A replay's megaflow mask, to which every classifier lookup adds the masks it probed. */
  megaflow?: FlowKey;
  /** A replay's list of the flows translation executed. */
  executed?: FlowEntry[];
  /**
   * A replay's per-pass megaflow cache: each pass also keeps its own mask, executed flows and ct()
   * calls (TracePass.cache), as the datapath caches each recirculation pass apart.
   */
  perPass?: boolean;
  /**
   * The dp_hash to resume a select group's `hash(...),recirc(...)` with (`--dp-hash`): without it a
   * trace stops there as OVS's does; a replay uses a hash of the packet.
   */
  dpHash?: number;
  /**
   * The length of the packet given (a trace's HEX, a replayed frame), in bytes: check_pkt_larger
   * compares it when the datapath cannot (no check_pkt_len), and a replay follows only the branch of
   * check_pkt_len it selects (`lengthBranch`).
   */
  packetLength?: number;
  /** Follow only the check_pkt_len branch `packetLength` selects (a replay: the datapath ran one). */
  lengthBranch?: boolean;
  /**
   * A replay that never prints the trace (see XlateContext.lean): the tree keeps its bridges, tables,
   * buckets and the notes a drop's explanation reads, not the action lines nor the formatted notes.
   */
  lean?: boolean;
  /** A lean replay that caches nothing: the output records' flows are the frame's keys (see FrameKeys). */
  frameKeys?: FrameKeys;
}

export type Verdict = "output" | "drop" | "controller" | "error";

export interface TracePass {
  /** Absent for the first pass. */
  recirc?: {
    id: number;
    ctState: number;
    defaulted: boolean;
    table: number;
    nat?: NatSimulation;
    /** A dp_hash recirculation (a select group's), resumed with this hash. */
    dpHash?: number;
  };
  flow: FlowKey;
  /** Absent in a lean pass (TraceRequest.lean): only a printed trace reads it. */
  finalFlow?: FlowKey;
  nodes: TraceNode[];
  /** Empty in a lean pass (TraceRequest.lean): only a printed trace reads it. */
  datapathActions: string;
  /** OVS's "Translation failed (REASON)". */
  error?: string;
  /** Why OVS handles the flow in the userspace slow path (lines OVS prints after the actions). */
  slowPath?: string[];
  /** In a replay, the check_pkt_len branch the frame's length took at each check ("br0 …: 300 bytes, larger (gt)"). */
  lengthBranches?: string[];
  outputs: OutputRecord[];
  learned: LearnedFlow[];
  /** What the pass met and ovspath does not model (XlateContext.unmodelled and the rest; see not-modelled.ts). */
  unmodelled?: PassUnmodelled;
  /** The meters the pass ran through (meter:N, a packet-in's meter_id), in order. */
  meters?: number[];
  /** With TraceRequest.perPass: what this pass alone read, executed and asked conntrack. */
  cache?: PassRecord;
}

/** What a pass's translation met that ovspath does not model: the facts XlateContext recorded. */
export interface PassUnmodelled {
  /** The features its warnings named ("IPv6 tunnels"). */
  features: readonly string[];
  /** The actions it ignored, as the flow wrote them. */
  ignoredActions: readonly string[];
  setQueue: boolean;
  ranNormal: boolean;
}

/** One pass's share of a replay's translation, for the per-pass megaflow cache (src/pipeline/pass-cache.ts). */
export interface PassRecord {
  mask: FlowKey;
  executed: FlowEntry[];
  ctCalls: CtCall[];
}

export interface TraceResult {
  host: string;
  bridge: string;
  passes: TracePass[];
  verdict: Verdict;
}

const RULE = "=".repeat(79);

/**
 * One pass through `bridgeName`'s pipeline from `table`, added to `passes`: the request's first pass,
 * or one resumed from a recirculation (`recirc`). The rest is read from the request as it is (no
 * object of parameters made per pass). Returns the pass's context (its recirculations, its lookup key).
 */
function runPass(
  req: TraceRequest,
  passes: TracePass[],
  bridgeName: string,
  flow: FlowKey,
  table: number,
  recircBase: number,
  recirc?: TracePass["recirc"],
): XlateContext {
  const host = req.host;
  const lean = req.lean ?? false;
  const thaw = recirc !== undefined;
  const bridge = host.bridges.get(bridgeName);
  if (!bridge) throw new Error(`no bridge "${bridgeName}" on host ${host.name}`);
  const nodes: TraceNode[] = [];
  // ofproto/trace heads every resumed pass with the bridge the trace started on, even when the frozen
  // state belongs to a patch peer.
  const top = report(
    nodes,
    "bridge",
    bridgeName === req.bridge
      ? bridge.title
      : (host.bridges.get(req.bridge)?.title ?? `bridge("${req.bridge}")`),
    lean,
  );
  const ctx = new XlateContext(
    TRANSLATOR,
    host,
    bridge,
    // A lean pass hands back no final flow: the packet it changes is a pooled key (releaseScratch).
    lean ? borrowKey(flow) : copyFlowKey(flow),
    lean ? nodes : top.subs,
    req.withPacket,
    flow[K.tunDst],
    // The input stays as it is (pass.flow): the datapath's copy starts as that packet (see ownBase).
    flow,
  );
  ctx.recircBase = recircBase;
  ctx.traceBridge = req.bridge;
  ctx.conntrack = req.conntrack;
  ctx.megaflow = req.megaflow;
  ctx.executed = req.executed;
  ctx.packetLength = req.packetLength;
  ctx.lengthBranch = req.lengthBranch ?? false;
  ctx.lean = lean;
  ctx.frameKeys = req.frameKeys;
  if (thaw) {
    // The frozen state of a ct() recirculation says the packet was conntracked: ct_clear then acts.
    ctx.conntracked = true;
    const t = ctx.report("thaw", "thaw");
    report(ctx.childrenOf(t), "thaw", `Resuming from table ${table}`, ctx.lean);
  }
  ctx.tableId = table;
  // A replay's per-pass megaflow cache wants each pass's own record (TracePass.cache).
  const record: PassRecord | undefined = req.perPass
    ? { mask: newFlowKey(), executed: [], ctCalls: [] }
    : undefined;
  if (record) {
    ctx.megaflow = record.mask;
    ctx.executed = record.executed;
    ctx.ctCalls = record.ctCalls;
  }
  // mirror_ingress_packet: before the actions (a resumed pass was mirrored when it first came in).
  // The input port is looked up only on a bridge with mirrors: a Map get every pass, for nothing, else.
  if (!thaw && bridge.mirrors) mirrorAt(ctx, bridge.ports.get(ctx.flow[K.inPort]), "src");
  xlateTable(ctx, ctx.flow[K.inPort], table, true, undefined, false, true);
  if (!ctx.error) runActionSet(ctx);
  const pass: TracePass = {
    flow,
    nodes,
    datapathActions: lean ? "" : datapathText(ctx),
    outputs: ctx.outputs,
    learned: ctx.learned,
  };
  if (ctx.error) pass.error = ctx.error;
  if (ctx.lengthNotes) pass.lengthBranches = ctx.lengthNotes;
  if (ctx.slowAction) pass.slowPath = ["Uses action(s) not supported by datapath."];
  // What only a printed trace and its report read: a lean pass (the replay verb) hands none of it on.
  if (!lean) {
    pass.finalFlow = ctx.flow;
    if (ctx.unmodelled || ctx.ignoredActions || ctx.setQueue || ctx.ranNormal)
      pass.unmodelled = {
        features: ctx.unmodelled ?? [],
        ignoredActions: ctx.ignoredActions ?? [],
        setQueue: ctx.setQueue,
        ranNormal: ctx.ranNormal,
      };
    if (ctx.meters) pass.meters = ctx.meters;
  }
  ctx.releaseScratch();
  if (lean) ctx.letGo(ctx.flow);
  if (record) {
    // The whole translation's mask and flow list are the passes' together.
    pass.cache = record;
    if (req.megaflow) for (let i = 0; i < record.mask.length; i++) req.megaflow[i] |= record.mask[i];
    req.executed?.push(...record.executed);
  }
  if (recirc) pass.recirc = recirc;
  passes.push(pass);
  return ctx;
}

/** The pass's datapath actions as ofproto/trace prints them. */
function datapathText(ctx: XlateContext): string {
  // xlate_optimize_odp_actions: a trailing clone() is unwrapped (nothing follows it to protect).
  const last = ctx.odp[ctx.odp.length - 1];
  if (last?.startsWith("clone(")) ctx.odp.splice(ctx.odp.length - 1, 1, last.slice(6, -1));
  return ctx.error || ctx.odp.length === 0 ? "drop" : ctx.odp.join(",");
}

/** The queue of a translation whose first pass recirculates nothing (never pushed to: see trace). */
const NO_RECIRC = Object.freeze([]) as unknown as RecircRequest[];

export function trace(req: TraceRequest): TraceResult {
  const passes: TracePass[] = [];
  const first = runPass(req, passes, req.bridge, req.flow, 0, 0);
  // A lean translation's lookup keys are pooled until it is known which one a drop explanation reads:
  // the first pass's, and the recirculated passes' (listed only when there are any).
  let leanPasses: XlateContext[] | undefined;
  // Sliced, not spread (a spread iterates); most passes request no recirculation, and get no queue.
  const queue = first.recirc.length > 0 ? first.recirc.slice() : NO_RECIRC;
  let used = queue.length;
  let next = 0;
  while (queue.length > 0 && passes.length < 64) {
    const r = queue.shift();
    if (!r) break;
    let ctx: XlateContext;
    if (r.hash) {
      // ofproto/trace stops at a dp_hash recirculation; replay (a connection tracker attached) follows it
      // with the hash the datapath would compute (any nonzero value of the packet's 5-tuple).
      if (!req.conntrack && req.dpHash === undefined) continue;
      const flow = copyFlowKey(r.flow);
      flow[K.dpHash] = req.dpHash ?? (hashL4(flow, 0) || 1);
      ctx = runPass(req, passes, r.bridge.name, flow, r.table, used, {
        id: flow[K.recircId],
        ctState: flow[K.ctState],
        defaulted: false,
        table: r.table,
        dpHash: flow[K.dpHash],
      });
    } else {
      const given = r.ct?.state ?? req.ctNext[next++];
      let state = given ?? CS.trk | CS.new;
      if (r.nat && (given === undefined || r.ct)) state |= r.nat === "src" ? CS.snat : CS.dnat;
      const flow = copyFlowKey(r.flow);
      flow[K.ctState] = state;
      if (r.ct) {
        flow[K.ctMark] = r.ct.mark;
        flow.set(r.ct.label, K.ctLabel);
      }
      const nat = r.natAction ? simulateNat(flow, r.natAction) : undefined;
      ctx = runPass(req, passes, r.bridge.name, flow, r.table, used, {
        id: flow[K.recircId],
        ctState: state,
        defaulted: given === undefined && !r.ct,
        table: r.table,
        ...(nat ? { nat } : {}),
      });
    }
    if (req.lean) {
      leanPasses ??= [];
      leanPasses.push(ctx);
    }
    queue.push(...ctx.recirc);
    used += ctx.recirc.length;
  }
  const verdict = verdictOf(passes);
  // A lean translation's lookup keys (pooled, see keepLookupKey) are read only to explain a drop (the
  // drop explainer, src/explain/drop.ts; OVN's, src/ovn/explain.ts, which also reads a packet-in's):
  // each pass's gets a key of its own unless the packet was output, and the pooled buffers go back.
  if (req.lean) {
    first.settleLookupKey(verdict !== "output");
    if (leanPasses) for (const ctx of leanPasses) ctx.settleLookupKey(verdict !== "output");
  }
  return { host: req.host.name, bridge: req.bridge, passes, verdict };
}

function verdictOf(passes: readonly TracePass[]): Verdict {
  let outputs = 0;
  for (const p of passes) {
    if (p.error) return "error";
    outputs += p.outputs.length;
  }
  for (const p of passes) for (const o of p.outputs) if (o.port !== "CONTROLLER") return "output";
  return outputs > 0 ? "controller" : "drop";
}

/** The text ofproto/trace prints. */
export function formatTrace(r: TraceResult, portName?: (ofport: number) => string): string {
  const out: string[] = [];
  r.passes.forEach((p, i) => {
    if (i > 0) {
      const rc = p.recirc;
      const how =
        rc?.dpHash !== undefined
          ? `dp_hash=0x${rc.dpHash.toString(16)} (--dp-hash)`
          : rc?.defaulted
            ? "default ct_state=trk|new (use --ct-next to customize)"
            : `ct_state=${ctStateText(rc?.ctState ?? 0)}`;
      out.push(
        "",
        RULE,
        `recirc(0x${(rc?.id ?? 0).toString(16)}) - ${rc?.dpHash !== undefined ? "resume the select group with" : "resume conntrack with"} ${how}`,
        ...(rc?.nat
          ? [
              "Replacing src/dst IP/ports to simulate NAT:",
              ` Initial flow: ${rc.nat.initial}`,
              ` Modified flow: ${rc.nat.modified}`,
            ]
          : []),
        RULE,
        "",
      );
    }
    out.push(`Flow: ${formatFlow(p.flow, portName)}`);
    printTrace(p.nodes, 0, out);
    out.push("");
    out.push(
      `Final flow: ${!p.finalFlow || sameFlow(p.flow, p.finalFlow) ? "unchanged" : formatFlow(p.finalFlow, portName)}`,
    );
    out.push(`Datapath actions: ${p.datapathActions}`);
    if (p.error) out.push(`Translation failed (${p.error}), packet is dropped.`);
    if (p.slowPath) {
      out.push("This flow is handled by the userspace slow path because it:");
      for (const why of p.slowPath) out.push(`  - ${why}`);
    }
  });
  return `${out.join("\n")}\n`;
}

export function traceSteps(r: TraceResult): TraceStep[] {
  return r.passes.flatMap((p) => stepsOf(p.nodes));
}

// ---- Input: BR_FLOW and packets ----

export type FlowInputResult =
  | { ok: true; flow: FlowKey }
  /** `notModelled`: the flow is one OVS takes, of a feature ovspath does not model (named). */
  | { ok: false; column: number; message: string; notModelled?: string };

/** Flow fields of features ovspath does not model, as OVS's own `Flow:` line prints them. */
const NOT_MODELLED_FIELDS: Array<[RegExp, string]> = [
  [/(?:^|,)(?:nsh_[a-z0-9_]+=|packet_type=\(1,0x894f\)|dl_type=0x894f)/, "NSH"],
  [/(?:^|,)(?:tun_)?gtpu_(?:flags|msgtype)=(?!0(?:,|$))/, "GTP-U tunnel metadata"],
  [/(?:^|,)packet_type=\((?!0,)/, "packet types other than Ethernet"],
  // The flow key keeps 4 bytes of each Geneve option (tun_metadataN); OVS takes up to 124.
  [/(?:^|,)tun_metadata\d+=0x0*[1-9a-f][0-9a-f]{8}/i, "Geneve options longer than 4 bytes"],
];

/** The prerequisite ofproto/trace checks when a field is set: tp_src/tp_dst are TCP's (tcp_src). */
function tracePrereqOk(flow: FlowKey, f: FieldDef, name: string): boolean {
  if (name === "tp_src" || name === "tp_dst")
    return (flow[K.dlType] === 0x0800 || flow[K.dlType] === 0x86dd) && flow[K.nwProto] === 6;
  if (f.prereq === "icmpv4" && name.startsWith("icmp_"))
    return flow[K.dlType] === 0x0800 && flow[K.nwProto] === 1;
  return prereqsOk(flow, f);
}

/**
 * A flow as OVS's own `Flow:` line prints it, in the match syntax: `ct_state=est|trk` (flag names, as
 * ofproto/trace also takes them) becomes its number; the GTP-U fields at their zero defaults
 * (`gtpu_flags=0`, printed with every tunnel) and an Ethernet `packet_type=(0,0)` are dropped (OVS's
 * own parser refuses them back). Other text is left as it is.
 */
function asMatchSyntax(text: string): string {
  return text
    .replace(/(^|,)(?:tun_)?(?:gtpu_flags|gtpu_msgtype)=0(?=,|$)/g, "")
    .replace(/(^|,)packet_type=\(0,0(?:x0+)?\)(?=,|$)/g, "")
    .replace(/^,/, "")
    .replace(/(^|,)ct_state=([a-z|]+)(?=,|$)/g, (whole, sep: string, flags: string) => {
      const v = ctStateValue(flags);
      return typeof v === "number" ? `${sep}ct_state=0x${v.toString(16)}` : whole;
    });
}

/**
 * ofproto/trace's BR_FLOW: `in_port=NAME,icmp,nw_src=...` with port names allowed. Every field not
 * given is zero, as in OVS. Errors name the column and the field, in OVS's words where it has them.
 */
export function parseTraceFlow(
  text: string,
  resolvePort: (name: string) => number | undefined,
): FlowInputResult {
  for (const [re, feature] of NOT_MODELLED_FIELDS) {
    const m = re.exec(text);
    if (m)
      return {
        ok: false,
        column: m.index + (m[0].startsWith(",") ? 2 : 1),
        message: `not modelled by ovspath: ${feature}`,
        notModelled: feature,
      };
  }
  const parsed = parseMatch(asMatchSyntax(text));
  if (!parsed.ok) return { ok: false, column: parsed.error.column, message: parsed.error.message };
  const m = parsed.value;
  const flow = newFlowKey();
  if (m.shorthand) {
    const sh = SHORTHANDS[m.shorthand];
    flow[K.dlType] = sh.dlType;
    if (sh.nwProto !== undefined) flow[K.nwProto] = sh.nwProto;
  }
  let column = 1;
  const columns = new Map<string, number>();
  for (const token of text.split(",")) {
    columns.set(token.split("=")[0], column);
    column += token.length + 1;
  }
  for (const mf of m.fields) {
    const col = columns.get(mf.name) ?? 1;
    if (!tracePrereqOk(flow, mf.field, mf.name))
      return { ok: false, column: col, message: `prerequisites not met for setting ${mf.name}` };
    let v = mf.value.value;
    if (mf.value.portName) {
      const n = resolvePort(mf.value.portName.name);
      if (n === undefined)
        return { ok: false, column: col, message: `${mf.value.portName.name}: unknown port` };
      v = BigInt(n);
    }
    if (mf.field === FIELD.dl_vlan || mf.field === FIELD.dl_vlan_pcp) {
      // Either tags the packet (CFI set) and keeps the other's bits.
      const bits = wordBits(mf.field);
      const other = wordBits(mf.field === FIELD.dl_vlan ? FIELD.dl_vlan_pcp : FIELD.dl_vlan);
      const set = Number((v << BigInt(wordShift(mf.field))) & BigInt(bits));
      flow[K.vlanTci] = (flow[K.vlanTci] & other) | set | VLAN_CFI;
      flow[K.vlanTpid] = 0x8100;
      continue;
    }
    writeField(flow, mf.field, v);
    if (mf.field.slot === "vlanTci" && flow[K.vlanTci] & VLAN_CFI) flow[K.vlanTpid] = 0x8100;
  }
  if (flow[K.inPort] === 0 && !m.fields.some((f) => f.field === FIELD.in_port)) flow[K.inPort] = OFPP.none;
  return { ok: true, flow };
}

/**
 * A packet given as hex: its fields come from the bytes; the flow string supplies only the packet's
 * metadata, as OVS's ofproto/trace takes it (pkt_metadata_from_flow, then flow_extract): in_port,
 * recirc_id, dp_hash, skb_priority, pkt_mark, the tunnel (only with a tunnel destination, as
 * flow_extract reads it), ct_state/zone/mark/label, and the conntrack original tuple only when ct_state
 * names a connection (new, est, rel, rpl, snat, dnat: OVS's is_ct_valid, +inv does not undo it) and the
 * flow's dl_type is the packet's IP version. Registers and OpenFlow metadata start at zero, whatever
 * the flow says (recorded from OVS: fixtures/ovs-live/packet-metadata).
 */
export function flowFromPacket(meta: FlowKey, bytes: Uint8Array): FlowKey {
  const flow = newFlowKey();
  extractFlowKey(bytes, LINKTYPE.ethernet, flow);
  for (const slot of PACKET_METADATA_SLOTS) flow.set(meta.subarray(K[slot], K[slot] + KSIZE[slot]), K[slot]);
  const tunnelDst =
    meta[K.tunDst] !== 0 || meta.subarray(K.tunIpv6Dst, K.tunIpv6Dst + 4).some((w) => w !== 0);
  if (tunnelDst) flow.set(meta.subarray(K.tunId, K.tunMetadata + 64), K.tunId);
  const dlType = meta[K.dlType];
  const valid = (meta[K.ctState] & (CS.new | CS.est | CS.rel | CS.rpl | CS.snat | CS.dnat)) !== 0;
  if (valid && (dlType === 0x0800 || dlType === 0x86dd) && flow[K.dlType] === dlType && meta[K.ctNwProto]) {
    for (const slot of ["ctNwProto", "ctTpSrc", "ctTpDst", "ctNwSrc", "ctNwDst"] as const)
      flow[K[slot]] = meta[K[slot]];
    flow.set(meta.subarray(K.ctIpv6Src, K.ctIpv6Src + 4), K.ctIpv6Src);
    flow.set(meta.subarray(K.ctIpv6Dst, K.ctIpv6Dst + 4), K.ctIpv6Dst);
  }
  return flow;
}

export function parseHexPacket(text: string): Uint8Array | string {
  const clean = text.replace(/\s+/g, "");
  if (!/^([0-9a-fA-F]{2})+$/.test(clean)) return "the packet must be an even number of hex digits";
  return Uint8Array.from(clean.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
}
