/**
 * The actions with state or structure beyond one field: ct (conntrack and recirculation), group
 * (buckets) and learn (flows added at run time).
 */

import type { FlowEntry } from "../dumps/flows.js";
import type { Action, ActionOf } from "../model/actions/index.js";
import { ACTIONS, formatActions } from "../model/actions/index.js";
import { readSubfield, writeSubfield } from "../model/field-access.js";
import { FIELD, readField } from "../model/fields.js";
import { copyFlowKey, K } from "../model/layout.js";
import { compileMatch, formatMatch, type Match } from "../model/match.js";
import { conjunctionsOf, Table } from "./classifier.js";
import { commitPacket } from "./commit.js";
import type { CtCall, RecircRequest, XlateContext } from "./context.js";
import { dpHashGroup } from "./dp-hash-group.js";
import { hashL4 } from "./flow-hash.js";
import { portMayEnable } from "./switch.js";
import { switchStateChanged } from "./switch-state.js";

/** compose_conntrack_action: exec actions first, then the ct() datapath action, then recirculation. */
export function executeCt(ctx: XlateContext, a: ActionOf<"ct">, isLast: boolean): void {
  const zone = typeof a.zone === "object" ? Number(readSubfield(ctx.flow, a.zone)) : (a.zone ?? 0);
  commitPacket(ctx);
  ctx.natSeen = undefined;
  const markBefore = ctx.wc[K.ctMark];
  ctx.wc[K.ctMark] = 0;
  ctx.wc.fill(0, K.ctLabel, K.ctLabel + 4);
  // OVS keeps nat among ct's nested actions, so the trace lists it there (and `drop` only when empty).
  ctx.xlate.doActions(ctx, a.nat ? [a.nat, ...a.exec] : a.exec, isLast);
  const mark = ctx.wc[K.ctMark] ? ctx.flow[K.ctMark] : undefined;
  const label = readField(ctx.wc, labelField) !== 0n ? ctx.flow.slice(K.ctLabel, K.ctLabel + 4) : undefined;
  const answer = ctx.conntrack?.execute(zone, ctx.flow, a.commit ?? false, mark, label);
  if (ctx.ctCalls) {
    const call: CtCall = { zone, flow: copyFlowKey(ctx.flow), commit: a.commit ?? false, mark, label };
    if (a.table !== undefined) call.resume = { bridge: ctx.bridge.name, table: a.table };
    ctx.ctCalls.push(call);
  }
  const parts: string[] = [];
  if (a.commit) parts.push(a.force ? "force_commit" : "commit");
  // OVS's odp printer leaves zone 0 out, and prints a bare `ct` when nothing else is set.
  if (zone !== 0) parts.push(`zone=${zone}`);
  if (ctx.wc[K.ctMark]) {
    const m = ctx.wc[K.ctMark];
    // OVS prints with C's %#x, which writes zero as a bare 0 (OVN commits mark=0/0x1).
    const v = ctx.flow[K.ctMark] & m;
    parts.push(`mark=${v === 0 ? "0" : `0x${v.toString(16)}`}/0x${m.toString(16)}`);
  }
  const labelMask = readField(ctx.wc, labelField);
  if (labelMask !== 0n) {
    const v = readField(ctx.flow, labelField) & labelMask;
    parts.push(`label=0x${v.toString(16)}/0x${labelMask.toString(16)}`);
  }
  if (a.nat) parts.push(natText(a.nat));
  ctx.odp.push(parts.length > 0 ? `ct(${parts.join(",")})` : "ct");
  ctx.wc[K.ctMark] = markBefore;
  if (a.table !== undefined) {
    ctx.conntracked = true;
    const id = ctx.recirc.length + 1 + ctx.recircBase;
    ctx.odp.push(`recirc(0x${id.toString(16)})`);
    const flow = copyFlowKey(ctx.flow);
    flow[K.recircId] = id;
    flow[K.ctZone] = zone;
    const req: RecircRequest = { bridge: ctx.bridge, table: a.table, zone, flow };
    if (a.nat?.kind) req.nat = a.nat.kind;
    if (a.nat) req.natAction = a.nat;
    if (answer) req.ct = answer;
    ctx.addRecirc(req);
    ctx.report(
      "detail",
      `A clone of the packet is forked to recirculate. The forked pipeline will be resumed at table ${a.table}.`,
    );
  }
  ctx.clearConntrack();
  ctx.report("detail", "Sets the packet to an untracked state, and clears all the conntrack fields.");
}

