/**
 * The translation context: the state ofproto-dpif-xlate keeps while it walks one packet through the
 * tables — the flow as the actions have changed it, the flow as the datapath has it so far (what
 * committed actions made of it), the bits the actions read or wrote, the report tree, the datapath
 * actions, and the limits.
 */

import type { FlowEntry } from "../dumps/flows.js";
import type { Action, ActionOf } from "../model/actions/index.js";
import type { NatAction } from "../model/actions/types.js";
import { copyFlowKey, FLOW_WORDS, type FlowKey, K } from "../model/layout.js";
import { noItems, withItem } from "../util/lazy-list.js";
import type { ClassifiedFlow } from "./classifier.js";
import type { ConntrackTable, CtAnswer } from "./conntrack.js";
import { borrowKey, borrowZeroKey, type FrameKeys, releaseKey, releaseZeroed } from "./key-pool.js";
import type { SimBridge, SimHost, SimPort } from "./switch.js";
import { report, SINK, type TraceNode, type TraceNodeType } from "./trace-tree.js";

/** OVS's limits (ofproto-dpif-xlate.c): translation depth and total resubmits. */
export const MAX_DEPTH = 64;
export const MAX_RESUBMITS = 4096;

export interface OutputRecord {
  host: string;
  bridge: string;
  port: string;
  ofport: number;
  /** The port itself (none for the controller), so a replay's exits need not look it up by name. Not part of the JSON output. */
  simPort: SimPort | undefined;
  dpPort?: number;
  /** Tunnel metadata of a tunnel output. */
  tunnel?: { type: string; tunId: string; src: string; dst: string; remoteHost?: string };
  /**
   * The flow as it leaves through this port (tunnel fields set for a tunnel): what the next host of a
   * replay receives. Not part of the JSON output.
   */
  flow: FlowKey;
  /** Output by the underlay bridge of a native tunnel: the encapsulated copy of a tunnel output. */
  underlay?: boolean;
}

export interface RecircRequest {
  bridge: SimBridge;
  table: number;
  zone: number;
  flow: FlowKey;
  /** NAT applied at this conntrack step, for the resumed pass's ct_state (snat/dnat bits). */
  nat?: "src" | "dst";
  /** The ct's nat action itself: ofproto/trace rewrites the resumed flow with its range's first values. */
  natAction?: NatAction;
  /** What the connection tracker answered, when one is attached (replay); else --ct-next decides. */
  ct?: CtAnswer;
  /**
   * A dp_hash select group's recirculation (not conntrack's): the resumed pass looks `table` up again
   * with the hash set. ofproto/trace does not follow it; replay does.
   */
  hash?: boolean;
}

/**
 * One ct() a replay's translation ran, as the datapath will run it for every packet of the megaflow:
 * the zone, the packet as ct() saw it, commit and the mark/label it set; `resume` when it recirculates
 * (the bridge and table the next pass starts at).
 */
export interface CtCall {
  zone: number;
  flow: FlowKey;
  commit: boolean;
  mark: number | undefined;
  label: Uint32Array | undefined;
  resume?: { bridge: string; table: number };
}

export interface LearnedFlow {
  bridge: string;
  table: number;
  text: string;
}

/** A datapath action list; `clone(...)` nests one. */
export type OdpList = string[];

/**
 * A nested list's actions, comma-separated, for the action that wraps them (`clone(...)`, a tunnel's
 * push and the underlay's actions). Concatenated, not joined: V8 keeps a concatenation as a rope over
 * its parts, so the text costs nothing until a printed trace flattens it, while Array.join copies every
 * character (a ~300-character tnl_push for every tunneled frame of a replay, which prints none).
 */
export function joinOdp(list: OdpList): string {
  let text = list[0] ?? "";
  for (let i = 1; i < list.length; i++) text = `${text},${list[i]}`;
  return text;
}

export interface StackEntry {
  value: bigint;
  bits: number;
}
/**
 * The empty action set and stack every context starts with (frozen: nothing may change them in place);
 * NO_ACTIONS is also what clear_actions and a patch port's peer start from.
 */
