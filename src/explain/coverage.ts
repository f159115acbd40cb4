/**
 * Flow coverage of a replay: which flows the replayed frames hit (how many frames, the first one),
 * beside each flow's own `n_packets` from the dump. Two kinds of evidence come out of it: flows no
 * frame hit (dead, or for traffic the capture does not hold), and flows the dump counted while no
 * replayed frame hit them (the capture missed traffic, or the model differs from the switch).
 */
import type { FlowEntry } from "../dumps/flows.js";
import { type SimHost, type TraceResult, traceSteps } from "../pipeline/index.js";
import type { FrameVerdict, NearMiss } from "./types.js";

/** A flow named as a near miss names it (host, bridge, table, priority, cookie, dump file:line, text). */
export interface FlowCount extends Omit<NearMiss, "mismatches" | "notVisited"> {
  /** The dump's own n_packets, when it printed statistics. */
  nPackets?: number;
  /** Replayed frames whose translation executed this flow (a frame counts once per flow). */
  frames: number;
  firstFrame?: number;
}

/** A flow by its dump line ("file:line", as the TUI's flows pane keys it): a dump file is one host's. */
export const flowKey = (file: string, line: number): string => `${file}:${line}`;

/** The flows a translation executed, computed once per trace (cached verdicts share their traces). */
const flowsOfTrace = new WeakMap<TraceResult, string[]>();
function tracedFlows(t: TraceResult): string[] {
  let ids = flowsOfTrace.get(t);
  if (!ids) {
    ids = [];
    for (const s of traceSteps(t))
      if (s.file !== undefined && s.line !== undefined) ids.push(flowKey(s.file, s.line));
    flowsOfTrace.set(t, ids);
  }
  return ids;
}

/** Accumulates hits frame by frame; `report` lists every flow of the switches with its count. */
export class FlowCoverage {
  private readonly hits = new Map<string, { frames: number; first: number; last: number }>();

  add(v: FrameVerdict): void {
    for (const t of v.traces)
      for (const id of tracedFlows(t)) {
        const h = this.hits.get(id);
        if (!h) this.hits.set(id, { frames: 1, first: v.frame, last: v.frame });
        else if (h.last !== v.frame) {
          // A frame that loops through a table (resubmit, recirculation) counts once.
          h.frames++;
          h.last = v.frame;
        }
      }
  }

  /** Frames that hit the flow of dump line `key` ("file:line"). */
  framesAt(key: string): number {
    return this.hits.get(key)?.frames ?? 0;
  }

  /** Every flow of every loaded bridge, by host, bridge and table, highest priority first. */
  report(switches: readonly SimHost[]): FlowCount[] {
    const out: FlowCount[] = [];
    for (const sw of switches)
      for (const b of [...sw.bridges.values()].sort((x, y) => (x.name < y.name ? -1 : 1)))
        for (const table of [...b.classifier.tables.keys()].sort((x, y) => x - y))
          for (const { flow } of b.classifier.tables.get(table)?.flows() ?? [])
            out.push(this.count(sw.name, b.name, flow));
    return out;
  }

  private count(host: string, bridge: string, f: FlowEntry): FlowCount {
    const c: FlowCount = {
      host,
      bridge,
      table: f.table,
      priority: f.priority,
      cookie: `0x${f.cookie.toString(16)}`,
      file: f.file,
      line: f.line,
      text: f.text.trim(),
      frames: 0,
    };
    const n = f.stats.n_packets;
    if (n !== undefined && /^\d+$/.test(n)) c.nPackets = Number(n);
    const h = this.hits.get(flowKey(f.file, f.line));
    if (h) {
      c.frames = h.frames;
      c.firstFrame = h.first;
    }
    return c;
  }
}

/** Flows the dump says were hit (n_packets > 0) while no replayed frame hit them. */
export function countedButMissed(flows: readonly FlowCount[]): FlowCount[] {
  return flows.filter((f) => f.frames === 0 && (f.nPackets ?? 0) > 0);
}