const labelField = FIELD.ct_label;

function natText(n: ActionOf<"nat">): string {
  if (!n.kind) return "nat";
  let range = n.addrMin ?? "";
  if (n.addrMax && n.addrMax !== n.addrMin) range += `-${n.addrMax}`;
  if (n.portMin !== undefined)
    range += `:${n.portMin}${n.portMax !== undefined && n.portMax !== n.portMin ? `-${n.portMax}` : ""}`;
  const flags = [n.persistent && "persistent", n.hash && "hash", n.random && "random"].filter(Boolean);
  return `nat(${n.kind}${range ? `=${range}` : ""}${flags.length ? `,${flags.join(",")}` : ""})`;
}

/** xlate_group_action: all/indirect run every bucket, select hashes to one, fast_failover takes the first live. */
export function executeGroup(ctx: XlateContext, id: number, isLast: boolean): "stop" | undefined {
  const g = ctx.bridge.groups.get(id);
  if (!g) {
    ctx.report("warn", `output to nonexistent group ${id}`);
    return "stop";
  }
  const bucketId = (i: number) => Number(g.buckets[i].props.bucket_id ?? i);
  const run = (i: number, last: boolean) => {
    const node = ctx.report("bucket", `bucket ${bucketId(i)}`);
    const old = ctx.trace;
    ctx.trace = ctx.childrenOf(node);
    ctx.xlate.cloneActions(ctx, bucketAsActionSet(g.buckets[i].actions), last);
    ctx.trace = old;
  };
  if (g.type === "all" || g.type === "indirect") {
    for (let i = 0; i < g.buckets.length; i++) run(i, isLast && i === g.buckets.length - 1);
    return;
  }
  let chosen: number | undefined;
  const dpHash = dpHashGroup(g);
  if (dpHash && ctx.flow[K.dpHash] === 0) {
    // No hash yet: the datapath computes one and recirculates; the translation freezes here.
    const id = ctx.recirc.length + 1 + ctx.recircBase;
    commitPacket(ctx);
    ctx.odp.push(`hash(${dpHash.algorithm}(${dpHash.basis})),recirc(0x${id.toString(16)})`);
    const flow = copyFlowKey(ctx.flow);
    flow[K.recircId] = id;
    // Resumed at the group's own table: OVN's flows there only set registers before the group.
    ctx.addRecirc({ bridge: ctx.bridge, table: ctx.tableId, zone: 0, flow, hash: true });
    ctx.report("detail", "no live bucket");
    ctx.exit = true;
    return "stop";
  }
  if (dpHash) chosen = dpHash.map[ctx.flow[K.dpHash] & (dpHash.map.length - 1)];
  else if (g.type === "select" && g.buckets.length > 0) chosen = hashL4(ctx.flow, 0) % g.buckets.length;
  else if (g.type === "ff" || g.type === "fast_failover") {
    // bucket_is_alive: a bucket watching a port is live while that port may be enabled (not down).
    chosen = g.buckets.findIndex((b, i) => {
      const watch = b.props.watch_port;
      if (watch === undefined) return true;
      const port = /^\d+$/.test(watch) ? Number(watch) : ctx.bridge.byName.get(watch)?.ofport;
      if (port !== undefined && portMayEnable(ctx.bridge, port)) return true;
      ctx.report("detail", `bucket ${bucketId(i)}: not live due to port ${watch}`);
      return false;
    });
    if (chosen < 0) chosen = undefined;
  }
  if (chosen === undefined) {
    ctx.report("detail", "no live bucket");
    return;
  }
  ctx.report("detail", `using bucket ${bucketId(chosen)}`);
  run(chosen, isLast);
}

type BucketAction = ActionOf<Action["type"]>;

/** OVS's set-or-move actions the action table places last (MPLS field sets). */
const MPLS_SETS = new Set<Action["type"]>(["setMplsLabel", "setMplsTc", "setMplsTtl"]);
/** The first of these present (its last instance) ends the set; with none, the bucket does nothing. */
const SET_TERMINAL: readonly Action["type"][] = ["group", "output", "resubmit", "ct"];

/**
 * xlate_group_bucket runs a bucket's actions as an action set (ofpacts_execute_action_set): pops and
 * pushes first, then every field change in order, the queue, and one group or output last, whatever
 * order the bucket lists them in (`output:10,set_field:…->ip_src` changes the field before output).
 */
