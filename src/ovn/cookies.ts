/**
 * From an OpenFlow cookie to what OVN made the flow from, as `ovn-detrace` does against live databases:
 * ovn-controller sets each flow's cookie to the first 32 bits of the UUID of the southbound row it
 * compiled it from — a Logical_Flow, a Port_Binding (physical tables 0, 37-39, 65), a MAC_Binding,
 * a Multicast_Group or a Chassis. A logical flow's `stage-hint` is in turn the first 32 bits of the
 * northbound object it implements (ACL, switch or router port, load balancer, NAT, route, policy...).
 */
import type { OvsdbRecord } from "../dumps/vsctl/list.js";
import { bool, list, map, num, str, uuidOf } from "./db.js";
import type {
  ChassisInfo,
  LogicalDatapath,
  LogicalFlow,
  MacBinding,
  MulticastGroup,
  OvnModel,
  PortBinding,
} from "./model.js";

/** A northbound object a logical flow was made for. */
export type NbObject =
  | {
      kind: "acl";
      uuid: string;
      name: string;
      direction: string;
      priority: number;
      match: string;
      action: string;
      log: boolean;
      severity: string;
    }
  | {
      kind: "switchPort";
      uuid: string;
      name: string;
      type: string;
      addresses: string[];
      dynamicAddresses: string[];
      portSecurity: string[];
    }
  | { kind: "routerPort"; uuid: string; name: string; mac: string; networks: string[] }
  | { kind: "loadBalancer"; uuid: string; name: string; protocol: string; vips: Array<[string, string]> }
  | { kind: "nat"; uuid: string; type: string; externalIp: string; logicalIp: string; logicalPort: string }
  | { kind: "route"; uuid: string; prefix: string; nexthop: string; outputPort: string; policy: string }
  | { kind: "policy"; uuid: string; priority: number; match: string; action: string; nexthop: string }
  | { kind: "qos"; uuid: string; priority: number; direction: string; match: string; action: string }
  | { kind: "dhcpOptions"; uuid: string; cidr: string };

/** What a cookie stands for. */
export type CookieTarget =
  | { kind: "logicalFlow"; flow: LogicalFlow; nb: NbObject[] }
  | { kind: "portBinding"; binding: PortBinding }
  | { kind: "macBinding"; binding: MacBinding }
  | { kind: "multicastGroup"; group: MulticastGroup }
  | { kind: "chassis"; chassis: ChassisInfo };

export type { LogicalDatapath };

/** The 8 hex digits a cookie names (OVN's cookies are 32 bits; larger ones are not OVN's). */
export function cookiePrefix(cookie: bigint | number): string | undefined {
  const c = BigInt(cookie);
  if (c === 0n || c > 0xffffffffn) return undefined;
  return c.toString(16).padStart(8, "0");
}

type NbReader = (r: OvsdbRecord) => NbObject;

