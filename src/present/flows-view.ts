/**
 * What `ovspath flows` shows: each host's flows grouped by bridge and table, port numbers shown by
 * name, optionally narrowed to a bridge, a table, or the flows a partial flow could match. Pure: the
 * CLI prints the text or the JSON.
 */

import type { FlowEntry } from "../dumps/flows.js";
import type { BridgeView, Host } from "../dumps/host/load.js";
import { formatActions } from "../model/actions/index.js";
import { couldMatch } from "../model/flow-filter.js";
import { type CompiledMatch, compileMatch, formatMatch, type Match } from "../model/match.js";
import { nameActionPorts, nameMatchPorts, portResolver } from "../model/port-names.js";

export interface FlowsQuery {
  bridge?: string;
  table?: number;
  filter?: Match;
}

export interface FlowRow {
  table: number;
  priority: number;
  cookie: string;
  match: string;
  actions: string;
  nPackets?: string;
  nBytes?: string;
  file: string;
  line: number;
}

export interface BridgeFlows {
  bridge: string;
  /** The dump used, and its OpenFlow version. */
  file?: string;
  ofVersion: string;
  total: number;
  tables: Array<{ table: number; flows: FlowRow[] }>;
  /** Why nothing is shown (no flow dump for this bridge, a filter port name it does not know). */
  note?: string;
}

export interface HostFlows {
  host: string;
  source: string;
  bridges: BridgeFlows[];
}

function row(f: FlowEntry, names: ReadonlyMap<number, string>): FlowRow {
  const r: FlowRow = {
    table: f.table,
    priority: f.priority,
    cookie: `0x${f.cookie.toString(16)}`,
    match: formatMatch(nameMatchPorts(f.match, names)),
    actions: formatActions(nameActionPorts(f.actions, names)),
    file: f.file,
    line: f.line,
  };
  if (f.stats.n_packets !== undefined) r.nPackets = f.stats.n_packets;
  if (f.stats.n_bytes !== undefined) r.nBytes = f.stats.n_bytes;
  return r;
}

function bridgeFlows(b: BridgeView, q: FlowsQuery): BridgeFlows {
  const dump = b.flows;
  const out: BridgeFlows = { bridge: b.name, ofVersion: dump?.ofVersion ?? "1.0", total: 0, tables: [] };
  if (!dump) return { ...out, note: "no flow dump for this bridge" };
  out.file = dump.file;
  out.total = dump.value.flows.length;
  const resolve = portResolver(b.portNames);
  let filter: CompiledMatch | undefined;
  if (q.filter) {
    const c = compileMatch(q.filter, resolve);
    if (!c.ok) return { ...out, note: `filter: ${c.message} on ${b.name}` };
    filter = c.value;
  }
  const byTable = new Map<number, FlowRow[]>();
  for (const f of dump.value.flows) {
    if (q.table !== undefined && f.table !== q.table) continue;
    if (filter) {
      const c = compileMatch(f.match, resolve);
      // A flow naming a port we cannot resolve is kept: we cannot rule it out.
      if (c.ok && !couldMatch(c.value, filter)) continue;
    }
    const rows = byTable.get(f.table) ?? [];
    rows.push(row(f, b.portNames));
    byTable.set(f.table, rows);
  }
  for (const [table, flows] of [...byTable].sort(([a], [b]) => a - b)) {
    // OVS's own order within a table: priority, highest first.
    flows.sort((x, y) => y.priority - x.priority);
    out.tables.push({ table, flows });
  }
  return out;
}

export function flowsView(hosts: readonly Host[], q: FlowsQuery): HostFlows[] {
  return hosts.map((h) => ({
    host: h.name,
    source: h.source,
    bridges: h.bridges
      .filter((b) => q.bridge === undefined || b.name === q.bridge)
      .map((b) => bridgeFlows(b, q)),
  }));
}
