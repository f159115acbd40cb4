/**
 * An OVSDB database file as ovsdb-server writes it (ovsdb/log.c, ovsdb/file.c, ovsdb/raft.c) and sos
 * copies it (`/var/lib/ovn/ovnnb_db.db`, `ovnsb_db.db`): a log of records, each a header line
 * `OVSDB JSON|CLUSTER <length> <sha1>` followed by one line of JSON.
 * - standalone (`OVSDB JSON`): the schema, then transactions `{"Table": {"uuid": row | null}, ...}`;
 * - clustered (`OVSDB CLUSTER`): a header whose `prev_data` is [schema, snapshot], then raft entries
 *   (`{"term", "index", "data": [schema | null, transaction]}`) among votes and commit indexes.
 * A transaction marked `_is_diff` gives, for a row that exists, only what changed: a scalar column its
 * new value, a set the elements to toggle, a map the pairs to add, change, or (same key and value)
 * remove. Replaying the log gives the database as it was when copied: every table's rows, keyed by
 * `_uuid`, as the same values `ovs-vsctl list` prints.
 */
import { DiagnosticSink, type DumpLine, dumpLines, type Parsed } from "../parsed.js";
import type { OvsdbRecord } from "../vsctl/list.js";
import type { OvsdbAtom, OvsdbValue } from "../vsctl/ovsdb-value.js";

export interface OvsdbDatabase {
  /** The schema's name: OVN_Northbound, OVN_Southbound, Open_vSwitch. */
  name: string;
  clustered: boolean;
  /** Table name → rows (each with its `_uuid` column), in the order they were first inserted. */
  tables: Map<string, OvsdbRecord[]>;
}

/** An optional column (a set of at most one) is replaced by a diff, as ovsdb-server writes it. */
type ColumnKind = "scalar" | "optional" | "set" | "map";
interface Column {
  kind: ColumnKind;
  /** The default every row has until a transaction sets it (OVSDB never writes defaults). */
  empty: OvsdbValue;
}
type Schema = Map<string, Map<string, Column>>;
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const UTF8 = new TextEncoder();
const HEADER = /^OVSDB (JSON|CLUSTER) (\d+) ([0-9a-f]{40})$/;

