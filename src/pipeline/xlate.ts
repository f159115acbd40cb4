/**
 * Translation, after ofproto-dpif-xlate.c: table lookups (with resubmit depth and budget), the
 * action list walk, output to ports (patch ports continue in the peer bridge, tunnel ports set tunnel
 * metadata), flooding and the action set. Each action's own semantics live in execute.ts; NORMAL in
 * normal.ts; tunnel encapsulation in tunnel.ts.
 */

import type { Action } from "../model/actions/index.js";
import { ACTIONS, formatAction } from "../model/actions/index.js";
import { copyFlowKey, type FlowKey, FRAG_ANY, K, newFlowKey, OFPP } from "../model/layout.js";
import { formatMatch } from "../model/match.js";
import type { ClassifiedFlow, TableLine } from "./classifier.js";
import { commitActions } from "./commit.js";
import {
  type ActionRunner,
  MAX_DEPTH,
  MAX_RESUBMITS,
  type OutputRecord,
  type Translator,
  type XlateContext,
} from "./context.js";
import { EXECUTORS } from "./execute.js";
import { borrowKey, releaseKey } from "./key-pool.js";
import { mirrorSnaplen } from "./mirror.js";
import { mirrorAt, xlateNormal } from "./normal.js";
import { odpBytes } from "./odp-size.js";
import type { SimPort } from "./switch.js";
import { patchPeer } from "./switch.js";
import type { TraceStep } from "./trace-tree.js";
import { kernelTunnelSend, nativeTunnelOutput, terminateNativeTunnel } from "./tunnel.js";

/** Fields a patch port resets: the peer bridge sees a fresh pipeline. */
function clearForPatch(ctx: XlateContext, inPort: number): void {
  const f = ctx.flow;
  f[K.inPort] = inPort;
  f.fill(0, K.metadata, K.metadata + 2);
  f.fill(0, K.tunId, K.tunMetadata + 64);
  f.fill(0, K.regs, K.regs + 16);
  f[K.actsetOutput] = 0;
  ctx.clearConntrack();
}

/**
 * Whether the datapath actions composed so far pass 64 kB, as OVS's check sees its one buffer (the
 * current list and those it is nested in). Every lookup asks, and sizing an action parses its text, so a
 * bound comes first: no action is more than 8 bytes per character it prints with its comma (an output,
 * "1", is 8 bytes; odp-size.test.ts holds every action to it), so lists under 8 kB of text are far from
 * the limit (an open clone header, 4 bytes, counts as one character). Only loops come near it.
 */
function overActionLimit(ctx: XlateContext): boolean {
  let chars = ctx.openClones;
  for (const a of ctx.odp) chars += a.length + 1;
  for (const l of ctx.odpOuter) for (const a of l) chars += a.length + 1;
  if (8 * chars <= 0xffff) return false;
  let bytes = odpBytes(ctx.odp) + 4 * ctx.openClones;
  for (const l of ctx.odpOuter) bytes += odpBytes(l);
  return bytes > 0xffff;
}

function resourceCheck(ctx: XlateContext): boolean {
  if (ctx.depth >= MAX_DEPTH) {
    ctx.report("error", `over max translation depth ${MAX_DEPTH}`);
    ctx.error = "Recursion too deep";
    return false;
  }
  if (ctx.resubmits >= MAX_RESUBMITS) {
    ctx.report("error", `over ${MAX_RESUBMITS} resubmit actions`);
    ctx.error = "Too many resubmits";
    return false;
  }
  if (overActionLimit(ctx)) {
    ctx.report("error", "resubmits yielded over 64 kB of actions");
    // Not an error to OVS: it ends this action list (ctx->exit) and slow-paths the flow.
    ctx.exit = true;
    return false;
  }
  return true;
}

/**
 * A matched flow's line as a trace prints it (` 4. tun_id=0x64, priority 1, cookie 0x…`), formatted once
 * per flow and table: the same flows serve every packet of a replay.
 */
function tableLine(cf: ClassifiedFlow, tableId: number): TableLine {
  const known = cf.traceLine;
  if (known?.table === tableId) return known;
  const flow = cf.flow;
  const match = formatMatch({ ...flow.match, priority: undefined });
  let text = `${String(tableId).padStart(2)}. ${match}${match ? ", " : ""}priority ${flow.priority}`;
  if (flow.cookie !== 0n) text += `, cookie 0x${flow.cookie.toString(16)}`;
  cf.traceLine = { table: tableId, match, text };
  return cf.traceLine;
}

