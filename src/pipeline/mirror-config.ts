/**
 * Port mirrors as the OVSDB's Mirror table configures them (mirror.ts translates with them), read once
 * per bridge when the switch is built.
 */
import type { Host } from "../dumps/host/load.js";
import type { OvsdbValue } from "../dumps/vsctl/ovsdb-value.js";

export interface SimMirror {
  name: string;
  selectAll: boolean;
  /** Port names. */
  src: ReadonlySet<string>;
  dst: ReadonlySet<string>;
  /** VLANs selected (empty: all). */
  vlans: ReadonlySet<number>;
  outPort?: string;
  outVlan?: number;
  snaplen: number;
}

const str = (v: OvsdbValue | undefined): string => (v === undefined ? "" : String(v));
const list = (v: OvsdbValue | undefined): string[] =>
  Array.isArray(v) ? v.map(String) : v === undefined || v instanceof Map ? [] : [String(v)];

/** The mirrors of one bridge, from `ovs-vsctl list bridge/mirror/port` (ports named, not UUIDs). */
export function bridgeMirrors(host: Host, bridge: string): SimMirror[] {
  const rows = (table: string) =>
    host.dumps.vsctlList.filter((l) => l.table === table).flatMap((l) => l.value);
  const b = rows("bridge").find((r) => str(r.columns.get("name")) === bridge);
  const ids = new Set(list(b?.columns.get("mirrors")));
  if (ids.size === 0) return [];
  const portName = new Map(
    rows("port").map((r) => [str(r.columns.get("_uuid")), str(r.columns.get("name"))]),
  );
  const names = (v: OvsdbValue | undefined) => new Set(list(v).map((u) => portName.get(u) ?? u));
  const out: SimMirror[] = [];
  for (const r of rows("mirror")) {
    if (!ids.has(str(r.columns.get("_uuid")))) continue;
    const outPort = list(r.columns.get("output_port"))[0];
    const outVlan = list(r.columns.get("output_vlan"))[0];
    const snaplen = list(r.columns.get("snaplen"))[0];
    const m: SimMirror = {
      name: str(r.columns.get("name")),
      selectAll: str(r.columns.get("select_all")) === "true",
      src: names(r.columns.get("select_src_port")),
      dst: names(r.columns.get("select_dst_port")),
      vlans: new Set(list(r.columns.get("select_vlan")).map(Number)),
      snaplen: snaplen === undefined ? 0 : Number(snaplen),
    };
    if (outPort !== undefined) m.outPort = portName.get(outPort) ?? outPort;
    if (outVlan !== undefined) m.outVlan = Number(outVlan);
    out.push(m);
  }
  // OVS numbers mirrors in the order it configured them; the OVSDB's is the only one shown.
  return out;
}
