/**
 * The display-filter fields of a flow of a bridge's dump, by OVS's names: the flow's own (`table`,
 * `n_packets`, `actions`...) and every match field of the one field registry (`tun_id`, `nw_src`...),
 * whose values are as the dump prints them. Pure.
 */
import type { FlowEntry, StatName } from "../dumps/flows.js";
import type { FilterRecord, FilterScalar } from "../model/display-filter.js";
import { formatParsedValue } from "../model/field-value.js";
import { FIELDS, type FieldDef, lookupField } from "../model/fields.js";
import {
  ANY,
  BOOL,
  type FilterFieldType,
  IPV4,
  IPV6,
  MAC,
  REAL,
  STRING,
  uint,
} from "../model/filter-field-type.js";
import { formatMatch, SHORTHANDS } from "../model/match.js";
import { type FieldHelp, type FieldSpec, helpOf, lazyRecord, specTable } from "./filter-record.js";

interface FlowCtx {
  host: string;
  bridge: string;
  flow: FlowEntry;
}

const num = (text: string | undefined): FilterScalar[] => {
  if (text === undefined) return [];
  const n = Number.parseFloat(text);
  return Number.isNaN(n) ? [] : [n];
};

/** A number the dump prints beside the match (`n_packets=3`), by the same name. */
const stat = (name: StatName, description: string, type: FilterFieldType): FieldSpec<FlowCtx> => ({
  name,
  description,
  type,
  get: (c) => num(c.flow.stats[name]),
});

const FLOW_SPECS: ReadonlyArray<FieldSpec<FlowCtx>> = [
  { name: "host", description: "the host", type: STRING, get: (c) => [c.host] },
  { name: "bridge", description: "the bridge", type: STRING, get: (c) => [c.bridge] },
  { name: "table", description: "OpenFlow table", type: uint(8), get: (c) => [c.flow.table] },
  { name: "priority", description: "priority", type: uint(16), get: (c) => [c.flow.priority] },
  { name: "cookie", description: "cookie", type: uint(64), get: (c) => [c.flow.cookie] },
  stat("n_packets", "packets counted", uint(64)),
  stat("n_bytes", "bytes counted", uint(64)),
  stat("duration", "seconds since the flow was added", REAL),
  stat("idle_timeout", "idle timeout (seconds)", uint(16)),
  stat("hard_timeout", "hard timeout (seconds)", uint(16)),
  stat("idle_age", "seconds since the flow last matched", REAL),
  stat("hard_age", "seconds since the flow was added or modified", REAL),
  stat("importance", "eviction importance", uint(16)),
  {
    name: "actions",
    description: "the actions as dumped (for contains/matches)",
    type: STRING,
    get: (c) => [c.flow.actionsText],
  },
  {
    name: "match",
    description: "the match as dumped (for contains/matches)",
    type: STRING,
    get: (c) => [formatMatch(c.flow.match)],
  },
  { name: "text", description: "the whole flow line as dumped", type: STRING, get: (c) => [c.flow.text] },
  { name: "flags", description: "flow flags (send_flow_rem...)", type: STRING, get: (c) => c.flow.flags },
  { name: "file", description: "the dump file", type: STRING, get: (c) => [c.flow.file] },
  { name: "line", description: "line in the dump file", type: uint(32), get: (c) => [c.flow.line] },
  ...Object.entries(SHORTHANDS).map(([name, sh]) => ({
    name,
    description: `the flow matches ${name} (dl_type=0x${sh.dlType.toString(16).padStart(4, "0")}${sh.nwProto !== undefined ? `, nw_proto=${sh.nwProto}` : ""})`,
    type: BOOL,
    get: (c: FlowCtx) => (c.flow.match.shorthand === name ? [true] : []),
  })),
];

const FLOW_BY_NAME = specTable(FLOW_SPECS);

/** The flow fields: the flow's own (`table`, `n_packets`, `actions`...) then every match field of the registry. */
export const FLOW_FIELDS: readonly FieldHelp[] = [
  ...helpOf(FLOW_SPECS),
  ...FIELDS.map((f) => ({
    name: f.name,
    description: `match field${f.aliases.length > 0 ? ` (also ${f.aliases.join(", ")})` : ""}: as the dump prints it, present when the flow matches on it`,
  })),
];

/**
 * A match field's filter type: addresses by their kind (a literal network meets a dumped one),
 * integers that cannot be masked by their width; values a dump may print masked, as flags or as port
 * names take any literal, compared by its readings.
 */
function matchFieldType(f: FieldDef): FilterFieldType {
  switch (f.format) {
    case "ipv4":
      return IPV4;
    case "ipv6":
      return IPV6;
    case "mac":
      return MAC;
    case "dec":
    case "hex":
      return f.maskable ? ANY : uint(f.bits);
    default:
      return ANY;
  }
}

/** A flow field's type (the flow's own, or a match field's), or undefined for no such field. */
export function flowFieldType(name: string): FilterFieldType | undefined {
  const own = FLOW_BY_NAME.get(name);
  if (own) return own.type;
  const def = lookupField(name);
  return def && matchFieldType(def);
}

export function isFlowField(name: string): boolean {
  return flowFieldType(name) !== undefined;
}

/** A match field's values in a flow: as the dump prints them; dl_type/nw_proto also from a shorthand. */
function matchValues(flow: FlowEntry, name: string): FilterScalar[] | undefined {
  const def = lookupField(name);
  if (!def) return undefined;
  const out: FilterScalar[] = flow.match.fields
    .filter((mf) => mf.field === def)
    .map((mf) => formatParsedValue(mf.field, mf.value));
  const sh = flow.match.shorthand === undefined ? undefined : SHORTHANDS[flow.match.shorthand];
  if (sh && def.name === "dl_type" && out.length === 0) out.push(sh.dlType);
  if (sh?.nwProto !== undefined && def.name === "nw_proto" && out.length === 0) out.push(sh.nwProto);
  return out.length > 0 ? out : undefined;
}

/** The filter record of one flow of a bridge's dump. */
export function flowRecord(host: string, bridge: string, flow: FlowEntry): FilterRecord {
  const own = lazyRecord(FLOW_BY_NAME, { host, bridge, flow });
  return {
    values(field) {
      return FLOW_BY_NAME.has(field) ? own.values(field) : matchValues(flow, field);
    },
  };
}