function stepOf(ctx: XlateContext, cf: ClassifiedFlow, line: TableLine, ties: TraceStep["ties"]): TraceStep {
  const flow = cf.flow;
  return {
    host: ctx.host.name,
    bridge: ctx.bridge.name,
    table: line.table,
    priority: flow.priority,
    cookie: flow.cookie,
    file: flow.file,
    line: flow.line,
    match: line.match,
    actions: flow.actionsText,
    ties,
  };
}

/** An action as the trace prints it, formatted once per parsed action (actions are never mutated). */
const actionTexts = new WeakMap<Action, string>();
function actionText(a: Action): string {
  let t = actionTexts.get(a);
  if (t === undefined) {
    t = formatAction(a);
    actionTexts.set(a, t);
  }
  return t;
}

/**
 * The key of this lookup, kept on its table node for the explainer. Only the pass's latest lookup keeps
 * one (the drop explainer reads the last), so one buffer per pass serves every lookup.
 */
function keepLookupKey(ctx: XlateContext, f: FlowKey): FlowKey {
  if (ctx.keyNode) ctx.keyNode.key = undefined;
  ctx.keyNode = undefined;
  ctx.keyBuffer ??= newFlowKey();
  ctx.keyBuffer.set(f);
  return ctx.keyBuffer;
}

/**
 * Looks up `tableId` with `inPort` as the input port and runs the winner's actions, as
 * xlate_table_action does. A miss reports `No match.` and drops: offline there is no controller to
 * send a packet-in to, which is what OVS does for every miss in that case.
 */
export function xlateTable(
  ctx: XlateContext,
  inPort: number,
  tableId: number,
  isLast: boolean,
  run: ActionRunner = doActions,
  withCtOrig = false,
  topLevel = false,
): void {
  // The pass's own first lookup is xlate_actions' (rule_dpif_lookup_from_table), not a resubmit: it
  // neither deepens the recursion nor spends the resubmit budget.
  if (!topLevel && !resourceCheck(ctx)) return;
  const oldTable = ctx.tableId;
  ctx.tableId = tableId;
  const f = ctx.flow;
  if (withCtOrig && (f[K.ctNwProto] === 0 || (f[K.dlType] !== 0x0800 && f[K.dlType] !== 0x86dd))) {
    ctx.report("error", "resubmit(ct) with non-tracked or non-IP packet!");
    ctx.tableId = oldTable;
    return;
  }
  if (withCtOrig) swapCtTuple(ctx);
  const oldInPort = f[K.inPort];
  const oldTpSrc = f[K.tpSrc];
  const oldTpDst = f[K.tpDst];
  f[K.inPort] = inPort;
  // Fragment handling "normal": a fragment's transport ports are not looked at.
  if (f[K.nwFrag] & FRAG_ANY) {
    f[K.tpSrc] = 0;
    f[K.tpDst] = 0;
  }
  const table = ctx.bridge.classifier.tables.get(tableId);
  const hit = table?.lookup(f, ctx.megaflow);
  const lookupKey = keepLookupKey(ctx, f);
  f[K.inPort] = oldInPort;
  f[K.tpSrc] = oldTpSrc;
  f[K.tpDst] = oldTpDst;
  if (withCtOrig) swapCtTuple(ctx);
  const oldTrace = ctx.trace;
  const deepens = !topLevel && tableId <= oldTable;
  if (!topLevel) ctx.resubmits++;
  ctx.depth += deepens ? 1 : 0;
  if (hit) {
    const flow = hit.flow.flow;
    ctx.executed?.push(flow);
    const line = tableLine(hit.flow, tableId);
    const node = ctx.report("table", line.text);
    // A flow belongs to one bridge's classifier, so without ties its step is the same for every packet
    // (made again should a flow object ever serve another bridge).
    const known = line.step;
    if (hit.ties.length === 0 && known?.host === ctx.host.name && known.bridge === ctx.bridge.name)
      node.step = known;
    else if (hit.ties.length === 0) node.step = line.step = stepOf(ctx, hit.flow, line, []);
    else
      node.step = stepOf(
        ctx,
        hit.flow,
        line,
        hit.ties.map((t) => ({ file: t.flow.file, line: t.flow.line })),
      );
    ctx.keyNode = node;
    node.key = lookupKey;
    ctx.trace = node.subs;
    const oldRule = ctx.rule;
    ctx.rule = hit.flow;
    run(ctx, flow.actions, isLast);
    ctx.rule = oldRule;
  } else {
    // The internal miss rule OVS runs here is no table-miss rule of the flow table (it has a match).
    const oldRule = ctx.rule;
    ctx.rule = undefined;
    // Outside the traced bridge, the miss rule OVS falls back to is printed as the flow it is.
    const miss = ctx.bridge.name === ctx.traceBridge ? "No match." : "reg0=0x2, priority 0";
    const node = ctx.report("table", `${String(tableId).padStart(2)}. ${miss}`);
    node.step = { host: ctx.host.name, bridge: ctx.bridge.name, table: tableId, ties: [] };
    ctx.keyNode = node;
    node.key = lookupKey;
    ctx.trace = node.subs;
    run(ctx, [], isLast);
    ctx.rule = oldRule;
  }
  ctx.depth -= deepens ? 1 : 0;
  ctx.trace = oldTrace;
  ctx.tableId = oldTable;
}

