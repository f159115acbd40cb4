/**
 * The per-pass megaflow cache of a replay, for paths through ct() and its recirculations (OVN's every
 * frame, the ML2/OVS native firewall): as OVS's datapath does, each pass of a path is cached on its own,
 * a later pass under the key the datapath gives it (recirc_id, ct_state, ct_zone, ct_mark, ct_label and
 * the frozen registers). A frame is answered when every pass of its path is: the ct() actions of each
 * cached pass run against the connection tracker for this frame (the datapath runs ct(), the megaflows
 * stay), and their answers make the next pass's key, so an established connection is answered from the
 * cache while conntrack still sees every frame. A path crossing to another loaded host continues there
 * with the key the tunnel gives it. The verdict of each path of cached passes is kept once.
 *
 * A pass's megaflow is its own classifier probes plus what its actions read and write (a written field
 * is always in the mask here, metadata too, so that the packet the next pass or host receives can be
 * rebuilt from the frame: the bits the pass changed come from the cached pass, the rest from the frame);
 * every metadata word (registers, tunnel, conntrack fields, recirc_id, in_port) is matched exactly.
 * Not cached: dp_hash recirculations, a pass recirculating twice, a path forking to several loaded
 * hosts, translations that change switch state (the whole-path cache's rules).
 */

import { ACTIONS, type Action, type ActionType } from "../model/actions/index.js";
import type { ActionSpec } from "../model/actions/spec.js";
import type { FieldDef } from "../model/fields.js";
import { CS, type FlowKey, K, type LayoutName, newFlowKey } from "../model/layout.js";
import type { ConntrackTable, CtAnswer } from "./conntrack.js";
import type { CtCall, OutputRecord } from "./context.js";
import { MaskWriter, MegaflowCache } from "./megaflow.js";
import { remoteKey, type Simulation } from "./replay.js";
import type { SimPort } from "./switch.js";
import type { PassRecord } from "./trace.js";

/** How many hosts a cached path may cross (the replay's own limit). */
const MAX_VISITS = 16;
/** The first pass at a host's port: recirculated passes are named by number, bridge and table. */
const FIRST = "0";

interface PassEntry {
  /** The key the pass was translated with: what the frame's own packet is rebuilt against. */
  input: FlowKey;
  ctCalls: readonly CtCall[];
  /** Each ct() call's packet as a change to the pass's input. */
  ctDeltas: readonly Delta[];
  /** The recirculated pass: its input (ct fields replaced by this frame's answer) and where it is cached. */
  next?: { delta: Delta; natFlags: number; space: string };
  /** The output the path continues with on another loaded host, and the tunnel port it enters there. */
  hop?: { out: OutputRecord; delta: Delta; port: SimPort };
  /** The path so far (its id before this pass) → the path's id with this pass. */
  paths: Map<number, number>;
}

/** What a pass changed in its input to make a packet: the words, their new values, the bits changed. */
interface Delta {
  words: number[];
  values: number[];
  bits: number[];
}

function delta(input: FlowKey, target: FlowKey): Delta {
  const d: Delta = { words: [], values: [], bits: [] };
  for (let i = 0; i < input.length; i++) {
    const changed = (input[i] ^ target[i]) >>> 0;
    if (changed === 0) continue;
    d.words.push(i);
    d.values.push(target[i] & changed);
    d.bits.push(changed);
  }
  return d;
}

/** `frame` with the delta applied, in `out` (a new key when not given). */
function applyDelta(frame: FlowKey, d: Delta, out: FlowKey = frame.slice()): FlowKey {
  if (out !== frame) out.set(frame);
  for (let j = 0; j < d.words.length; j++) {
    const w = d.words[j];
    out[w] = d.values[j] | (out[w] & ~d.bits[j]);
  }
  return out;
}

/** A frame's packet where a cached pass left it: the bits the pass changed are the pass's, the rest the frame's. */
export function rebuild(frame: FlowKey, input: FlowKey, target: FlowKey): FlowKey {
  return applyDelta(frame, delta(input, target));
}

/**
 * A pass's megaflow mask, as megaflow.ts's for a whole path, but a ct() without NAT is cacheable (its
 * zone's source read, its exec list's reads) and every written field joins the mask, metadata too.
 */
class PassMask extends MaskWriter {
  override written(f: FieldDef): true {
    return this.field(f);
  }

  override actions(list: readonly Action[]): boolean {
    for (const a of list) {
      if (a.type === "ct") {
        if (typeof a.zone === "object") this.field(a.zone.field);
        // A recirculation through NAT resumes with the range's first address and port written in
        // (ofproto/trace's NAT simulation): the written fields join the mask.
        if (a.nat && a.table !== undefined) for (const s of NAT_SLOTS) this.slot(s);
        if (!this.actions(a.exec)) return false;
      } else if (!(ACTIONS[a.type] as ActionSpec<ActionType>).megaflow(a, this)) return false;
    }
    return true;
  }
}

const NAT_SLOTS: readonly LayoutName[] = ["nwSrc", "nwDst", "ipv6Src", "ipv6Dst", "tpSrc", "tpDst"];

function passMask(rec: PassRecord): FlowKey | undefined {
  const m = new PassMask(rec.mask.slice());
  for (const f of rec.executed) if (!m.actions(f.actions)) return undefined;
  // Metadata (everything before the Ethernet header in the layout) is matched exactly.
  m.mask.fill(0xffffffff, 0, K.dlDst);
  return m.mask;
}

interface Planned {
  port: SimPort;
  space: string;
  mask: FlowKey;
  entry: PassEntry;
}

