/**
 * Translation, after ofproto-dpif-xlate.c: table lookups (with resubmit depth and budget), the
 * action list walk, output to ports (patch ports continue in the peer bridge, tunnel ports set tunnel
 * metadata), flooding and the action set. Each action's own semantics live in execute.ts; NORMAL in
 * normal.ts; tunnel encapsulation in tunnel.ts.
 */

import type { Action, ActionOf } from "../model/actions/index.js";
import { ACTIONS, formatAction } from "../model/actions/index.js";
import { writeSubfield } from "../model/field-access.js";
import { copyFlowKey, type FlowKey, FRAG_ANY, K, OFPP } from "../model/layout.js";
import { formatMatch } from "../model/match.js";
import type { ClassifiedFlow, TableLine } from "./classifier.js";
import { commitPacket } from "./commit.js";
import {
  type ActionRunner,
  joinOdp,
  MAX_DEPTH,
  MAX_RESUBMITS,
  NO_ACTIONS,
  type OdpList,
  type OutputRecord,
  type Translator,
  type XlateContext,
} from "./context.js";
import { type AnyExecutor, EXECUTOR_OF, EXECUTORS } from "./execute.js";
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
  // Short ranges word by word: each fill() is a builtin call that costs more than the stores.
  f[K.metadata] = 0;
  f[K.metadata + 1] = 0;
  f.fill(0, K.tunId, K.tunMetadata + 64);
  for (let i = K.regs; i < K.regs + 16; i++) f[i] = 0;
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
  const chars = ctx.openClones + odpChars(ctx.odp) + outerChars(ctx.odpOuter);
  if (8 * chars <= 0xffff) return false;
  let bytes = odpBytes(ctx.odp) + 4 * ctx.openClones;
  for (const l of ctx.odpOuter) bytes += odpBytes(l);
  return bytes > 0xffff;
}

/**
 * The characters of a datapath action list with their commas, counted on from where the last count of
 * the same list stopped: a list only grows while it is composed (trace() rewrites its last action once
 * the pass is over), and each lookup of a pass asks for the list it is composing.
 */
let countedList: OdpList | undefined;
let countedItems = 0;
let countedChars = 0;
function odpChars(list: OdpList): number {
  if (list !== countedList || list.length < countedItems) {
    countedList = list;
    countedItems = 0;
    countedChars = 0;
  }
  for (let i = countedItems; i < list.length; i++) countedChars += list[i].length + 1;
  countedItems = list.length;
  return countedChars;
}

/**
 * The characters of the lists the current one is nested in, counted again only when the innermost of
 * them changed or grew: none is written while it is nested (only the current list is), and one popped
 * off is never nested again but as the list it was (see nestedActions and the tunnel push).
 */