/** Northbound tables a stage-hint may name, in ovn-detrace's order. */
const NB_HINTS: Array<[string, NbReader]> = [
  [
    "ACL",
    (r) => ({
      kind: "acl",
      uuid: uuidOf(r),
      name: str(r, "name"),
      direction: str(r, "direction"),
      priority: num(r, "priority"),
      match: str(r, "match"),
      action: str(r, "action"),
      log: bool(r, "log"),
      severity: str(r, "severity"),
    }),
  ],
  ["DHCP_Options", (r) => ({ kind: "dhcpOptions", uuid: uuidOf(r), cidr: str(r, "cidr") })],
  [
    "Logical_Switch_Port",
    (r) => ({
      kind: "switchPort",
      uuid: uuidOf(r),
      name: str(r, "name"),
      type: str(r, "type"),
      addresses: list(r, "addresses").map(String),
      dynamicAddresses: list(r, "dynamic_addresses").map(String),
      portSecurity: list(r, "port_security").map(String),
    }),
  ],
  [
    "Logical_Router_Port",
    (r) => ({
      kind: "routerPort",
      uuid: uuidOf(r),
      name: str(r, "name"),
      mac: str(r, "mac"),
      networks: list(r, "networks").map(String),
    }),
  ],
  [
    "Logical_Router_Policy",
    (r) => ({
      kind: "policy",
      uuid: uuidOf(r),
      priority: num(r, "priority"),
      match: str(r, "match"),
      action: str(r, "action"),
      nexthop: str(r, "nexthop"),
    }),
  ],
  [
    "Load_Balancer",
    (r) => ({
      kind: "loadBalancer",
      uuid: uuidOf(r),
      name: str(r, "name"),
      protocol: str(r, "protocol"),
      vips: [...map(r, "vips")],
    }),
  ],
  [
    "NAT",
    (r) => ({
      kind: "nat",
      uuid: uuidOf(r),
      type: str(r, "type"),
      externalIp: str(r, "external_ip"),
      logicalIp: str(r, "logical_ip"),
      logicalPort: str(r, "logical_port"),
    }),
  ],
  [
    "Logical_Router_Static_Route",
    (r) => ({
      kind: "route",
      uuid: uuidOf(r),
      prefix: str(r, "ip_prefix"),
      nexthop: str(r, "nexthop"),
      outputPort: str(r, "output_port"),
      policy: str(r, "policy"),
    }),
  ],
  [
    "QoS",
    (r) => ({
      kind: "qos",
      uuid: uuidOf(r),
      priority: num(r, "priority"),
      direction: str(r, "direction"),
      match: str(r, "match"),
      action: [...map(r, "action")].map(([k, v]) => `${k}=${v}`).join(","),
    }),
  ],
];

function byPrefix<T extends { uuid: string }>(items: Iterable<T>): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = it.uuid.slice(0, 8);
    const l = out.get(k) ?? [];
    l.push(it);
    out.set(k, l);
  }
  return out;
}

/** Looks cookies up; built once per model (indexes by UUID prefix). */
export class CookieIndex {
  private readonly flows: Map<string, LogicalFlow[]>;
  private readonly bindings: Map<string, PortBinding[]>;
  private readonly macs: Map<string, MacBinding[]>;
  private readonly groups: Map<string, MulticastGroup[]>;
  private readonly chassis: Map<string, ChassisInfo[]>;
  private readonly nb: Map<string, NbObject[]>;

  constructor(readonly model: OvnModel) {
    this.flows = byPrefix(model.logicalFlows);
    this.bindings = byPrefix(model.portBindings);
    this.macs = byPrefix(model.macBindings);
    this.groups = byPrefix(model.multicastGroups);
    this.chassis = byPrefix(model.chassis.values());
    const nb: NbObject[] = [];
    for (const [table, read] of NB_HINTS) for (const r of model.nb.get(table) ?? []) nb.push(read(r));
    this.nb = byPrefix(nb);
  }

  /** Every southbound row the cookie names, in ovn-detrace's order; [] when none. */
  lookup(cookie: bigint | number): CookieTarget[] {
    const k = cookiePrefix(cookie);
    if (k === undefined) return [];
    return [
      ...(this.flows.get(k) ?? []).map(
        (flow): CookieTarget => ({
          kind: "logicalFlow",
          flow,
          nb: flow.stageHint ? (this.nb.get(flow.stageHint.padStart(8, "0").slice(0, 8)) ?? []) : [],
        }),
      ),
      ...(this.bindings.get(k) ?? []).map((binding): CookieTarget => ({ kind: "portBinding", binding })),
      ...(this.macs.get(k) ?? []).map((binding): CookieTarget => ({ kind: "macBinding", binding })),
      ...(this.groups.get(k) ?? []).map((group): CookieTarget => ({ kind: "multicastGroup", group })),
      ...(this.chassis.get(k) ?? []).map((chassis): CookieTarget => ({ kind: "chassis", chassis })),
    ];
  }
}