export const NO_ACTIONS: readonly Action[] = Object.freeze([]);
const NO_STACK = Object.freeze([]) as unknown as StackEntry[];

/** Runs an action list in a context: the translator's own walk, or a clone's. */
export type ActionRunner = (ctx: XlateContext, actions: readonly Action[], isLast: boolean) => void;

/**
 * The translator's entry points that executors call back into (a resubmit looks up a table, an output
 * reaches a port, a group runs its buckets as clones), held by the context as OVS threads its ctx
 * through xlate_*: the executors depend on this interface, not on the translator's module, so the
 * recursion (table → actions → executor → table) has no import cycle and an executor can be tested with
 * a fake translator.
 */
export interface Translator {
  /** xlate_table_action: look up `tableId` with `inPort` as the input port and run the winner. */
  xlateTable(
    ctx: XlateContext,
    inPort: number,
    tableId: number,
    isLast: boolean,
    run?: ActionRunner,
    withCtOrig?: boolean,
    topLevel?: boolean,
  ): void;
  /** do_xlate_actions: report and execute each action of a list. */
  doActions: ActionRunner;
  /** clone_xlate_actions: run actions on a copy of the packet. */
  cloneActions: ActionRunner;
  /** xlate_output_action: output to a port number, reserved ports included. */
  outputAction(ctx: XlateContext, port: number, isLast: boolean): void;
  /** A packet-in to the controller. */
  controllerAction(ctx: XlateContext, maxLen: number, reason: string, id?: number, meterId?: number): void;
  /** compose_output_action: output to one OpenFlow port of the current bridge. */
  composeOutput(ctx: XlateContext, ofport: number, isLast: boolean): void;
  /**
   * patch_port_output: continue in the peer bridge of a patch port (`scratchPacket`: in place on a
   * packet the caller throws away afterwards).
   */
  patchOutput(ctx: XlateContext, peer: SimPort, isLast: boolean, scratchPacket?: boolean): void;
  /** xlate_check_pkt_larger: the actions after the check, translated for each outcome. */
  checkPktLarger(ctx: XlateContext, a: ActionOf<"checkPktLarger">, rest: readonly Action[]): void;
  /** Records a packet leaving through a port: `flow` (a key of its own) or else a copy of the packet. */
  recordOutput(ctx: XlateContext, port: SimPort, tunnel?: OutputRecord["tunnel"], flow?: FlowKey): void;
}

/** A live key made whole in `buffer` (the words its lookup set) and given to its node. */
function finishKey(ctx: XlateContext, buffer: FlowKey, node: TraceNode | undefined): TraceNode | undefined {
  buffer[K.inPort] = ctx.keyInPort;
  buffer[K.tpSrc] = ctx.keyTpSrc;
  buffer[K.tpDst] = ctx.keyTpDst;
  if (node) node.key = buffer;
  return node;
}

