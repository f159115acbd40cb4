/**
 * `ovspath show`'s lines about OVN for one host: what its databases hold (a central node), and what
 * ovn-controller left on a chassis (conntrack zones, the Geneve TLV map, its connection). Pure.
 */
import type { Host } from "../dumps/host/load.js";
import { ovnDatabases } from "../ovn/db.js";
import { buildOvnModel } from "../ovn/model.js";
import { escapeText } from "../util/escape.js";

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function ovnSummaryLines(host: Host): string[] {
  const out: string[] = [];
  const db = ovnDatabases([host]);
  const m = buildOvnModel(db);
  const n = (t: string) => m.nb.get(t)?.length ?? 0;
  if (m.nb.size > 0)
    out.push(
      `OVN northbound: ${[
        count(n("Logical_Switch"), "switch", "switches"),
        count(n("Logical_Router"), "router"),
        count(n("Logical_Switch_Port") + n("Logical_Router_Port"), "port"),
        count(n("ACL"), "ACL"),
        count(n("Port_Group"), "port group"),
        count(n("Address_Set"), "address set"),
        count(n("Load_Balancer"), "load balancer"),
        count(n("NAT"), "NAT rule"),
      ].join(", ")}`,
    );
  if (m.sb.size > 0)
    out.push(
      `OVN southbound: ${[
        count(m.datapaths.size, "datapath"),
        count(m.chassis.size, "chassis", "chassis"),
        count(m.portBindings.length, "port binding"),
        m.haveLogicalFlows
          ? count(m.logicalFlows.length, "logical flow")
          : "no Logical_Flow rows (cookies cannot be mapped)",
      ].join(", ")}`,
    );
  if (db.sources.length) out.push(`OVN databases: ${db.sources.map(escapeText).join(", ")}`);
  const zones = host.dumps.ovnCtZones.flatMap((d) => d.value);
  const tlv = host.dumps.tlvMap.flatMap((d) =>
    d.value.map(
      (t) => `${t.field} = class 0x${t.optClass.toString(16)} type 0x${t.type.toString(16)} (${d.bridge})`,
    ),
  );
  const status = host.dumps.ovnControllerStatus[0]?.value;
  const chassis = [
    zones.length ? count(zones.length, "conntrack zone") : "",
    tlv.length ? `Geneve options ${tlv.map(escapeText).join(", ")}` : "",
    status ? `ovn-controller ${escapeText(status)}` : "",
  ].filter(Boolean);
  if (chassis.length) out.push(`OVN chassis: ${chassis.join("; ")}`);
  return out;
}
