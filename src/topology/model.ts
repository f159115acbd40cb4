/**
 * The topology model: what each host's devices are and how they connect, with the evidence (file and
 * line) for every fact, so a finding can point at the dump that shows it.
 */

export interface Evidence {
  file: string;
  line: number;
}

export interface TunnelInfo {
  type: string;
  local?: string;
  remote?: string;
  /** key / in_key / out_key as configured (`flow` or a number). */
  key?: string;
  inKey?: string;
  outKey?: string;
  dstPort?: number;
}

/** The Neutron role of an OVS port, from its name prefix (and type for taps). */
export type PortRole =
  | "vm-hybrid"
  | "vm"
  | "dhcp"
  | "router"
  | "router-gateway"
  | "patch"
  | "tunnel"
  | "internal"
  | "nic"
  | "other";

export interface OvsPort {
  bridge: string;
  name: string;
  /** "" for a system port. */
  type: string;
  role: PortRole;
  ofport?: number;
  dpPort?: number;
  tag?: number;
  trunks: number[];
  peer?: string;
  tunnel?: TunnelInfo;
  mtu?: number;
  /** False when any view says it is down (ip link, ofctl state, OVSDB link_state). */
  up?: boolean;
  neutron: { ifaceId?: string; mac?: string; vmUuid?: string };
  /** The port-id prefix Neutron puts in device names (`1a2b3c4d-5e` of `qvo1a2b3c4d-5e`). */
  portIdPrefix?: string;
  evidence: Evidence;
}

export interface LinuxDevice {
  name: string;
  kind?: string;
  peer?: string;
  master?: string;
  mtu?: number;
  up: boolean;
  /** Flags such as NO-CARRIER, for explaining `up: false`. */
  flags: string[];
  evidence: Evidence;
}

/** A network as a host wires it: local VLAN on br-int ↔ segmentation id on the wire. */
export interface Segment {
  localVlan: number;
  type: "vxlan" | "gre" | "geneve" | "flat" | "vlan" | "unknown";
  segmentationId?: number;
  /** br-tun table 22 (or the provider bridge) flow that sends this VLAN out, and its output ports. */
  outbound?: Evidence;
  outPorts: string[];
  /** br-tun table 3/4/6 flow that takes the segmentation id in (tun_id → local VLAN). */
  inbound?: Evidence;
}

export interface HostTopology {
  host: string;
  bridges: Array<{ name: string; failMode?: string; datapathType?: string; ports: OvsPort[] }>;
  linux: Map<string, LinuxDevice>;
  linuxBridges: Array<{ name: string; members: string[]; evidence: Evidence }>;
  /** Local tunnel endpoint addresses (tunnel local_ip, or addresses on the host's interfaces). */
  localIps: Set<string>;
  /** Address → the device holding it and its MTU (the underlay). */
  addresses: Map<string, { device: string; mtu?: number; evidence: Evidence }>;
  segments: Segment[];
  /** IP → MAC or OpenFlow port, from anti-spoofing and ARP-responder flows (for `--vm IP`). */
  ipHints: Array<{ ip: string; mac?: string; ofport?: number; vlan?: number }>;
}

export type HopKind =
  | "vm"
  | "tap"
  | "linux-bridge"
  | "veth"
  | "ovs-port"
  | "ovs-bridge"
  | "patch"
  | "tunnel"
  | "nic"
  | "remote-host";

export interface Hop {
  kind: HopKind;
  name: string;
  host: string;
  bridge?: string;
  ofport?: number;
  tag?: number;
  detail?: string;
}

export interface VmPath {
  host: string;
  /** The OVS port the VM's traffic enters (qvo…, tap…). */
  port: string;
  role: PortRole;
  mac?: string;
  ifaceId?: string;
  vmUuid?: string;
  localVlan?: number;
  segment?: Segment;
  hops: Hop[];
  /** Where the path leaves the host: one branch per tunnel/NIC. */
  exits: Hop[][];
  /** Same-network ports on other loaded hosts (end-to-end reach). */
  peers: Array<{ host: string; port: string; mac?: string; via: string }>;
  /** A hybrid-plugged port's security group as its host's iptables hold it (when they are dumped). */
  firewall?: VmFirewall;
}

export interface VmFirewall {
  mode: "security-groups" | "port-security-off" | "none";
  /** The conntrack zone of the raw table's CT rule (null: --notrack; absent: not in the dumps). */
  zone?: number | null;
  ingress: Array<Evidence & { rule: string }>;
  egress: Array<Evidence & { rule: string }>;
  ipsets: string[];
}

export type FindingKind =
  | "veth-peer-missing"
  | "patch-peer-missing"
  | "tunnel-remote-unknown"
  | "port-untagged"
  | "port-dead-vlan"
  | "segment-missing-flow"
  | "port-down"
  | "mtu"
  | "fw-no-chains"
  | "fw-missing-ipset"
  | "fw-shared-zone"
  | "fw-drops-counted";

export interface Finding {
  severity: "error" | "warning";
  kind: FindingKind;
  host: string;
  message: string;
  evidence: Evidence[];
}

export interface Topology {
  hosts: HostTopology[];
  paths: VmPath[];
  findings: Finding[];
}