export class XlateContext {
  flow: FlowKey;
  /** The packet as the datapath has it so far (what commits compare the flow with). */
  base: FlowKey;
  /** Whether `base` is the pass's input packet, not a copy of its own (see ownBase). */
  baseShared = false;
  /**
   * Bits the actions read or wrote (OVS's wildcards without the classifier's share, which ovspath does
   * not model): ct() reads it to know whether its exec list set ct_mark or ct_label.
   */
  wc: FlowKey = borrowZeroKey();
  /**
   * The words of `wc` written so far, [wcFrom, wcTo): only they are zeroed when it goes back to its pool
   * (releaseScratch). Whatever writes `wc` widens them first (`wcWrites`).
   */
  wcFrom = FLOW_WORDS;
  wcTo = 0;
  bridge: SimBridge;
  trace: TraceNode[];
  odp: OdpList = [];
  /**
   * The lists `odp` is nested in (a clone's body is composed apart, then wrapped): OVS's 64 kB limit
   * counts them all, since it composes every action into one buffer.
   */
  odpOuter: OdpList[] = noItems();
  /**
   * Datapath clone()s open around `odp`: OVS 3.1 puts a clone's 4-byte attribute header in its buffer
   * before translating the body (clone_xlate_actions, and native_tunnel_output when not last), so the
   * 64 kB limit counts them while the body is translated.
   */
  openClones = 0;
  depth = 0;
  resubmits = 0;
  tableId = 0;
  /**
   * The rule whose actions are being executed (none in the internal miss rule OVS runs on a table
   * miss): a CONTROLLER action reports its cookie, and a table-miss rule's (priority 0, matching
   * everything) as an explicit miss (OFPR_EXPLICIT_MISS, reason=6), not OFPR_ACTION. Read only there,
   * so nothing about the rule is worked out per table lookup.
   */
  rule: ClassifiedFlow | undefined = undefined;
  exit = false;
  /** Set when translation fails (OVS's xlate_error); the packet is dropped. */
  error: string | undefined;
  /**
   * The action set (write_actions): never changed in place, only replaced, so a nested translation
   * starts on the same array and an empty one is the shared NO_ACTIONS.
   */
  actionSet: readonly Action[] = NO_ACTIONS;
  /**
   * The stack (push/pop): a nested translation (patch port, clone) shares its caller's until it pushes
   * or pops (`ownStack` copies it then), since what it pushes must not stay; most never touch it.
   */
  stack: StackEntry[] = NO_STACK;
  stackOwned = false;
  conntracked = false;
  /** The tunnel destination the packet arrived with (OVS refuses to tunnel back to it). */
  origTunDst: number;
  outputs: OutputRecord[] = noItems();
  recirc: RecircRequest[] = noItems();
  /** Recirculation ids already used by earlier passes of the same trace. */
  recircBase = 0;
  /** A replay's record of the ct() actions this pass ran (its per-pass megaflow cache replays them). */
  ctCalls: CtCall[] | undefined;
  learned: LearnedFlow[] = noItems();
  /** Whether learning (MAC table, learn()) may change state: only with a packet, as OVS. */
  sideEffects: boolean;
  /** The set(tunnel(...)) last emitted: OVS commits tunnel metadata only when it changes. */
  committedTunnel: string | undefined;
  /** NAT action seen inside a ct() exec list. */
  natSeen: "src" | "dst" | undefined;
  /** The table node holding the latest lookup's key, and the buffer it lives in (see keepLookupKey). */
  keyNode: TraceNode | undefined;
  keyBuffer: FlowKey | undefined;
  /**
   * Whether the packet is still what `keyBuffer` holds (but the words a lookup sets itself): cleared by
   * anything that may write the packet, so a goto_table chain copies the key once (see keepLookupKey).
   */
  keyFresh = false;
  /**
   * A lean pass: the packet object whose words are the latest lookup's key, but for the words the lookup
   * set itself (keyInPort, keyTpSrc, keyTpDst), until the packet is written or let go (then the key is
   * copied, or the object kept as it is: see liveKeyWritten, letGo). Most passes end in an output, and
   * their keys are never read: copying each at its lookup was ~5% of an uncached replay's frame.
   */
  keyLive: FlowKey | undefined;
  keyInPort = 0;
  keyTpSrc = 0;
  keyTpDst = 0;
  /** A replay's megaflow mask: the classifier ORs every probed subtable's mask into it. */
  megaflow: FlowKey | undefined;
  /** A replay's record of the flows translation executed (their actions' reads join the megaflow). */
  executed: FlowEntry[] | undefined;
  /** The packet's length in bytes, when a packet was given (see TraceRequest.packetLength). */
  packetLength: number | undefined;
  /** A replay: only the check_pkt_len branch the packet's length selects is followed. */
  lengthBranch = false;
  /**
   * A replay that never prints the trace: report() drops action lines (a shared sink node stands in),
   * callers skip the notes nobody reads (tunnel routing and output, register loads, NORMAL's forwarding
   * to a learned port), and the tree is flat (see childrenOf). Replay's readers (verdict hops, drop
   * explanations, steps, near misses) read table steps and keys, bridges, and the warn/error notes and
   * NORMAL's notes of a drop, which stay.
   */
  lean = false;
  /** Which check_pkt_len branch the packet took, one note per check (a replay: lengthBranch). */
  lengthNotes: string[] | undefined = undefined;
  /**
   * The last MPLS label was popped (OVS's was_mpls): the datapath has not parsed the IP header under it,
   * so OVS recirculates before any table lookup or action reading it (recirc_for_mpls).
   */
  wasMpls = false;
  /** An action the datapath cannot run was translated (OVS's SLOW_ACTION): the flow is slow-pathed. */
  slowAction = false;
  /**
   * What the translation met and does not model, as facts (src/pipeline/not-modelled.ts names them for
   * the trace; nothing reads the trace's text back): the features its warnings name, the actions it
   * ignored by name, whether a QoS queue was set and whether NORMAL ran (a bond would change its output).
   * A lean pass does not hand them on (TracePass.unmodelled).
   */
  unmodelled: string[] | undefined = undefined;
  ignoredActions: string[] | undefined = undefined;
  setQueue = false;
  ranNormal = false;
  /** The meters the translation ran through (meter:N, a packet-in's meter_id), in order. */
  meters: number[] | undefined = undefined;
  /**
   * A replay that caches nothing and prints no trace: the output records' flows are its frame's keys,
   * taken back when the next frame starts (see FrameKeys), not keys of their own.
   */
  frameKeys: FrameKeys | undefined = undefined;
  /** The connection tracker of a replay: ct() asks it; absent for ofproto/trace (--ct-next). */
  conntrack: ConntrackTable | undefined;
  /**
   * The bridge ofproto/trace was asked about (xin->ofproto). A miss in any other bridge (reached over a
   * patch port) is that bridge's internal no-packet-in rule, which OVS then prints as a flow:
   * `N. reg0=0x2, priority 0`.
   */
  traceBridge: string;