/** rule_is_table_miss(): priority 0 and a catch-all match (every bit of the mask wildcarded). */
export function isTableMissRule(cf: ClassifiedFlow): boolean {
  return cf.flow.priority === 0 && cf.match.mask.every((w) => w === 0);
}

function swapCtTuple(ctx: XlateContext): void {
  const f = ctx.flow;
  const swap = (a: number, b: number, n: number) => {
    for (let i = 0; i < n; i++) {
      const t = f[a + i];
      f[a + i] = f[b + i];
      f[b + i] = t;
    }
  };
  swap(K.nwProto, K.ctNwProto, 1);
  if (f[K.dlType] === 0x0800) {
    swap(K.nwSrc, K.ctNwSrc, 1);
    swap(K.nwDst, K.ctNwDst, 1);
  } else {
    swap(K.ipv6Src, K.ctIpv6Src, 4);
    swap(K.ipv6Dst, K.ctIpv6Dst, 4);
  }
  swap(K.tpSrc, K.ctTpSrc, 1);
  swap(K.tpDst, K.ctTpDst, 1);
}

/** Walks an action list (do_xlate_actions): each action is reported, then executed. */
export function doActions(ctx: XlateContext, actions: readonly Action[], isLast: boolean): void {
  if (actions.length === 0) {
    ctx.report("action", "drop");
    return;
  }
  for (let i = 0; i < actions.length; i++) {
    if (ctx.error || ctx.exit) break;
    const a = actions[i];
    const last = isLast && i === actions.length - 1 && ctx.actionSet.length === 0;
    ctx.report("action", actionText(a));
    const stop = EXECUTORS[a.type](ctx, a as never, last);
    if (stop === "stop") return;
  }
}

/** Runs the action set written by write_actions, in OpenFlow's order, at the end of the pipeline. */
export function runActionSet(ctx: XlateContext): void {
  if (ctx.actionSet.length === 0) return;
  const order = (a: Action): number => ACTIONS[a.type].actionSetOrder;
  const set = [...ctx.actionSet].sort((a, b) => order(a) - order(b));
  ctx.actionSet = [];
  const node = ctx.report("table", "--. Executing action set:");
  const old = ctx.trace;
  ctx.trace = node.subs;
  doActions(ctx, set, true);
  ctx.trace = old;
}

/** xlate_output_action: the reserved ports, and the skip of output to the input port. */
export function outputAction(ctx: XlateContext, port: number, isLast: boolean): void {
  const inPort = ctx.flow[K.inPort];
  switch (port) {
    case OFPP.inPort:
      composeOutput(ctx, inPort, isLast);
      return;
    case OFPP.table:
      xlateTable(ctx, inPort, 0, false);
      return;
    case OFPP.normal:
      xlateNormal(ctx);
      return;
    case OFPP.flood:
    case OFPP.all:
      flood(ctx, port === OFPP.all, isLast);
      return;
    case OFPP.controller:
      controllerAction(ctx, 65535, "action");
      return;
    case OFPP.none:
      return;
    default:
      if (port !== inPort) composeOutput(ctx, port, isLast);
      else ctx.report("warn", "skipping output to input port");
  }
}

