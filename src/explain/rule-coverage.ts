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

/** One flow's hits: frames, the first, the last (a frame counts once however often it crosses). */
interface Hits {
  frames: number;
  first: number;
  last: number;
}

/** Accumulates hits frame by frame; `report` lists every flow of the switches with its count. */
export class FlowCoverage {
  private readonly hits = new Map<string, Hits>();
  /**
   * The counters of the flows a translation executed, resolved once per trace: cached verdicts share
   * their traces, so a frame answered by the cache costs a few increments.
   */
  private readonly byTrace = new WeakMap<TraceResult, Hits[]>();

  private countersOf(t: TraceResult): Hits[] {
    let list = this.byTrace.get(t);
    if (!list) {
      const seen = new Set<Hits>();
      for (const s of traceSteps(t)) {
        if (s.file === undefined || s.line === undefined) continue;
        const id = flowKey(s.file, s.line);
        let h = this.hits.get(id);
        if (!h) {
          h = { frames: 0, first: 0, last: 0 };
          this.hits.set(id, h);
        }
        seen.add(h);
      }
      list = [...seen];
      this.byTrace.set(t, list);
    }
    return list;
  }

  add(v: FrameVerdict): void {
    for (const t of v.traces)
      for (const h of this.countersOf(t)) {
        // A frame that crosses a flow twice (resubmit, recirculation, two hosts) counts once.
        if (h.last === v.frame) continue;
        if (h.frames === 0) h.first = v.frame;
        h.frames++;
        h.last = v.frame;
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
    if (h && h.frames > 0) {
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