  constructor(
    /** The translator executors call back into (see Translator). */
    readonly xlate: Translator,
    readonly host: SimHost,
    bridge: SimBridge,
    flow: FlowKey,
    trace: TraceNode[],
    sideEffects: boolean,
    origTunDst: number,
    /**
     * The pass's input packet, when the caller keeps it as it is until the pass is over: the datapath's
     * copy (`base`) is then that packet itself until a commit writes it (see ownBase).
     */
    input?: FlowKey,
  ) {
    this.bridge = bridge;
    this.traceBridge = bridge.name;
    this.flow = flow;
    if (input) {
      this.base = input;
      this.baseShared = true;
    } else this.base = borrowKey(flow);
    this.trace = trace;
    this.sideEffects = sideEffects;
    this.origTunDst = origTunDst;
  }

  /**
   * The datapath's copy of the packet, to be written by a commit: a copy of its own from here on if it
   * was still the pass's input packet (most passes commit nothing, and never copy it).
   */
  ownBase(): FlowKey {
    if (this.baseShared) {
      this.base = borrowKey(this.base);
      this.baseShared = false;
    }
    return this.base;
  }

  /**
   * Lists most passes leave empty (outputs, recirculations, learned flows, outer datapath lists) start
   * as the shared empty one and get their own on the first entry (see src/util/lazy-list.ts).
   */
  addOutput(o: OutputRecord): void {
    this.outputs = withItem(this.outputs, o);
  }

  addRecirc(r: RecircRequest): void {
    this.recirc = withItem(this.recirc, r);
  }

  /** Drops the recirculations queued after the first `n` (a check_pkt_len branch not taken). */
  keepRecirc(n: number): void {
    if (this.recirc.length !== n) this.recirc.length = n;
  }

  addLearned(l: LearnedFlow): void {
    this.learned = withItem(this.learned, l);
  }

  /** `odp` is nested in `outer` until leaveOuter (see odpOuter). */
  enterOuter(outer: OdpList): void {
    this.odpOuter = withItem(this.odpOuter, outer);
  }

  leaveOuter(): void {
    this.odpOuter.pop();
  }

  /** `wc` is about to be written in words [from, from + count). */
  wcWrites(from: number, count: number): void {
    if (from < this.wcFrom) this.wcFrom = from;
    if (from + count > this.wcTo) this.wcTo = from + count;
  }