export function looksLikeOvsdbFile(head: string): boolean {
  return /^OVSDB (JSON|CLUSTER) \d+ [0-9a-f]{40}\n\{/.test(head);
}

const isObject = (j: Json | undefined): j is JsonObject =>
  typeof j === "object" && j !== null && !Array.isArray(j);

function columnKind(type: Json): ColumnKind {
  if (!isObject(type)) return "scalar";
  if (type.value !== undefined) return "map";
  const min = typeof type.min === "number" ? type.min : 1;
  const max = type.max ?? 1;
  return max !== 1 ? "set" : min === 1 ? "scalar" : "optional";
}

function defaultAtom(type: Json): OvsdbAtom {
  const base = isObject(type) ? (isObject(type.key) ? type.key.type : type.key) : type;
  if (base === "integer" || base === "real") return 0;
  if (base === "boolean") return false;
  if (base === "uuid") return "00000000-0000-0000-0000-000000000000";
  return "";
}

function column(type: Json): Column {
  const kind = columnKind(type);
  return { kind, empty: kind === "scalar" ? defaultAtom(type) : kind === "map" ? new Map() : [] };
}

function readSchema(j: Json): Schema | string {
  if (!isObject(j) || !isObject(j.tables)) return "a schema needs a tables object";
  const schema: Schema = new Map();
  for (const [table, t] of Object.entries(j.tables)) {
    const cols = new Map<string, Column>();
    if (isObject(t) && isObject(t.columns))
      for (const [c, def] of Object.entries(t.columns)) cols.set(c, column(isObject(def) ? def.type : null));
    schema.set(table, cols);
  }
  return schema;
}

/** An atom: ["uuid", s] and ["named-uuid", s] become the uuid string. */
function atom(j: Json): OvsdbAtom | undefined {
  if (typeof j === "string" || typeof j === "number" || typeof j === "boolean") return j;
  if (
    Array.isArray(j) &&
    j.length === 2 &&
    (j[0] === "uuid" || j[0] === "named-uuid") &&
    typeof j[1] === "string"
  )
    return j[1];
  return undefined;
}

function elements(j: Json): OvsdbAtom[] | undefined {
  if (Array.isArray(j) && j[0] === "set" && Array.isArray(j[1])) {
    const out: OvsdbAtom[] = [];
    for (const e of j[1]) {
      const a = atom(e);
      if (a === undefined) return undefined;
      out.push(a);
    }
    return out;
  }
  const a = atom(j);
  return a === undefined ? undefined : [a];
}

function pairs(j: Json): Map<string, OvsdbValue> | undefined {
  if (!Array.isArray(j) || j[0] !== "map" || !Array.isArray(j[1])) return undefined;
  const out = new Map<string, OvsdbValue>();
  for (const p of j[1]) {
    if (!Array.isArray(p) || p.length !== 2) return undefined;
    const k = atom(p[0]);
    const v = atom(p[1]);
    if (k === undefined || v === undefined) return undefined;
    out.set(String(k), v);
  }
  return out;
}

type Applied = { value: OvsdbValue } | { error: string };

/** Applies one column's JSON to its old value (a diff or a whole value). */
function columnValue(kind: ColumnKind, j: Json, old: OvsdbValue | undefined, diff: boolean): Applied {
  switch (kind) {
    case "scalar": {
      const a = atom(j);
      return a === undefined ? { error: "not an atom" } : { value: a };
    }
    case "optional":
    case "set": {
      const e = elements(j);
      if (!e) return { error: "not a set" };
      if (!diff || kind === "optional" || !Array.isArray(old)) return { value: e };
      const out = [...old];
      for (const x of e) {
        const i = out.indexOf(x);
        if (i >= 0) out.splice(i, 1);
        else out.push(x);
      }
      return { value: out };
    }
    case "map": {
      const m = pairs(j);
      if (!m) return { error: "not a map" };
      if (!diff || !(old instanceof Map)) return { value: m };
      const out = new Map(old);
      for (const [k, v] of m) {
        if (out.get(k) === v) out.delete(k);
        else out.set(k, v);
      }
      return { value: out };
    }
    default: {
      const _: never = kind;
      return _;
    }
  }
}

class Replay {
  schema: Schema = new Map();
  name = "";
  readonly rows = new Map<string, Map<string, OvsdbRecord>>();
  constructor(
    readonly sink: DiagnosticSink,
    readonly clustered: boolean,
  ) {}

  setSchema(j: Json, l: DumpLine): void {
    const s = readSchema(j);
    if (typeof s === "string") return this.sink.error(l, 1, s, "schema");
    this.schema = s;
    if (isObject(j) && typeof j.name === "string") this.name = j.name;
  }

  transaction(t: Json, l: DumpLine): void {
    if (!isObject(t)) return this.sink.error(l, 1, "a transaction must be a JSON object", "data");
    const diff = t._is_diff === true;
    for (const [table, changes] of Object.entries(t)) {
      if (table.startsWith("_")) continue; // _date, _comment, _is_diff
      const cols = this.schema.get(table);
      if (!cols || !isObject(changes)) {
        this.sink.error(l, 1, `table ${table} is not in the schema`, table);
        continue;
      }
      const rows = this.rows.get(table) ?? new Map<string, OvsdbRecord>();
      this.rows.set(table, rows);
      for (const [uuid, row] of Object.entries(changes)) {
        if (row === null) {
          rows.delete(uuid);
          continue;
        }
        if (!isObject(row)) {
          this.sink.error(l, 1, `${table} ${uuid}: a row must be a JSON object or null`, table);
          continue;
        }
        const old = rows.get(uuid);
        const rec: OvsdbRecord = old ?? { columns: new Map([["_uuid", uuid]]), line: l.line };
        if (!old) for (const [c, def] of cols) rec.columns.set(c, def.empty);
        for (const [c, v] of Object.entries(row)) {
          const kind = cols.get(c)?.kind;
          if (kind === undefined) {
            this.sink.error(l, 1, `${table}.${c} is not in the schema`, c);
            continue;
          }
          const value = columnValue(kind, v, rec.columns.get(c), diff && old !== undefined);
          if ("error" in value) this.sink.error(l, 1, `${table}.${c} of ${uuid}: ${value.error}`, c);
          else rec.columns.set(c, value.value);
        }
        rows.set(uuid, rec);
      }
    }
  }

  record(j: JsonObject, l: DumpLine, first: boolean): void {
    if (!this.clustered) {
      if (first) this.setSchema(j, l);
      else this.transaction(j, l);
      return;
    }
    if (first) {
      const prev = j.prev_data;
      if (typeof j.name === "string") this.name = j.name;
      if (!Array.isArray(prev) || prev.length !== 2)
        return this.sink.error(l, 1, "a cluster header needs prev_data [schema, data]", "prev_data");
      this.setSchema(prev[0], l);
      this.transaction(prev[1], l);
      return;
    }
    if (j.data === undefined) return; // votes, leaders, commit indexes: raft bookkeeping
    if (!Array.isArray(j.data) || j.data.length !== 2)
      return this.sink.error(l, 1, "a raft entry's data must be [schema, transaction]", "data");
    if (j.data[0] !== null) this.setSchema(j.data[0], l);
    if (j.data[1] !== null) this.transaction(j.data[1], l);
  }
}

/** Column of a JSON.parse error ("... at position N"), 1-based; 1 when the engine does not say. */
function jsonErrorColumn(e: unknown): number {
  const m = /position (\d+)/.exec(e instanceof Error ? e.message : "");
  return m ? Number(m[1]) + 1 : 1;
}

export function parseOvsdbFile(text: string, file: string): Parsed<OvsdbDatabase> {
  const sink = new DiagnosticSink(file);
  const lines = dumpLines(text);
  const clustered = lines[0]?.text.startsWith("OVSDB CLUSTER") === true;
  const replay = new Replay(sink, clustered);
  let first = true;
  for (let i = 0; i < lines.length; i++) {
    const h = lines[i];
    const m = HEADER.exec(h.text);
    if (!m) {
      sink.unparsed(h, "an OVSDB record header (OVSDB JSON|CLUSTER length sha1)");
      continue;
    }
    const body = lines[i + 1];
    if (body === undefined || body.line !== h.line + 1) {
      sink.error(h, 1, "record header without its JSON line");
      continue;
    }
    i++;
    // The length counts the JSON and its line ending.
    const length = UTF8.encode(body.text).length + 1;
    if (length !== Number(m[2]))
      sink.error(
        h,
        8 + m[1].length,
        `record length ${m[2]} but the JSON line and its newline have ${length} bytes`,
        "length",
      );
    let j: Json;
    try {
      j = JSON.parse(body.text) as Json;
    } catch (e) {
      sink.error(body, jsonErrorColumn(e), `not JSON: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    if (!isObject(j)) {
      sink.error(body, 1, "an OVSDB record must be a JSON object");
      continue;
    }
    replay.record(j, body, first);
    first = false;
  }
  const tables = new Map<string, OvsdbRecord[]>();
  for (const [t, rows] of replay.rows) tables.set(t, [...rows.values()]);
  return { value: { name: replay.name, clustered, tables }, diagnostics: sink.diagnostics };
}
