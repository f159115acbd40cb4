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
import { CS, type FlowKey, K, KSIZE, type LayoutName, newFlowKey } from "../model/layout.js";
import type { ConntrackTable, CtAnswer } from "./conntrack.js";
import type { CtCall, OutputRecord } from "./context.js";
import { MegaflowCache } from "./megaflow.js";
import { remoteKey, type Simulation } from "./replay.js";
import type { SimPort } from "./switch.js";
import type { PassRecord } from "./trace.js";

/** How many hosts a cached path may cross (the replay's own limit). */
const MAX_VISITS = 16;
/** The first pass at a host's port: recirculated passes are named by number, bridge and table. */
const FIRST = "0";

interface PassEntry {
  id: number;
  /** The key the pass was translated with: what the frame's own packet is rebuilt against. */
  input: FlowKey;
  ctCalls: readonly CtCall[];
  /** The recirculated pass: its translated input (ct fields replaced by this frame's answer) and where it is cached. */
  next?: { flow: FlowKey; space: string };
  /** The output the path continues with on another loaded host, and the tunnel port it enters there. */
  hop?: { out: OutputRecord; port: SimPort };
}

/** A frame's packet where a cached pass left it: the bits the pass changed are the pass's, the rest the frame's. */
export function rebuild(frame: FlowKey, input: FlowKey, target: FlowKey): FlowKey {
  const out = newFlowKey();
  for (let i = 0; i < out.length; i++) {
    const changed = input[i] ^ target[i];
    out[i] = (target[i] & changed) | (frame[i] & ~changed);
  }
  return out;
}

/**
 * A pass's megaflow mask, as megaflow.ts's for a whole path, but a ct() without NAT is cacheable (its
 * zone's source read, its exec list's reads) and every written field joins the mask, metadata too.
 */
class PassMask {
  constructor(readonly mask: FlowKey) {}

  slot(name: LayoutName): true {
    this.mask.fill(0xffffffff, K[name], K[name] + KSIZE[name]);
    return true;
  }

  field(f: FieldDef): true {
    return this.slot(f.slot);
  }

  written(f: FieldDef): true {
    return this.slot(f.slot);
  }

  actions(list: readonly Action[]): boolean {
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
      const entry: PassEntry = { id: 0, input: p.flow, ctCalls: p.cache.ctCalls };
      const resume = resumes[0]?.resume;
      if (hasNext && resume)
        entry.next = { flow: passes[k + 1].flow, space: `${k + 1}|${resume.bridge}|${resume.table}` };
      if (!last && p.outputs.includes(onward[0].out))
        entry.hop = { out: onward[0].out, port: sim.visits[i + 1].port };
      out.push({ port: visit.port, space, mask, entry });
      space = entry.next?.space ?? FIRST;
    }
  }
  return out;
}

export class PassCache<V> {
  private readonly byPort = new Map<SimPort, Map<string, MegaflowCache<PassEntry>>>();
  /** The value (the replay's verdict) of each path of cached passes, by their ids. */
  private readonly paths = new Map<string, V>();
  private nextId = 1;
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
    let ids = "";
    let port = firstPort;
    let key = firstKey;
    for (let visit = 0; visit < MAX_VISITS; visit++) {
      let space = FIRST;
      let hop: { entry: PassEntry; key: FlowKey } | undefined;
      for (;;) {
        const entry = this.byPort.get(port)?.get(space)?.lookup(key);
        if (!entry) return undefined;
        ids += `${entry.id},`;
        let answer: CtAnswer | undefined;
        for (const c of entry.ctCalls) {
          const a = conntrack.execute(c.zone, rebuild(key, entry.input, c.flow), c.commit, c.mark, c.label);
          if (c.resume) answer = a;
        }
        if (entry.hop) hop = { entry, key };
        if (!entry.next || !answer) break;
        const next = rebuild(key, entry.input, entry.next.flow);
        // The NAT flags of the resumed pass are the ct() action's, not conntrack's answer.
        next[K.ctState] = answer.state | (entry.next.flow[K.ctState] & (CS.snat | CS.dnat));
        next[K.ctMark] = answer.mark;
        next.set(answer.label, K.ctLabel);
        key = next;
        space = entry.next.space;
      }
      const h = hop?.entry.hop;
      if (!hop || !h) return this.paths.get(ids);
      const flow = rebuild(hop.key, hop.entry.input, h.out.flow);
      key = remoteKey({ ...h.out, flow }, h.port);
      port = h.port;
    }
    return undefined;
  }

  /** Caches each pass of a translated path and the path's value; false when the path cannot be cached so. */
  insert(sim: Simulation, value: V): boolean {
    const planned = plan(sim);
    if (!planned) return false;
    let ids = "";
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
        e.id = this.nextId++;
        cache.insert(e.input, p.mask, e);
        this.size++;
      }
      ids += `${e.id},`;
    }
    this.paths.set(ids, value);
    return true;
  }

  clear(): void {
    this.byPort.clear();
    this.paths.clear();
    this.size = 0;
  }
}