function bucketAsActionSet(actions: readonly BucketAction[]): BucketAction[] {
  const order = (a: BucketAction) => ACTIONS[a.type].actionSetOrder;
  const firstSet = ACTIONS.setField.actionSetOrder;
  const lastSet = ACTIONS.setTunnel.actionSetOrder;
  const out: BucketAction[] = [];
  // Pops, pushes and TTL decrements (the places before the field sets): the last of each, in order.
  for (let place = 1; place < firstSet; place++) {
    const a = actions.findLast((x) => order(x) === place);
    if (a) out.push(a);
  }
  out.push(...actions.filter((a) => (order(a) >= firstSet && order(a) <= lastSet) || MPLS_SETS.has(a.type)));
  const queue = actions.findLast((a) => a.type === "setQueue");
  if (queue) out.push(queue);
  for (const type of SET_TERMINAL) {
    const a = actions.findLast((x) => x.type === type);
    if (a) return [...out, a];
  }
  return [];
}

/**
 * learn: the flow it adds. Without a packet OVS only reports that it suppressed the side effect;
 * with one, the flow is computed, shown, and installed so later lookups see it.
 */
export function executeLearn(ctx: XlateContext, a: ActionOf<"learn">): void {
  if (!ctx.sideEffects) {
    ctx.report("warn", "suppressing side effects, so learn action ignored");
    return;
  }
  const match: Match = { fields: [] };
  const actions: ActionOf<"load">[] = [];
  const outputs: number[] = [];
  for (const s of a.specs) {
    if (s.kind === "matchImmediate" || s.kind === "matchField") {
      const value = s.kind === "matchImmediate" ? s.value : readSubfield(ctx.flow, s.src);
      const mask = ((1n << BigInt(s.dst.nBits)) - 1n) << BigInt(s.dst.ofs);
      const existing = match.fields.find((f) => f.field === s.dst.field);
      const v = (value << BigInt(s.dst.ofs)) & mask;
      if (existing) {
        existing.value = { value: existing.value.value | v, mask: existing.value.mask | mask };
      } else
        match.fields.push({
          name: s.dst.field.name,
          field: s.dst.field,
          value: { value: v, mask },
        });
    } else if (s.kind === "loadImmediate" || s.kind === "loadField") {
      const value = s.kind === "loadImmediate" ? s.value : readSubfield(ctx.flow, s.src);
      actions.push({ type: "load", dst: s.dst, value });
    } else outputs.push(Number(readSubfield(ctx.flow, s.src)));
  }
  const allActions = [...actions, ...outputs.map((p) => ({ type: "output" as const, port: { number: p } }))];
  const priority = a.priority ?? 32768;
  const matchText = formatMatch(match);
  let text = `table=${a.table} ${matchText}${matchText ? " " : ""}priority=${priority}`;
  if (a.cookie !== 0n) text += ` cookie=0x${a.cookie.toString(16)}`;
  if (a.idleTimeout) text += ` idle=${a.idleTimeout}`;
  if (a.hardTimeout) text += ` hard=${a.hardTimeout}`;
  if (a.sendFlowRem) text += " send_flow_rem";
  text += ` actions=${formatActions(allActions)}`;
  ctx.report("detail", text);
  const compiled = compileMatch(match);
  if (compiled.ok) {
    const entry: FlowEntry = {
      file: "(learned)",
      line: 0,
      text,
      table: a.table,
      priority,
      cookie: a.cookie,
      stats: {},
      flags: [],
      match,
      actions: allActions,
      actionsText: formatActions(allActions),
      actionsColumn: 0,
    };
    let table = ctx.bridge.classifier.tables.get(a.table);
    const created = !table;
    if (!table) {
      table = new Table();
      ctx.bridge.classifier.tables.set(a.table, table);
    }
    const version = table.version;
    table.replace({
      flow: entry,
      match: compiled.value,
      order: -1,
      conjunctions: conjunctionsOf(entry),
      result: undefined,
      reversible: undefined,
    });
    // Relearning the same flow changes nothing a replay's cache depends on (switch-state.ts).
    if (created || table.version !== version) switchStateChanged();
    ctx.addLearned({ bridge: ctx.bridge.name, table: a.table, text });
  }
  if (a.resultDst) {
    writeSubfield(ctx.flow, a.resultDst, 1n);
  }
}
