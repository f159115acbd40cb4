/**
 * The northbound and southbound databases as ovspath sees them: tables of records, gathered from what
 * the loaded hosts hold. The database files sos copies are complete (every Logical_Flow with its UUID,
 * the source of the OpenFlow cookies); `ovn-nbctl list` / `ovn-sbctl list` outputs fill tables that no
 * file gave. Rows are the same values `ovs-vsctl list` prints, so readers below take either.
 */
import type { Host } from "../dumps/host/load.js";
import type { OvsdbRecord } from "../dumps/vsctl/list.js";
import type { OvsdbAtom, OvsdbValue } from "../dumps/vsctl/ovsdb-value.js";

export type Tables = Map<string, OvsdbRecord[]>;

export interface OvnDatabases {
  nb: Tables;
  sb: Tables;
  /** Where each came from, for the report ("central: ovnsb_db.db"). */
  sources: string[];
  /** The file each table was read from, by `nb:Table` / `sb:Table` (evidence for findings). */
  origin: Map<string, string>;
}

function addList(into: Tables, table: string, rows: OvsdbRecord[]): void {
  if (!into.has(table)) into.set(table, rows);
  else {
    // A second listing of one table (`--columns uuid list MAC_Binding` beside the full one): merge by
    // uuid, keeping every column either gave.
    const byUuid = new Map((into.get(table) ?? []).map((r) => [r.columns.get("_uuid"), r]));
    for (const r of rows) {
      const old = byUuid.get(r.columns.get("_uuid"));
      if (old) for (const [k, v] of r.columns) if (!old.columns.has(k)) old.columns.set(k, v);
    }
  }
}

/** Gathers the OVN databases of every loaded host (the central node's, usually). */
export function ovnDatabases(hosts: readonly Host[]): OvnDatabases {
  const nb: Tables = new Map();
  const sb: Tables = new Map();
  const sources: string[] = [];
  const origin = new Map<string, string>();
  for (const h of hosts)
    for (const d of h.dumps.ovnDatabase) {
      const which = d.value.name === "OVN_Northbound" ? "nb" : d.value.name === "OVN_Southbound" ? "sb" : "";
      if (!which) continue;
      const into = which === "nb" ? nb : sb;
      sources.push(d.file);
      for (const [t, rows] of d.value.tables)
        if (!into.has(t)) {
          into.set(t, rows);
          origin.set(`${which}:${t}`, d.file);
        }
    }
  // `list` outputs fill the tables no database file gave (two listings of one table merge).
  const fromFiles = new Set(origin.keys());
  for (const h of hosts)
    for (const [which, into, dumps] of [
      ["nb", nb, h.dumps.ovnNbList],
      ["sb", sb, h.dumps.ovnSbList],
    ] as const)
      for (const d of dumps) {
        if (!d.table || fromFiles.has(`${which}:${d.table}`)) continue;
        addList(into, d.table, d.value);
        if (!origin.has(`${which}:${d.table}`)) origin.set(`${which}:${d.table}`, d.file);
      }
  return { nb, sb, sources, origin };
}

// ---- Reading columns whichever way they were printed ----

/** A scalar column as a string ("" when absent or empty). */
export function str(r: OvsdbRecord, col: string): string {
  const v = r.columns.get(col);
  if (Array.isArray(v)) return v.length > 0 ? String(v[0]) : "";
  return v === undefined || v instanceof Map ? "" : String(v);
}

export function num(r: OvsdbRecord, col: string): number {
  const v = r.columns.get(col);
  const a = Array.isArray(v) ? v[0] : v;
  return typeof a === "number" ? a : Number(a ?? Number.NaN);
}

export function bool(r: OvsdbRecord, col: string): boolean {
  const v = r.columns.get(col);
  return (Array.isArray(v) ? v[0] : v) === true;
}

/** A set column (ovs-vsctl prints a one-element set as its atom). */
export function list(r: OvsdbRecord, col: string): OvsdbAtom[] {
  const v = r.columns.get(col);
  if (v === undefined || v instanceof Map) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is OvsdbAtom => !Array.isArray(x) && !(x instanceof Map));
}

export function map(r: OvsdbRecord, col: string): Map<string, string> {
  const v: OvsdbValue | undefined = r.columns.get(col);
  const out = new Map<string, string>();
  if (v instanceof Map) for (const [k, x] of v) out.set(k, String(x));
  return out;
}

export const uuidOf = (r: OvsdbRecord): string => str(r, "_uuid");