/**
 * A packet-in: `userspace(controller(...))`. OVS sets dont_send when the translation may have no side
 * effects (a trace of a flow alone); a trace given a packet has them, so dont_send=0 (its recirc_id is
 * the daemon's).
 */
export function controllerAction(ctx: XlateContext, maxLen: number, reason: string, id = 0): void {
  commitActions(ctx.flow, ctx.base, ctx.odp, ctx.wc);
  // xlate_controller_action(): an OFPR_ACTION packet-in sent by a table-miss rule is an explicit miss.
  const rule = ctx.rule;
  const tableMiss = rule !== undefined && isTableMissRule(rule);
  const code = reason === "action" && tableMiss ? EXPLICIT_MISS : (REASONS[reason] ?? 1);
  const ruleCookie = rule?.flow.cookie ?? 0n;
  const cookie = ruleCookie === 0n ? "0" : `0x${ruleCookie.toString(16)}`;
  ctx.odp.push(
    `userspace(pid=0,controller(reason=${code},dont_send=${ctx.sideEffects ? 0 : 1},continuation=0,recirc_id=1,rule_cookie=${cookie},controller_id=${id},max_len=${maxLen}))`,
  );
  ctx.outputs.push({
    host: ctx.host.name,
    bridge: ctx.bridge.name,
    port: "CONTROLLER",
    ofport: OFPP.controller,
    flow: copyFlowKey(ctx.flow),
  });
}
const REASONS: Record<string, number> = { no_match: 0, action: 1, invalid_ttl: 2 };
/** OFPR_EXPLICIT_MISS, OVS's own reason (not on the wire) in enum ofp_packet_in_reason. */
const EXPLICIT_MISS = 6;

function flood(ctx: XlateContext, all: boolean, isLast: boolean): void {
  const inPort = ctx.flow[K.inPort];
  const ports = [...ctx.bridge.ports.values()].filter((p) => p.ofport !== inPort && (all || !p.noFlood));
  for (const [i, p] of ports.entries()) composeOutput(ctx, p.ofport, isLast && i === ports.length - 1);
}

/** compose_output_action__: output to one OpenFlow port of the current bridge. */
export function composeOutput(ctx: XlateContext, ofport: number, isLast: boolean): void {
  const port = ctx.bridge.ports.get(ofport);
  if (!port) {
    ctx.report("warn", "Nonexistent output port");
    return;
  }
  if (port.noFwd) {
    ctx.report("detail", "OFPPC_NO_FWD set, skipping output");
    return;
  }
  if (port.type === "patch") {
    const peer = patchPeer(ctx.host, port);
    if (peer) patchOutput(ctx, peer, isLast);
    else ctx.report("warn", `patch port ${port.name} has no peer on this host`);
    return;
  }
  if (port.tunnel) {
    // A tunnel output sets the tunnel metadata for this output only: the flow is restored after it.
    const saved = borrowKey(ctx.flow);
    if (ctx.host.tunnelStyle === "native") nativeTunnelOutput(ctx, port, isLast);
    else {
      const tunnel = kernelTunnelSend(ctx, port);
      if (tunnel) {
        commitActions(ctx.flow, ctx.base, ctx.odp, ctx.wc);
        ctx.odp.push(String(port.dpPort ?? ofport));
        recordOutput(ctx, port, tunnel);
      }
    }
    ctx.flow.set(saved);
    releaseKey(saved);
  } else {
    // Nothing here changes the flow (commit brings the datapath's copy, the base, up to it).
    commitActions(ctx.flow, ctx.base, ctx.odp, ctx.wc);
    const pop = ctx.host.tunnelStyle === "native" ? terminateNativeTunnel(ctx, port) : undefined;
    // A mirror's snaplen truncates the mirror copy only: trunc() applies to the next output.
    const snaplen = mirrorSnaplen(ctx);
    if (snaplen > 0) ctx.odp.push(`trunc(${snaplen})`);
    ctx.odp.push(pop !== undefined ? `tnl_pop(${pop})` : String(port.dpPort ?? ofport));
    recordOutput(ctx, port);
  }
  mirrorAt(ctx, port, "dst");
}