/** The passes of a simulated path, each with its megaflow; undefined when the path cannot be cached so. */
function plan(sim: Simulation): Planned[] | undefined {
  if (sim.hostLoop || sim.stateChanged) return undefined;
  const out: Planned[] = [];
  for (let i = 0; i < sim.visits.length; i++) {
    const visit = sim.visits[i];
    const onward = visit.exits.filter((e) => e.kind === "tunnel" && e.visit !== undefined);
    const last = i === sim.visits.length - 1;
    if (
      onward.length !== (last ? 0 : 1) ||
      (!last && onward[0].kind === "tunnel" && onward[0].visit !== i + 1)
    )
      return undefined;
    const passes = visit.trace.passes;
    let space = FIRST;
    for (let k = 0; k < passes.length; k++) {
      const p = passes[k];
      if (!p.cache || p.recirc?.dpHash !== undefined) return undefined;
      const resumes = p.cache.ctCalls.filter((c) => c.resume);
      const hasNext = k + 1 < passes.length;
      if (resumes.length !== (hasNext ? 1 : 0)) return undefined;
      const mask = passMask(p.cache);
      if (!mask) return undefined;
      const entry: PassEntry = {
        input: p.flow,
        ctCalls: p.cache.ctCalls,
        ctDeltas: p.cache.ctCalls.map((c) => delta(p.flow, c.flow)),
        paths: new Map(),
      };
      const resume = resumes[0]?.resume;
      if (hasNext && resume) {
        const flow = passes[k + 1].flow;
        entry.next = {
          delta: delta(p.flow, flow),
          // The resumed pass's NAT flags are the ct() action's, not conntrack's answer.
          natFlags: flow[K.ctState] & (CS.snat | CS.dnat),
          space: `${k + 1}|${resume.bridge}|${resume.table}`,
        };
      }
      const exit = onward[0]?.out;
      if (!last && exit && p.outputs.includes(exit))
        entry.hop = { out: exit, delta: delta(p.flow, exit.flow), port: sim.visits[i + 1].port };
      out.push({ port: visit.port, space, mask, entry });
      space = entry.next?.space ?? FIRST;
    }
  }
  return out;
}

export class PassCache<V> {
  private readonly byPort = new Map<SimPort, Map<string, MegaflowCache<PassEntry>>>();
  /** The value (the replay's verdict) of each path of cached passes, by its id (see PassEntry.paths). */
  private readonly values = new Map<number, V>();
  private nextPath = 1;
  /** The packet a ct() call sees: conntrack reads it and keeps nothing of it. */
  private readonly scratch = newFlowKey();
  /** Passes cached (megaflows), and paths. */
  size = 0;

  /**
   * The value of the frame's path when each of its passes is cached and `accept` takes it, with the
   * cached passes' ct() actions run for this frame; otherwise undefined, and conntrack as it was.
   */
  lookup(port: SimPort, key: FlowKey, conntrack: ConntrackTable, accept: (v: V) => boolean): V | undefined {
    if (this.size === 0) return undefined;
    conntrack.begin();
    const v = this.walk(port, key, conntrack);
    if (v !== undefined && accept(v)) {
      conntrack.commit();
      return v;
    }
    conntrack.rollback();
    return undefined;
  }

  private walk(firstPort: SimPort, firstKey: FlowKey, conntrack: ConntrackTable): V | undefined {
    let path = 0;
    let port = firstPort;
    let key = firstKey;
    for (let visit = 0; visit < MAX_VISITS; visit++) {
      let space = FIRST;
      let hop: { entry: PassEntry; key: FlowKey } | undefined;
      for (;;) {
        const entry = this.byPort.get(port)?.get(space)?.lookup(key);
        const to = entry?.paths.get(path);
        if (!entry || to === undefined) return undefined;
        path = to;
        let answer: CtAnswer | undefined;
        for (let i = 0; i < entry.ctCalls.length; i++) {
          const c = entry.ctCalls[i];
          const packet = applyDelta(key, entry.ctDeltas[i], this.scratch);
          const a = conntrack.execute(c.zone, packet, c.commit, c.mark, c.label);
          if (c.resume) answer = a;
        }
        if (entry.hop) hop = { entry, key };
        if (!entry.next || !answer) break;
        const next = applyDelta(key, entry.next.delta);
        next[K.ctState] = answer.state | entry.next.natFlags;
        next[K.ctMark] = answer.mark;
        next.set(answer.label, K.ctLabel);
        key = next;
        space = entry.next.space;
      }
      const h = hop?.entry.hop;
      if (!hop || !h) return this.values.get(path);
      key = remoteKey({ ...h.out, flow: applyDelta(hop.key, h.delta) }, h.port);
      port = h.port;
    }
    return undefined;
  }

  /** Caches each pass of a translated path and the path's value; false when the path cannot be cached so. */
  insert(sim: Simulation, value: V): boolean {
    const planned = plan(sim);
    if (!planned) return false;
    let path = 0;
    for (const p of planned) {
      let spaces = this.byPort.get(p.port);
      if (!spaces) {
        spaces = new Map();
        this.byPort.set(p.port, spaces);
      }
      let cache = spaces.get(p.space);
      if (!cache) {
        cache = new MegaflowCache();
        spaces.set(p.space, cache);
      }
      // A megaflow that already covers this pass is the same translation: the path goes through it.
      let e = cache.lookup(p.entry.input);
      if (!e) {
        e = p.entry;
        cache.insert(e.input, p.mask, e);
        this.size++;
      }
      let to = e.paths.get(path);
      if (to === undefined) {
        to = this.nextPath++;
        e.paths.set(path, to);
      }
      path = to;
    }
    this.values.set(path, value);
    return true;
  }

  clear(): void {
    this.byPort.clear();
    this.values.clear();
    this.size = 0;
  }
}
