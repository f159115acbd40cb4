/**
 * Near misses: the flows of a table that fail to match a frame on only one or two fields — usually the
 * flow the operator expected to match ("table 4: priority 1 tun_id=0x64 expected, frame has 0x65").
 */
import type { FlowEntry } from "../dumps/flows.js";
import { formatFieldValue } from "../model/field-value.js";
import { allOnes, FIELD, type FieldDef, readField } from "../model/fields.js";
import type { FlowKey } from "../model/layout.js";
import { SHORTHANDS } from "../model/match.js";
import type { SimBridge } from "../pipeline/switch.js";
import type { NearMiss } from "./types.js";

const DL_TYPE = FIELD.dl_type;
const NW_PROTO = FIELD.nw_proto;

type Mismatch = NearMiss["mismatches"][number];

function differs(f: FieldDef, name: string, key: FlowKey, value: bigint, mask: bigint): Mismatch | undefined {
  const actual = readField(key, f);
  if ((actual & mask) === (value & mask)) return undefined;
  return { field: name, expected: formatFieldValue(f, value, mask), actual: formatFieldValue(f, actual) };
}

/** The fields of `flow`'s match that `key` fails, as OVS's match semantics read them. */
export function mismatchesOf(flow: FlowEntry, key: FlowKey, bridge: SimBridge): Mismatch[] {
  const out: Mismatch[] = [];
  const m = flow.match;
  if (m.shorthand) {
    const sh = SHORTHANDS[m.shorthand];
    const t = differs(DL_TYPE, "dl_type", key, BigInt(sh.dlType), allOnes(DL_TYPE.bits));
    if (t) t.expected = m.shorthand;
    if (t) out.push(t);
    else if (sh.nwProto !== undefined) {
      const p = differs(NW_PROTO, "nw_proto", key, BigInt(sh.nwProto), allOnes(NW_PROTO.bits));
      if (p) {
        p.expected = m.shorthand;
        out.push(p);
      }
    }
  }
  for (const mf of m.fields) {
    let value = mf.value.value;
    if (mf.value.portName) {
      const p = bridge.byName.get(mf.value.portName.name);
      if (!p) {
        out.push({ field: mf.name, expected: mf.value.portName.name, actual: "(no such port)" });
        continue;
      }
      value = BigInt(p.ofport);
    }
    const d = differs(mf.field, mf.name, key, value, mf.value.mask);
    if (d) out.push(d);
  }
  return out;
}

/**
 * The flows of `table` that fail on at most `maxFields` fields, fewest mismatches first, then highest
 * priority. `skip` is the flow that did match (not a miss). Looks at every flow of the table: this runs
 * once per dropped megaflow, not per packet.
 */
export function nearMisses(
  host: string,
  bridge: SimBridge,
  table: number,
  key: FlowKey,
  skip?: FlowEntry,
  limit = 3,
  maxFields = 2,
): NearMiss[] {
  const t = bridge.classifier.tables.get(table);
  if (!t) return [];
  const found: Array<{ miss: NearMiss; n: number }> = [];
  for (const cf of t.flows()) {
    const f = cf.flow;
    if (f === skip || (skip && f.priority < skip.priority)) continue;
    if (f.actions.length === 0) continue;
    const mismatches = mismatchesOf(f, key, bridge);
    if (mismatches.length === 0 || mismatches.length > maxFields) continue;
    found.push({
      n: mismatches.length,
      miss: {
        host,
        bridge: bridge.name,
        table,
        priority: f.priority,
        cookie: `0x${f.cookie.toString(16)}`,
        file: f.file,
        line: f.line,
        text: f.text.trim(),
        mismatches,
      },
    });
  }
  found.sort((a, b) => a.n - b.n || b.miss.priority - a.miss.priority);
  return found.slice(0, limit).map((x) => x.miss);
}

/** "br-tun table 4" or, for a table the frame never reached, "br-tun table 3, not visited". */
export function nearMissTable(n: NearMiss): string {
  return `${n.bridge} table ${n.table}${n.notVisited ? ", not visited" : ""}`;
}

/** "tun_id=0x64 expected, frame has tun_id=0x65; …" */
export function mismatchText(n: NearMiss): string {
  return n.mismatches
    .map((m) => `${m.field}=${m.expected} expected, frame has ${m.field}=${m.actual}`)
    .join("; ");
}

/** "br-tun table 4: priority 1 (file:line) tun_id=0x64 expected, frame has tun_id=0x65". */
export function formatNearMiss(n: NearMiss): string {
  return `${nearMissTable(n)}: priority ${n.priority} (${n.file}:${n.line}) ${mismatchText(n)}`;
}

const TUN_ID = FIELD.tun_id;

/** The tun_id values the flows of `table` match (tunnel ids the host maps), in dump order. */
export function tunnelIdsOf(bridge: SimBridge, table: number): string[] {
  const ids = new Set<string>();
  for (const cf of bridge.classifier.tables.get(table)?.flows() ?? [])
    for (const mf of cf.flow.match.fields)
      if (mf.field === TUN_ID) ids.add(formatFieldValue(TUN_ID, mf.value.value, mf.value.mask));
  return [...ids];
}
