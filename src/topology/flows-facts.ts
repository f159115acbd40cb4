/**
 * What Neutron's flows say about wiring: local VLAN ↔ segmentation id (br-tun tables 3/4/6 in, 22 out;
 * br-int table 0 for provider bridges) and IP ↔ MAC/port hints (br-int table 24 anti-spoofing, br-tun
 * table 21 ARP responder). Read from the parsed flows through the field registry and action table.
 */
import type { FlowEntry } from "../dumps/flows.js";
import type { Action } from "../model/actions/index.js";
import { formatFieldValue } from "../model/field-value.js";
import { allOnes, FIELD, type FieldName } from "../model/fields.js";
import { VLAN_CFI } from "../model/layout.js";
import type { Match } from "../model/match.js";
import type { Evidence, HostTopology, Segment } from "./model.js";

function field(m: Match, name: FieldName): bigint | undefined {
  const f = m.fields.find((x) => x.field.name === name);
  return f && !f.value.portName ? f.value.value : undefined;
}

function fieldMask(m: Match, name: FieldName): bigint | undefined {
  return m.fields.find((x) => x.field.name === name)?.value.mask;
}

/** The VLAN id's bits of a TCI (dl_vlan), and with the tag-present bit (vlan_vid). */
const VID = allOnes(FIELD.dl_vlan.bits);
const VID_PRESENT = allOnes(FIELD.vlan_vid.bits);

/** The VLAN id an action list sets (mod_vlan_vid, set_field:4096+V->vlan_vid, load to vlan_tci), if any. */
export function vlanSetBy(actions: readonly Action[]): number | undefined {
  for (const a of actions) {
    if (a.type === "setVlanVid") return a.vid;
    if (a.type === "setField" && a.field === FIELD.vlan_vid) return Number(a.value.value & VID);
    if (a.type === "setField" && a.field === FIELD.vlan_tci) return Number(a.value.value & VID);
    if (a.type === "load" && a.dst.field === FIELD.vlan_tci && a.dst.ofs === 0) return Number(a.value & VID);
  }
  return undefined;
}

/** The tunnel id an action list sets (set_tunnel, load/set_field to tun_id), if any. */
export function tunIdSetBy(actions: readonly Action[]): number | undefined {
  for (const a of actions) {
    if (a.type === "setTunnel") return Number(a.id);
    if (a.type === "setField" && a.field === FIELD.tun_id) return Number(a.value.value);
    if (a.type === "load" && a.dst.field === FIELD.tun_id) return Number(a.value);
  }
  return undefined;
}

export function outputPorts(actions: readonly Action[]): number[] {
  return actions.flatMap((a) => (a.type === "output" && a.port.number !== undefined ? [a.port.number] : []));
}

const ARP_SPA = FIELD.arp_spa;
const DL_SRC = FIELD.dl_src;

const IN_TABLE_TYPE: Record<number, Segment["type"]> = { 3: "gre", 4: "vxlan", 6: "geneve" };

const evidence = (f: FlowEntry): Evidence => ({ file: f.file, line: f.line });

/** The local VLAN of a match (dl_vlan=V, or vlan_tci=0x1VVV/0x1fff), if it names one. */
function matchVlan(m: Match): number | undefined {
  const v = field(m, "dl_vlan");
  if (v !== undefined) return Number(v);
  const tci = field(m, "vlan_tci");
  const mask = fieldMask(m, "vlan_tci") ?? 0n;
  if (tci !== undefined && (mask & VID_PRESENT) === VID_PRESENT && tci & BigInt(VLAN_CFI))
    return Number(tci & VID);
  return undefined;
}

/** Segments from br-tun's flows; `portName` turns output port numbers into names. */
export function tunnelSegments(
  flows: readonly FlowEntry[],
  portName: (n: number) => string | undefined,
): Segment[] {
  const byVlan = new Map<number, Segment>();
  const get = (vlan: number): Segment => {
    let s = byVlan.get(vlan);
    if (!s) {
      s = { localVlan: vlan, type: "unknown", outPorts: [] };
      byVlan.set(vlan, s);
    }
    return s;
  };
  for (const f of flows) {
    if (f.table === 22) {
      const vlan = matchVlan(f.match);
      const seg = tunIdSetBy(f.actions);
      if (vlan === undefined || seg === undefined) continue;
      const s = get(vlan);
      s.segmentationId = seg;
      s.outbound = evidence(f);
      s.outPorts = outputPorts(f.actions).map((n) => portName(n) ?? String(n));
    } else if (IN_TABLE_TYPE[f.table]) {
      const tun = field(f.match, "tun_id");
      const vlan = vlanSetBy(f.actions);
      if (tun === undefined || vlan === undefined) continue;
      const s = get(vlan);
      s.segmentationId = Number(tun);
      s.type = IN_TABLE_TYPE[f.table];
      s.inbound = evidence(f);
    }
  }
  return [...byVlan.values()].sort((a, b) => a.localVlan - b.localVlan);
}

/**
 * Provider segments from br-int table 0: `in_port=int-br-X,vlan_tci=0x0000/0x1fff → local VLAN` (flat)
 * or `in_port=int-br-X,dl_vlan=S → mod_vlan_vid:V` (VLAN S).
 */
export function providerSegments(
  flows: readonly FlowEntry[],
  intPorts: ReadonlyMap<number, string>,
): Segment[] {
  const out: Segment[] = [];
  for (const f of flows) {
    if (f.table !== 0) continue;
    const inPort = field(f.match, "in_port");
    if (inPort === undefined || !intPorts.has(Number(inPort))) continue;
    const vlan = vlanSetBy(f.actions);
    if (vlan === undefined) continue;
    const wireVlan = matchVlan(f.match);
    const s: Segment = {
      localVlan: vlan,
      type: wireVlan === undefined ? "flat" : "vlan",
      outPorts: [intPorts.get(Number(inPort)) ?? String(inPort)],
      inbound: evidence(f),
    };
    if (wireVlan !== undefined) s.segmentationId = wireVlan;
    out.push(s);
  }
  return out;
}

/** IP hints from anti-spoofing (table 24: arp_spa + in_port) and the ARP responder (table 21). */
export function ipHints(flows: readonly FlowEntry[]): HostTopology["ipHints"] {
  const out: HostTopology["ipHints"] = [];
  const ipOf = (v: bigint) => formatFieldValue(ARP_SPA, v);
  const macOf = (v: bigint) => formatFieldValue(DL_SRC, v);
  for (const f of flows) {
    const spa = field(f.match, "arp_spa");
    const inPort = field(f.match, "in_port");
    if (spa !== undefined && inPort !== undefined && fieldMask(f.match, "arp_spa") === allOnes(ARP_SPA.bits))
      out.push({ ip: ipOf(spa), ofport: Number(inPort) });
    const tpa = field(f.match, "arp_tpa");
    const mac = f.actions.find((a) => a.type === "setField" && a.field === FIELD.dl_src);
    if (tpa !== undefined && mac?.type === "setField") {
      const h: HostTopology["ipHints"][number] = { ip: ipOf(tpa), mac: macOf(mac.value.value) };
      const vlan = matchVlan(f.match);
      if (vlan !== undefined) h.vlan = vlan;
      out.push(h);
    }
  }
  return out;
}