  /** A copy of the packet that leaves with an output record (see frameKeys). */
  outputFlow(): FlowKey {
    return this.frameKeys ? this.frameKeys.copy(this.flow) : copyFlowKey(this.flow);
  }

  /** The stack to push onto or pop from: the context's own (copied when it was its caller's). */
  ownStack(): StackEntry[] {
    if (!this.stackOwned) {
      this.stack = this.stack.slice();
      this.stackOwned = true;
    }
    return this.stack;
  }

  /** ct_clear's effect: the packet untracked, every conntrack field zero. */
  clearConntrack(): void {
    // Word by word: a fill() call costs more than these ~20 stores (every patch crossing clears them).
    const f = this.flow;
    for (let i = K.ctState; i <= K.ctTpDst; i++) f[i] = 0;
    this.conntracked = false;
  }

  /**
   * The translation met a feature ovspath does not model: recorded, and warned of in the trace as
   * `FEATURE is (are) not modelled by ovspath`.
   */
  reportUnmodelled(feature: string, verb: "is" | "are"): void {
    if (this.unmodelled) this.unmodelled.push(feature);
    else this.unmodelled = [feature];
    this.report("warn", `${feature} ${verb} not modelled by ovspath`);
  }

  /** An action ovspath ignores (the unknown action's warning is reported by its executor). */
  recordIgnored(action: string): void {
    if (this.ignoredActions) this.ignoredActions.push(action);
    else this.ignoredActions = [action];
  }

  /** A meter the packet ran through (its rate limit is not modelled: see src/explain/meter-note.ts). */
  recordMeter(id: number): void {
    if (this.meters) this.meters.push(id);
    else this.meters = [id];
  }

  report(type: TraceNodeType, text: string): TraceNode {
    if (!this.lean) return report(this.trace, type, text);
    return type === "action" ? SINK : report(this.trace, type, text, true);
  }

  /**
   * The list a node's children are reported into: its own, or in a lean translation the list it is in.
   * A lean pass is one flat list in the same depth-first order: replay's readers walk it that way and
   * never ask who is whose child, and each table would otherwise cost a list of its own.
   */
  childrenOf(node: TraceNode): TraceNode[] {
    return this.lean ? this.trace : node.subs;
  }

  /**
   * Hands back the pooled scratch keys (base, wc) once the pass is translated: nothing a pass returns
   * refers to them, and a replay translates every frame with fresh ones otherwise.
   */
  releaseScratch(): void {
    if (!this.baseShared) releaseKey(this.base);
    releaseZeroed(this.wc, this.wcFrom, this.wcTo);
  }

  /**
   * The packet is about to be written (an action other than goto_table, resubmit and output runs): a
   * live lookup key is copied first, into the pass's key buffer.
   */
  liveKeyWritten(): void {
    const live = this.keyLive;
    if (live === undefined) return;
    this.keyLive = undefined;
    let buffer = this.keyBuffer;
    if (buffer) buffer.set(live);
    else this.keyBuffer = buffer = borrowKey(live);
    this.keyNode = finishKey(this, buffer, this.keyNode);
  }

  /**
   * Hands back a packet object the translation is done with (a patch peer's or a tunnel output's copy,
   * a pass's packet): the pool's, unless it holds the live lookup key, which it then becomes as it is
   * (nothing writes it any more), instead of being copied.
   */
  letGo(k: FlowKey): void {
    if (this.keyLive !== k) {
      releaseKey(k);
      return;
    }
    this.keyLive = undefined;
    if (this.keyBuffer) releaseKey(this.keyBuffer);
    this.keyBuffer = k;
    this.keyNode = finishKey(this, k, this.keyNode);
  }

  /**
   * A lean pass's latest lookup key (a pooled buffer): copied into a key of its own when `keep` (a drop
   * explanation may read it), else dropped, and the buffer handed back.
   */
  settleLookupKey(keep: boolean): void {
    this.liveKeyWritten();
    const buffer = this.keyBuffer;
    if (!buffer) return;
    if (this.keyNode) this.keyNode.key = keep ? copyFlowKey(buffer) : undefined;
    this.keyNode = undefined;
    this.keyBuffer = undefined;
    releaseKey(buffer);
  }
}