let outerTop: OdpList | undefined;
let outerDepth = 0;
let outerTopItems = 0;
let outerCount = 0;
function outerChars(outer: OdpList[]): number {
  const depth = outer.length;
  if (depth === 0) return 0;
  const top = outer[depth - 1];
  if (top === outerTop && depth === outerDepth && top.length === outerTopItems) return outerCount;
  let chars = 0;
  for (const l of outer) for (const a of l) chars += a.length + 1;
  outerTop = top;
  outerDepth = depth;
  outerTopItems = top.length;
  outerCount = chars;
  return chars;
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
  // Nothing composed yet (a goto_table chain's lookups, most of a pipeline's): far from the limit.
  if ((ctx.odp.length !== 0 || ctx.odpOuter.length !== 0 || ctx.openClones !== 0) && overActionLimit(ctx)) {
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
 * one (the drop explainer reads the last), so one buffer per pass serves every lookup. A lookup reached
 * from the previous one by goto_table/resubmit alone (`keyFresh`: nothing wrote the packet since that
 * key was copied) keeps the buffer as it is when the words the lookup itself sets (the input port, a
 * fragment's transport ports) are the same: a chain of tables costs one copy of the key, not one each.
 */
function keepLookupKey(ctx: XlateContext, f: FlowKey, reusable: boolean): FlowKey | undefined {
  if (ctx.keyNode) ctx.keyNode.key = undefined;
  ctx.keyNode = undefined;
  // A lean pass copies no key here: the packet itself is the key until it is written or let go (its
  // node gets the key then, see XlateContext.keyLive).
  if (ctx.lean && reusable) {
    ctx.keyLive = f;
    ctx.keyInPort = f[K.inPort];
    ctx.keyTpSrc = f[K.tpSrc];
    ctx.keyTpDst = f[K.tpDst];
    return undefined;
  }
  ctx.keyLive = undefined;
  const kept = ctx.keyBuffer;
  if (
    kept &&
    reusable &&
    ctx.keyFresh &&
    kept[K.inPort] === f[K.inPort] &&
    kept[K.tpSrc] === f[K.tpSrc] &&
    kept[K.tpDst] === f[K.tpDst]
  )
    return kept;
  if (kept) kept.set(f);
  // A lean pass's buffer is pooled: trace() settles which pass keeps a key of its own (keepDropKey).
  const buffer = kept ?? (ctx.lean ? borrowKey(f) : copyFlowKey(f));
  ctx.keyBuffer = buffer;
  // A lookup with the conntrack tuple swapped in (resubmit(ct)) keeps a key the packet does not have.
  ctx.keyFresh = reusable;
  return buffer;
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
  if (ctx.wasMpls) {
    mplsRecirculation(ctx);
    return;
  }
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
  // rule_dpif_lookup_from_table: with fragment handling "drop" a fragment is not looked up but meets
  // ofproto-dpif's drop_frags_rule (no actions), printed in the table's place.
  const frag = f[K.nwFrag] & FRAG_ANY ? ctx.bridge.fragHandling : "nx-match";
  if (withCtOrig) swapCtTuple(ctx);
  const oldInPort = f[K.inPort];
  const oldTpSrc = f[K.tpSrc];
  const oldTpDst = f[K.tpDst];
  f[K.inPort] = inPort;
  // Fragment handling "normal": a fragment's transport ports are not looked at.
  if (frag === "normal") {
    f[K.tpSrc] = 0;
    f[K.tpDst] = 0;
  }
  const table = frag === "drop" ? undefined : ctx.bridge.classifier.tables.byId[tableId];
  const hit = table?.lookup(f, ctx.megaflow);
  const lookupKey = keepLookupKey(ctx, f, !withCtOrig);
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
    if (hit.ties.length === 0 && known !== undefined && line.stepBridge === ctx.bridge) node.step = known;
    else if (hit.ties.length === 0) {
      node.step = line.step = stepOf(ctx, hit.flow, line, []);
      line.stepBridge = ctx.bridge;
    } else
      node.step = stepOf(
        ctx,
        hit.flow,
        line,
        hit.ties.map((t) => ({ file: t.flow.file, line: t.flow.line })),
      );
    ctx.keyNode = node;
    node.key = lookupKey;
    ctx.trace = ctx.childrenOf(node);
    const oldRule = ctx.rule;
    ctx.rule = hit.flow;
    run(ctx, flow.actions, isLast);
    ctx.rule = oldRule;
  } else {
    // The internal miss rule OVS runs here is no table-miss rule of the flow table (it has a match).
    const oldRule = ctx.rule;
    ctx.rule = undefined;
    // Outside the traced bridge, the miss rule OVS falls back to is printed as the flow it is.
    const miss =
      frag === "drop"
        ? 'Packets are IP fragments and the fragment handling mode is "drop".'
        : ctx.bridge.name === ctx.traceBridge
          ? "No match."
          : "reg0=0x2, priority 0";
    const node = ctx.report("table", `${String(tableId).padStart(2)}. ${miss}`);
    node.step = { host: ctx.host.name, bridge: ctx.bridge.name, table: tableId, ties: [] };
    ctx.keyNode = node;
    node.key = lookupKey;
    ctx.trace = ctx.childrenOf(node);
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
    if (ctx.wasMpls && readsUnderMpls(a)) {
      mplsRecirculation(ctx);
      break;
    }
    const last = isLast && i === actions.length - 1 && ctx.actionSet.length === 0;
    // A lean translation keeps no action lines: not even the text's lookup.
    if (!ctx.lean) ctx.report("action", actionText(a));
    // goto_table and resubmit neither write the packet nor run anything that does but the lookup they
    // ask for (which copies the key itself when it must): across them the lookup key stays the packet's.
    // Any other action may write the packet, before a lookup it runs or after (see keepLookupKey).
    // The type is read once: actions come in many shapes, so each read of it is a megamorphic load.
    const type = a.type;
    const keepsKey = type === "gotoTable" || type === "resubmit";
    if (!keepsKey) {
      ctx.keyFresh = false;
      // An output leaves the packet as it found it (NORMAL and the VLAN of an output put it back; a
      // patch peer and a tunnel work on copies): a live lookup key stays live across it.
      if (type !== "output" && ctx.keyLive) ctx.liveKeyWritten();
    }
    // goto_table, the most common action of a pipeline, goes straight to the lookup (its executor does
    // the same through the context's translator): EXECUTORS[type] is read with many keys, a slow load
    // (the others are found in EXECUTOR_OF, a Map).
    if (type === "gotoTable") {
      xlateTable(ctx, ctx.flow[K.inPort], (a as ActionOf<"gotoTable">).table, last);
      continue;
    }
    // The next most common, resubmit and output, by name: a load V8 folds, not the keyed one.
    const stop =
      type === "resubmit"
        ? EXECUTORS.resubmit(ctx, a as ActionOf<"resubmit">, last, actions, i)
        : type === "output"
          ? EXECUTORS.output(ctx, a as ActionOf<"output">, last, actions, i)
          : (EXECUTOR_OF.get(type) as AnyExecutor)(ctx, a, last, actions, i);
    if (!keepsKey) ctx.keyFresh = false;
    if (stop === "stop") return;
  }
}

/**
 * recirc_for_mpls: after the last label is popped, the actions that need no more than the Ethernet
 * header (outputs, VLAN and Ethernet sets, tunnel and queue settings, groups, set_field/load below L3)
 * go on; any other makes OVS recirculate the packet to parse its IP header.
 */
function readsUnderMpls(a: Action): boolean {
  switch (a.type) {
    case "output":
    case "outputTrunc":
    case "enqueue":
    case "outputReg":
    case "setVlanVid":
    case "setVlanPcp":
    case "setEthSrc":
    case "setEthDst":
    case "setTunnel":
    case "setQueue":
    case "group":
      return false;
    case "setField":
      return K[a.field.slot] >= K.nwSrc;
    case "load":
      return K[a.dst.field.slot] >= K.nwSrc;
    default:
      return true;
  }
}

/**
 * ctx_trigger_freeze: OVS commits what it has, recirculates the popped packet (`recirc(0xN)`) and ends
 * the translation; ofproto/trace stops there too. The pass it resumes (the rest of the actions, now
 * over the IP header) is not modelled, so the trace says so by name.
 */
function mplsRecirculation(ctx: XlateContext): void {
  commitPacket(ctx);
  ctx.odp.push(`recirc(0x${(ctx.recirc.length + 1 + ctx.recircBase).toString(16)})`);
  ctx.reportUnmodelled("recirculation after pop_mpls", "is");
  ctx.exit = true;
}

/** Runs the action set written by write_actions, in OpenFlow's order, at the end of the pipeline. */
export function runActionSet(ctx: XlateContext): void {
  if (ctx.actionSet.length === 0) return;
  const order = (a: Action): number => ACTIONS[a.type].actionSetOrder;
  const set = [...ctx.actionSet].sort((a, b) => order(a) - order(b));
  ctx.actionSet = NO_ACTIONS;
  const node = ctx.report("table", "--. Executing action set:");
  const old = ctx.trace;
  ctx.trace = ctx.childrenOf(node);
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
export function controllerAction(
  ctx: XlateContext,
  maxLen: number,
  reason: string,
  id = 0,
  meterId?: number,
): void {
  if (meterId !== undefined) ctx.recordMeter(meterId);
  commitPacket(ctx);
  // xlate_controller_action(): an OFPR_ACTION packet-in sent by a table-miss rule is an explicit miss.
  const rule = ctx.rule;
  const tableMiss = rule !== undefined && isTableMissRule(rule);
  const code = reason === "action" && tableMiss ? EXPLICIT_MISS : (REASONS[reason] ?? 1);
  const ruleCookie = rule?.flow.cookie ?? 0n;
  const cookie = ruleCookie === 0n ? "0" : `0x${ruleCookie.toString(16)}`;
  const userspace = `userspace(pid=0,controller(reason=${code},dont_send=${ctx.sideEffects ? 0 : 1},continuation=0,recirc_id=1,rule_cookie=${cookie},controller_id=${id},max_len=${maxLen}))`;
  // A controller action with a meter (OVN's rate-limited ACL logs): the meter and the packet-in run in
  // an always-taken sample, as OVS nests them; the meter's datapath id is its OpenFlow id here (the
  // datapath's own is allocated at run time and in no dump).
  ctx.odp.push(
    meterId === undefined ? userspace : `sample(sample=100.0%,actions(meter(${meterId}),${userspace}))`,
  );
  ctx.addOutput({
    host: ctx.host.name,
    bridge: ctx.bridge.name,
    port: "CONTROLLER",
    ofport: OFPP.controller,
    simPort: undefined,
    dpPort: undefined,
    tunnel: undefined,
    flow: ctx.outputFlow(),
    underlay: undefined,
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
    // A tunnel output sets the tunnel metadata for this output only: it works on a copy of the packet
    // (see saveState for why a copy, not the packet itself).
    const saved = ctx.flow;
    ctx.flow = borrowKey(saved);
    if (ctx.host.tunnelStyle === "native") nativeTunnelOutput(ctx, port, isLast);
    else {
      const tunnel = kernelTunnelSend(ctx, port);
      if (tunnel) {
        commitPacket(ctx);
        ctx.odp.push(port.dpText);
        recordOutput(ctx, port, tunnel);
      }
    }
    ctx.letGo(ctx.flow);
    ctx.flow = saved;
    ctx.keyFresh = false;
  } else {
    // Nothing here changes the flow (commit brings the datapath's copy, the base, up to it).
    commitPacket(ctx);
    const pop = ctx.host.tunnelStyle === "native" ? terminateNativeTunnel(ctx, port) : undefined;
    // A mirror's snaplen truncates the mirror copy only: trunc() applies to the next output.
    const snaplen = mirrorSnaplen(ctx);
    if (snaplen > 0) ctx.odp.push(`trunc(${snaplen})`);
    ctx.odp.push(pop !== undefined ? `tnl_pop(${pop})` : port.dpText);
    recordOutput(ctx, port);
  }
  mirrorAt(ctx, port, "dst");
}

export function recordOutput(
  ctx: XlateContext,
  port: SimPort,
  tunnel?: OutputRecord["tunnel"],
  flow?: FlowKey,
): void {
  // Every field present (absent ones undefined): records share one shape, read for every frame.
  ctx.addOutput({
    host: ctx.host.name,
    bridge: ctx.bridge.name,
    port: port.name,
    ofport: port.ofport,
    simPort: port,
    dpPort: port.dpPort,
    tunnel,
    flow: flow ?? ctx.outputFlow(),
    underlay: undefined,
  });
}

/**
 * patch_port_output: the peer bridge runs from table 0 with in_port = the peer; its changes are not
 * seen by the caller afterwards (the flow is restored), but what it committed to the datapath is.
 * `scratchPacket`: the caller's packet is a copy it throws away afterwards (a native tunnel's outer
 * packet, which compose_output restores from its own copy), so the peer works on it in place and only
 * the rest of the state is put back: one whole copy of the key less per tunnel output.
 */
export function patchOutput(ctx: XlateContext, peer: SimPort, isLast: boolean, scratchPacket = false): void {
  // The state saveState saves, in locals: a patch crossing is the commonest nested translation.
  const flow = ctx.flow;
  if (!scratchPacket) ctx.flow = borrowKey(flow);
  // The peer writes the packet in place (clearForPatch): not a live lookup key's (none is: a tunnel's
  // scratch packet is made after the lookup that output to it).
  else if (ctx.keyLive === flow) ctx.liveKeyWritten();
  const stack = ctx.stack;
  const stackOwned = ctx.stackOwned;
  const actionSet = ctx.actionSet;
  const conntracked = ctx.conntracked;
  const wasMpls = ctx.wasMpls;
  const savedBridge = ctx.bridge;
  const savedTrace = ctx.trace;
  // What the peer pushes stays there: its stack is a copy once it pushes or pops (ownStack).
  ctx.stackOwned = false;
  ctx.actionSet = NO_ACTIONS;
  clearForPatch(ctx, peer.ofport);
  const next = ctx.host.bridges.get(peer.bridge);
  const node = ctx.report("bridge", next ? next.title : `bridge("${peer.bridge}")`);
  ctx.trace = ctx.childrenOf(node);
  if (next) {
    ctx.bridge = next;
    xlateTable(ctx, peer.ofport, 0, isLast, patchedActions);
  }
  ctx.trace = savedTrace;
  ctx.bridge = savedBridge;
  putBack(ctx, flow, stack, stackOwned, actionSet, conntracked, wasMpls);
  ctx.exit = false;
  ctx.error = undefined;
}

/**
 * What a nested translation (a patch port's peer, a datapath clone's body, a check_pkt_len branch) must
 * leave as it found it: the packet, the stack, the action set, whether it was conntracked and whether
 * its last MPLS label was popped (OVS saves the same around each).
 */
interface SavedState {
  flow: FlowKey;
  stack: XlateContext["stack"];
  stackOwned: boolean;
  actionSet: readonly Action[];
  conntracked: boolean;
  wasMpls: boolean;
}

/**
 * The nested translation works on a copy of the packet and the caller's packet is put back afterwards,
 * rather than the packet saved and copied back: one whole copy of the key instead of two. Callers that
 * hold the packet (`const f = ctx.flow`) across a nested translation find it as it was.
 */
function saveState(ctx: XlateContext): SavedState {
  const flow = ctx.flow;
  ctx.flow = borrowKey(flow);
  return {
    flow,
    stack: ctx.stack,
    stackOwned: ctx.stackOwned,
    actionSet: ctx.actionSet,
    conntracked: ctx.conntracked,
    wasMpls: ctx.wasMpls,
  };
}

function restoreState(ctx: XlateContext, s: SavedState): void {
  putBack(ctx, s.flow, s.stack, s.stackOwned, s.actionSet, s.conntracked, s.wasMpls);
}

/**
 * Puts back what a nested translation must leave as it found it (see SavedState), given as values:
 * patchOutput keeps them in locals, not in a SavedState object. The nested translation's packet, when
 * it had one of its own, is let go.
 */
function putBack(
  ctx: XlateContext,
  flow: FlowKey,
  stack: XlateContext["stack"],
  stackOwned: boolean,
  actionSet: readonly Action[],
  conntracked: boolean,
  wasMpls: boolean,
): void {
  if (ctx.flow !== flow) ctx.letGo(ctx.flow);
  ctx.flow = flow;
  ctx.keyFresh = false;
  ctx.stack = stack;
  ctx.stackOwned = stackOwned;
  ctx.actionSet = actionSet;
  ctx.conntracked = conntracked;
  ctx.wasMpls = wasMpls;
}

/**
 * clone_xlate_actions: run actions on a copy of the packet. Reversible actions are translated in
 * line (the flow is restored afterwards); others, unless last, inside a datapath clone(...).
 */
export function cloneActions(ctx: XlateContext, actions: readonly Action[], isLast: boolean): void {
  if (isLast || allReversible(actions)) {
    const saved = saveState(ctx);
    // What the clone pushes stays in the clone: its stack is a copy once it pushes or pops (ownStack);
    // the action set is only ever replaced, never changed in place.
    ctx.stackOwned = false;
    doActions(ctx, actions, isLast);
    runActionSet(ctx);
    restoreState(ctx, saved);
    return;
  }
  cloneInDatapath(ctx, actions);
}

/**
 * The peer bridge's first table, run as OVS runs it (clone_xlate_actions), without the in-line clone's
 * own save and restore: patchOutput saves and restores the same state (packet, stack, action set,
 * conntrack, MPLS) around it, and nothing in between reads it, so that would be two more whole copies
 * of the key for each patch crossing.
 */
function patchedActions(ctx: XlateContext, actions: readonly Action[], isLast: boolean): void {
  if (isLast || rulesActionsReversible(ctx.rule, actions)) {
    doActions(ctx, actions, isLast);
    runActionSet(ctx);
  } else cloneInDatapath(ctx, actions);
}

/** A clone whose actions are not all reversible: translated inside a datapath clone(...). */
function cloneInDatapath(ctx: XlateContext, actions: readonly Action[]): void {
  commitPacket(ctx);
  const body = nestedActions(ctx, () => {
    doActions(ctx, actions, true);
    runActionSet(ctx);
  });
  if (body.length > 0) ctx.odp.push(`clone(${joinOdp(body)})`);
}

/**
 * Translates `body` into a datapath action list of its own, to be nested in the current one (a clone's
 * body, a check_pkt_len branch): afterwards the packet, the datapath's copy of it (OVS's base flow, with
 * the tunnel metadata it holds), the stack, the action set and the conntrack state are as before.
 */
function nestedActions(ctx: XlateContext, body: () => void): OdpList {
  const saved = saveState(ctx);
  // The datapath's copy likewise: the body commits into a copy made when it first writes (ownBase),
  // and the caller's is put back as it was.
  const savedBase = ctx.base;
  const savedShared = ctx.baseShared;
  ctx.baseShared = true;
  const savedTunnel = ctx.committedTunnel;
  const outer = ctx.odp;
  ctx.stackOwned = false;
  ctx.enterOuter(outer);
  ctx.odp = [];
  ctx.openClones++;
  body();
  ctx.openClones--;
  ctx.leaveOuter();
  const inner = ctx.odp;
  ctx.odp = outer;
  restoreState(ctx, saved);
  if (!ctx.baseShared) releaseKey(ctx.base);
  ctx.base = savedBase;
  ctx.baseShared = savedShared;
  ctx.committedTunnel = savedTunnel;
  return inner;
}

/**
 * xlate_check_pkt_larger, for a datapath with check_pkt_len (every one ovspath models): the actions
 * after the check are translated twice, first with the destination bit set (the packet is larger than
 * `length`), then clear, each from the state before the check (flow, datapath copy, stack, action set,
 * conntrack), and composed into `check_pkt_len(size=N,gt(…),le(…))`; the list that held the check
 * ends there. Both branches are reported in the trace, one after the other, as OVS prints them.
 */
export function checkPktLarger(
  ctx: XlateContext,
  a: ActionOf<"checkPktLarger">,
  rest: readonly Action[],
): void {
  commitPacket(ctx);
  // A replay follows the packet: the branch its length does not select is composed but never run.
  const taken = ctx.lengthBranch && ctx.packetLength !== undefined ? ctx.packetLength > a.length : undefined;
  const branch = (larger: boolean): string => {
    const outputs = ctx.outputs.length;
    const recirc = ctx.recirc.length;
    const body = nestedActions(ctx, () => {
      writeSubfield(ctx.flow, a.dst, larger ? 1n : 0n);
      doActions(ctx, rest, true);
      if (!ctx.error) runActionSet(ctx);
    });
    if (taken !== undefined && taken !== larger) {
      if (ctx.outputs.length !== outputs) ctx.outputs.length = outputs;
      ctx.keepRecirc(recirc);
    }
    return body.length > 0 ? joinOdp(body) : "drop";
  };
  const gt = branch(true);
  // A branch that froze (a recirculation) ended its own actions only: the other is still translated.
  const exitAfterGt = ctx.exit;
  ctx.exit = false;
  const le = branch(false);
  ctx.exit = exitAfterGt;
  ctx.odp.push(`check_pkt_len(size=${a.length},gt(${gt}),le(${le}))`);
  if (taken !== undefined) {
    ctx.lengthNotes ??= [];
    ctx.lengthNotes.push(
      `${ctx.bridge.name} check_pkt_larger(${a.length}): ${ctx.packetLength} bytes, ${taken ? "larger (gt)" : "not larger (le)"}`,
    );
  }
}

/**
 * allReversible for the actions of the rule being run, remembered on the rule: patchedActions asks it
 * for every patch crossing, and each action's ACTIONS[type] is a megamorphic load.
 */
function rulesActionsReversible(rule: ClassifiedFlow | undefined, actions: readonly Action[]): boolean {
  if (rule === undefined || rule.flow.actions !== actions) return allReversible(actions);
  let reversible = rule.reversible;
  if (reversible === undefined) rule.reversible = reversible = allReversible(actions);
  return reversible;
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
  checkPktLarger,
};
