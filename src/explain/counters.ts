/**
 * Counter evidence: with a flow dump taken before and one after the capture, the flows whose n_packets
 * grew are the ones real traffic hit — evidence for (or against) the path the replay modelled.
 */
import type { FlowEntry } from "../dumps/flows.js";
import { formatMatch } from "../model/match.js";

export interface CounterDelta {
  table: number;
  priority: number;
  match: string;
  cookie: string;
  delta: number;
  /** Where the flow is in the "after" dump. */
  file: string;
  line: number;
}

function identity(f: FlowEntry): string {
  return `${f.table}\u0000${f.priority}\u0000${formatMatch({ ...f.match, priority: undefined })}`;
}

function packets(f: FlowEntry): number {
  const n = Number(f.stats.n_packets ?? Number.NaN);
  return Number.isFinite(n) ? n : 0;
}

/** Flows of `after` whose n_packets exceeds the same flow's in `before` (new flows count from 0). */
export function counterEvidence(before: readonly FlowEntry[], after: readonly FlowEntry[]): CounterDelta[] {
  const old = new Map(before.map((f) => [identity(f), packets(f)]));
  const out: CounterDelta[] = [];
  for (const f of after) {
    const delta = packets(f) - (old.get(identity(f)) ?? 0);
    if (delta <= 0) continue;
    out.push({
      table: f.table,
      priority: f.priority,
      match: formatMatch({ ...f.match, priority: undefined }),
      cookie: `0x${f.cookie.toString(16)}`,
      delta,
      file: f.file,
      line: f.line,
    });
  }
  return out.sort((a, b) => a.table - b.table || b.priority - a.priority);
}