export function recordOutput(ctx: XlateContext, port: SimPort, tunnel?: OutputRecord["tunnel"]): void {
  const rec: OutputRecord = {
    host: ctx.host.name,
    bridge: ctx.bridge.name,
    port: port.name,
    ofport: port.ofport,
    flow: copyFlowKey(ctx.flow),
  };
  if (port.dpPort !== undefined) rec.dpPort = port.dpPort;
  if (tunnel) rec.tunnel = tunnel;
  ctx.outputs.push(rec);
}

/**
 * patch_port_output: the peer bridge runs from table 0 with in_port = the peer; its changes are not
 * seen by the caller afterwards (the flow is restored), but what it committed to the datapath is.
 */
export function patchOutput(ctx: XlateContext, peer: SimPort, isLast: boolean): void {
  const savedFlow = borrowKey(ctx.flow);
  const savedBridge = ctx.bridge;
  const savedTrace = ctx.trace;
  const savedStack = ctx.stack;
  const savedSet = ctx.actionSet;
  const savedConntracked = ctx.conntracked;
  ctx.stack = ctx.stack.slice();
  ctx.actionSet = [];
  clearForPatch(ctx, peer.ofport);
  const node = ctx.report("bridge", `bridge("${peer.bridge}")`);
  ctx.trace = node.subs;
  const next = ctx.host.bridges.get(peer.bridge);
  if (next) {
    ctx.bridge = next;
    xlateTable(ctx, peer.ofport, 0, isLast, cloneActions);
  }
  ctx.trace = savedTrace;
  ctx.bridge = savedBridge;
  ctx.flow.set(savedFlow);
  releaseKey(savedFlow);
  ctx.stack = savedStack;
  ctx.actionSet = savedSet;
  ctx.conntracked = savedConntracked;
  ctx.exit = false;
  ctx.error = undefined;
}

/**
 * clone_xlate_actions: run actions on a copy of the packet. Reversible actions are translated in
 * line (the flow is restored afterwards); others, unless last, inside a datapath clone(...).
 */
export function cloneActions(ctx: XlateContext, actions: readonly Action[], isLast: boolean): void {
  const savedFlow = borrowKey(ctx.flow);
  const savedStack = ctx.stack;
  const savedSet = ctx.actionSet;
  // Copies, so that what the clone pushes stays in the clone (slice: a spread iterates, slower).
  ctx.stack = ctx.stack.slice();
  ctx.actionSet = ctx.actionSet.slice();
  if (isLast || allReversible(actions)) {
    doActions(ctx, actions, isLast);
    runActionSet(ctx);
  } else {
    commitActions(ctx.flow, ctx.base, ctx.odp, ctx.wc);
    const savedBase = borrowKey(ctx.base);
    const savedConntracked = ctx.conntracked;
    // The datapath's tunnel metadata is part of the base flow OVS restores after a clone().
    const savedTunnel = ctx.committedTunnel;
    const outer = ctx.odp;
    ctx.odpOuter.push(outer);
    ctx.odp = [];
    ctx.openClones++;
    doActions(ctx, actions, true);
    runActionSet(ctx);
    ctx.openClones--;
    ctx.odpOuter.pop();
    if (ctx.odp.length > 0) outer.push(`clone(${ctx.odp.join(",")})`);
    ctx.odp = outer;
    ctx.base.set(savedBase);
    releaseKey(savedBase);
    ctx.conntracked = savedConntracked;
    ctx.committedTunnel = savedTunnel;
  }
  ctx.actionSet = savedSet;
  ctx.stack = savedStack;
  ctx.flow.set(savedFlow);
  releaseKey(savedFlow);
}

function allReversible(actions: readonly Action[]): boolean {
  for (const a of actions) if (!ACTIONS[a.type].reversible) return false;
  return true;
}

/** The translator the executors reach through their context (see Translator in context.ts). */
export const TRANSLATOR: Translator = {
  xlateTable,
  doActions,
  cloneActions,
  outputAction,
  controllerAction,
  composeOutput,
  patchOutput,
  recordOutput,
};
