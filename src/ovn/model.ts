/**
 * The logical network of an OVN deployment, from its databases: logical switches and routers
 * (SB Datapath_Binding, named by NB), their ports and where each is bound (Port_Binding → Chassis),
 * the chassis with their encapsulations, the logical flows (with the 32-bit cookie ovn-controller gives
 * each OpenFlow flow it compiles from one), and the northbound objects flows are made from (ACLs,
 * port groups, address sets, load balancers, NAT, routes...). Pure: built from tables, read-only after.
 */
import type { OvsdbRecord } from "../dumps/vsctl/list.js";
import { list, map, num, type OvnDatabases, str, type Tables, uuidOf } from "./db.js";

export interface LogicalDatapath {
  uuid: string;
  name: string;
  /** The datapath's tunnel key: OpenFlow `metadata`, and the Geneve VNI between chassis. */
  tunnelKey: number;
  kind: "switch" | "router" | "unknown";
}

export interface ChassisInfo {
  uuid: string;
  name: string;
  hostname: string;
  encaps: Array<{ type: string; ip: string; options: Map<string, string> }>;
}

export interface PortBinding {
  uuid: string;
  logicalPort: string;
  /** The port's key in its datapath: reg14/reg15, and the Geneve option's in/out port. */
  tunnelKey: number;
  datapath?: LogicalDatapath;
  /** "" for a VM port, else patch, router, localnet, l3gateway, chassisredirect, localport... */
  type: string;
  chassis?: ChassisInfo;
  mac: string[];
  options: Map<string, string>;
}

export interface LogicalFlow {
  uuid: string;
  datapaths: LogicalDatapath[];
  pipeline: string;
  table: number;
  stage: string;
  priority: number;
  match: string;
  actions: string;
  /** First 8 hex digits of the northbound object the flow was made for (external_ids:stage-hint). */
  stageHint?: string;
}

export interface MulticastGroup {
  uuid: string;
  name: string;
  tunnelKey: number;
  datapath?: LogicalDatapath;
  ports: string[];
}

export interface MacBinding {
  uuid: string;
  ip: string;
  mac: string;
  logicalPort: string;
  datapath?: LogicalDatapath;
}

export interface OvnModel {
  nb: Tables;
  sb: Tables;
  /** The file each table came from (`nb:ACL` → path). */
  origin: Map<string, string>;
  datapaths: Map<string, LogicalDatapath>;
  chassis: Map<string, ChassisInfo>;
  portBindings: PortBinding[];
  logicalFlows: LogicalFlow[];
  multicastGroups: MulticastGroup[];
  macBindings: MacBinding[];
  /** Whether the SB gave Logical_Flow rows (UUIDs): without them cookies cannot be mapped. */
  haveLogicalFlows: boolean;
}

const rows = (t: Tables, name: string): OvsdbRecord[] => t.get(name) ?? [];

function datapathOf(r: OvsdbRecord, nbSwitches: Set<string>, nbRouters: Set<string>): LogicalDatapath {
  const ids = map(r, "external_ids");
  const nbSwitch = ids.get("logical-switch");
  const nbRouter = ids.get("logical-router");
  const kind =
    nbSwitch !== undefined || (ids.get("name") !== undefined && nbSwitches.has(ids.get("name") ?? ""))
      ? "switch"
      : nbRouter !== undefined || nbRouters.has(ids.get("name") ?? "")
        ? "router"
        : "unknown";
  return { uuid: uuidOf(r), name: ids.get("name") ?? uuidOf(r), tunnelKey: num(r, "tunnel_key"), kind };
}

export function buildOvnModel(db: OvnDatabases): OvnModel {
  const { nb, sb } = db;
  const nbSwitches = new Set(rows(nb, "Logical_Switch").map((r) => str(r, "name")));
  const nbRouters = new Set(rows(nb, "Logical_Router").map((r) => str(r, "name")));
  const datapaths = new Map<string, LogicalDatapath>();
  for (const r of rows(sb, "Datapath_Binding")) {
    const d = datapathOf(r, nbSwitches, nbRouters);
    datapaths.set(d.uuid, d);
  }
  const encaps = new Map(rows(sb, "Encap").map((r) => [uuidOf(r), r]));
  const chassis = new Map<string, ChassisInfo>();
  for (const r of rows(sb, "Chassis")) {
    const c: ChassisInfo = {
      uuid: uuidOf(r),
      name: str(r, "name"),
      hostname: str(r, "hostname"),
      encaps: list(r, "encaps").flatMap((u) => {
        const e = encaps.get(String(u));
        return e ? [{ type: str(e, "type"), ip: str(e, "ip"), options: map(e, "options") }] : [];
      }),
    };
    chassis.set(c.uuid, c);
  }
  const portBindings: PortBinding[] = rows(sb, "Port_Binding").map((r) => {
    const pb: PortBinding = {
      uuid: uuidOf(r),
      logicalPort: str(r, "logical_port"),
      tunnelKey: num(r, "tunnel_key"),
      type: str(r, "type"),
      mac: list(r, "mac").map(String),
      options: map(r, "options"),
    };
    const dp = datapaths.get(str(r, "datapath"));
    if (dp) pb.datapath = dp;
    const ch = chassis.get(str(r, "chassis"));
    if (ch) pb.chassis = ch;
    return pb;
  });
  const groups = new Map(
    rows(sb, "Logical_DP_Group").map((r) => [uuidOf(r), list(r, "datapaths").map(String)]),
  );
  const logicalFlows: LogicalFlow[] = rows(sb, "Logical_Flow").map((r) => {
    const ids = map(r, "external_ids");
    const dpUuids = [str(r, "logical_datapath"), ...(groups.get(str(r, "logical_dp_group")) ?? [])];
    const f: LogicalFlow = {
      uuid: uuidOf(r),
      datapaths: dpUuids.flatMap((u) => datapaths.get(u) ?? []),
      pipeline: str(r, "pipeline"),
      table: num(r, "table_id"),
      stage: ids.get("stage-name") ?? "",
      priority: num(r, "priority"),
      match: str(r, "match"),
      actions: str(r, "actions"),
    };
    const hint = ids.get("stage-hint");
    if (hint) f.stageHint = hint;
    return f;
  });
  const pbByUuid = new Map(portBindings.map((p) => [p.uuid, p]));
  const multicastGroups: MulticastGroup[] = rows(sb, "Multicast_Group").map((r) => {
    const g: MulticastGroup = {
      uuid: uuidOf(r),
      name: str(r, "name"),
      tunnelKey: num(r, "tunnel_key"),
      ports: list(r, "ports").map((u) => pbByUuid.get(String(u))?.logicalPort ?? String(u)),
    };
    const dp = datapaths.get(str(r, "datapath"));
    if (dp) g.datapath = dp;
    return g;
  });
  const macBindings: MacBinding[] = rows(sb, "MAC_Binding").map((r) => {
    const m: MacBinding = {
      uuid: uuidOf(r),
      ip: str(r, "ip"),
      mac: str(r, "mac"),
      logicalPort: str(r, "logical_port"),
    };
    const dp = datapaths.get(str(r, "datapath"));
    if (dp) m.datapath = dp;
    return m;
  });
  return {
    nb,
    sb,
    origin: db.origin,
    datapaths,
    chassis,
    portBindings,
    logicalFlows,
    multicastGroups,
    macBindings,
    haveLogicalFlows: sb.has("Logical_Flow"),
  };
}

/** Whether a model has anything OVN in it (else OVN features stay silent). */
export function isOvn(m: OvnModel): boolean {
  return m.datapaths.size > 0 || m.nb.size > 0;
}
