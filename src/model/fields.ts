/**
 * The ONE registry of OVS match fields, in the manner of Open vSwitch's lib/meta-flow.h: every field
 * declared once (name, aliases, NXM/OXM names, width, maskability, prerequisite, how it is printed,
 * and where it lives in the flow key). The flow parser, the packet-to-flow extractor's consumers,
 * set_field/load/move and the explainer all go through this table; nothing else spells a field name.
 *
 * Values are bigints here (fields reach 128 bits); the classifier works on compiled word masks.
 */
import { type FlowKey, K, KSIZE, type LayoutName } from "./layout.js";
import { allOnes } from "./value/integer.js";

/** How ovs-ofctl prints a field's value. */
export type FieldFormat = "dec" | "hex" | "mac" | "ipv4" | "ipv6" | "port" | "frag" | "tcpFlags" | "ctState";

/** OVS's prerequisites (MFP_*): what a match must also say for the field to be meaningful. */
export type Prerequisite =
  | "none"
  | "arp"
  | "vlan"
  | "ipv4"
  | "ipv6"
  | "ipAny"
  | "tcp"
  | "udp"
  | "sctp"
  | "icmpv4"
  | "icmpv6"
  | "nd"
  | "ndSolicit"
  | "ndAdvert"
  | "mpls"
  | "ctValid";

export interface FieldDef {
  /** The name ovs-ofctl prints in matches (`dl_src`). */
  readonly name: string;
  /** The meta-flow name, printed by set_field and learn (`eth_src`). */
  readonly mfName: string;
  readonly aliases: readonly string[];
  readonly nxmName?: string;
  readonly oxmName?: string;
  readonly bits: number;
  readonly maskable: boolean;
  readonly writable: boolean;
  readonly prereq: Prerequisite;
  readonly format: FieldFormat;
  /** Storage: a flow-key slot, and the bit offset of this field's least significant bit in it. */
  readonly slot: LayoutName;
  readonly shift: number;
}

interface Spec {
  name: string;
  /** OVS's meta-flow name when it differs from the name matches print (set_field prints this one). */
  mf?: string;
  aliases?: readonly string[];
  nxm?: string;
  oxm?: string;
  bits: number;
  maskable?: boolean;
  writable?: boolean;
  prereq?: Prerequisite;
  format: FieldFormat;
  slot: LayoutName;
  shift?: number;
}

/** The fields declared one by one; registers and tunnel metadata are numbered below. */
const DECLARED = [
  // Metadata
  { name: "in_port", nxm: "NXM_OF_IN_PORT", bits: 16, maskable: false, format: "port", slot: "inPort" },
  { name: "in_port_oxm", oxm: "OXM_OF_IN_PORT", bits: 32, maskable: false, format: "port", slot: "inPort" },
  { name: "skb_priority", bits: 32, maskable: false, writable: false, format: "hex", slot: "skbPriority" },
  { name: "pkt_mark", nxm: "NXM_NX_PKT_MARK", bits: 32, format: "hex", slot: "pktMark" },
  {
    name: "recirc_id",
    nxm: "NXM_NX_RECIRC_ID",
    bits: 32,
    maskable: false,
    writable: false,
    format: "dec",
    slot: "recircId",
  },
  { name: "dp_hash", nxm: "NXM_NX_DP_HASH", bits: 32, writable: false, format: "hex", slot: "dpHash" },
  {
    name: "conj_id",
    nxm: "NXM_NX_CONJ_ID",
    bits: 32,
    maskable: false,
    writable: false,
    format: "dec",
    slot: "conjId",
  },
  {
    name: "actset_output",
    oxm: "ONFOXM_ET_ACTSET_OUTPUT",
    bits: 32,
    maskable: false,
    writable: false,
    format: "port",
    slot: "actsetOutput",
  },
  {
    name: "packet_type",
    oxm: "OXM_OF_PACKET_TYPE",
    bits: 32,
    maskable: false,
    writable: false,
    format: "hex",
    slot: "packetType",
  },
  { name: "metadata", oxm: "OXM_OF_METADATA", bits: 64, format: "hex", slot: "metadata" },
  // Connection tracking
  { name: "ct_state", nxm: "NXM_NX_CT_STATE", bits: 32, writable: false, format: "ctState", slot: "ctState" },
  {
    name: "ct_zone",
    nxm: "NXM_NX_CT_ZONE",
    bits: 16,
    maskable: false,
    writable: false,
    format: "dec",
    slot: "ctZone",
  },
  { name: "ct_mark", nxm: "NXM_NX_CT_MARK", bits: 32, format: "hex", slot: "ctMark" },
  { name: "ct_label", nxm: "NXM_NX_CT_LABEL", bits: 128, format: "hex", slot: "ctLabel" },
  {
    name: "ct_nw_src",
    nxm: "NXM_NX_CT_NW_SRC",
    bits: 32,
    writable: false,
    prereq: "ctValid",
    format: "ipv4",
    slot: "ctNwSrc",
  },
  {
    name: "ct_nw_dst",
    nxm: "NXM_NX_CT_NW_DST",
    bits: 32,
    writable: false,
    prereq: "ctValid",
    format: "ipv4",
    slot: "ctNwDst",
  },
  {
    name: "ct_ipv6_src",
    nxm: "NXM_NX_CT_IPV6_SRC",
    bits: 128,
    writable: false,
    prereq: "ctValid",
    format: "ipv6",
    slot: "ctIpv6Src",
  },
  {
    name: "ct_ipv6_dst",
    nxm: "NXM_NX_CT_IPV6_DST",
    bits: 128,
    writable: false,
    prereq: "ctValid",
    format: "ipv6",
    slot: "ctIpv6Dst",
  },
  {
    name: "ct_nw_proto",
    nxm: "NXM_NX_CT_NW_PROTO",
    bits: 8,
    maskable: false,
    writable: false,
    prereq: "ctValid",
    format: "dec",
    slot: "ctNwProto",
  },
  {
    name: "ct_tp_src",
    nxm: "NXM_NX_CT_TP_SRC",
    bits: 16,
    writable: false,
    prereq: "ctValid",
    format: "dec",
    slot: "ctTpSrc",
  },
  {
    name: "ct_tp_dst",
    nxm: "NXM_NX_CT_TP_DST",
    bits: 16,
    writable: false,
    prereq: "ctValid",
    format: "dec",
    slot: "ctTpDst",
  },
  // Tunnel metadata
  {
    name: "tun_id",
    aliases: ["tunnel_id"],
    nxm: "NXM_NX_TUN_ID",
    oxm: "OXM_OF_TUNNEL_ID",
    bits: 64,
    format: "hex",
    slot: "tunId",
  },
  { name: "tun_src", nxm: "NXM_NX_TUN_IPV4_SRC", bits: 32, format: "ipv4", slot: "tunSrc" },
  { name: "tun_dst", nxm: "NXM_NX_TUN_IPV4_DST", bits: 32, format: "ipv4", slot: "tunDst" },
  { name: "tun_ipv6_src", nxm: "NXM_NX_TUN_IPV6_SRC", bits: 128, format: "ipv6", slot: "tunIpv6Src" },
  { name: "tun_ipv6_dst", nxm: "NXM_NX_TUN_IPV6_DST", bits: 128, format: "ipv6", slot: "tunIpv6Dst" },
  { name: "tun_flags", nxm: "NXM_NX_TUN_FLAGS", bits: 16, format: "hex", slot: "tunFlags" },
  { name: "tun_tos", bits: 8, maskable: false, writable: false, format: "dec", slot: "tunTos" },
  { name: "tun_ttl", bits: 8, maskable: false, writable: false, format: "dec", slot: "tunTtl" },
  { name: "tun_gbp_id", nxm: "NXM_NX_TUN_GBP_ID", bits: 16, format: "dec", slot: "tunGbpId" },
  { name: "tun_gbp_flags", nxm: "NXM_NX_TUN_GBP_FLAGS", bits: 8, format: "dec", slot: "tunGbpFlags" },
  { name: "tun_erspan_ver", bits: 8, format: "dec", slot: "tunErspanVer" },
  { name: "tun_erspan_idx", bits: 20, format: "hex", slot: "tunErspanIdx" },
  { name: "tun_erspan_dir", bits: 8, format: "dec", slot: "tunErspanDir" },
  { name: "tun_erspan_hwid", bits: 8, format: "hex", slot: "tunErspanHwid" },
  // L2
  {
    name: "dl_src",
    mf: "eth_src",
    aliases: ["eth_src"],
    nxm: "NXM_OF_ETH_SRC",
    oxm: "OXM_OF_ETH_SRC",
    bits: 48,
    format: "mac",
    slot: "dlSrc",
  },
  {
    name: "dl_dst",
    mf: "eth_dst",
    aliases: ["eth_dst"],
    nxm: "NXM_OF_ETH_DST",
    oxm: "OXM_OF_ETH_DST",
    bits: 48,
    format: "mac",
    slot: "dlDst",
  },
  {
    name: "dl_type",
    mf: "eth_type",
    aliases: ["eth_type"],
    nxm: "NXM_OF_ETH_TYPE",
    oxm: "OXM_OF_ETH_TYPE",
    bits: 16,
    maskable: false,
    writable: false,
    format: "hex",
    slot: "dlType",
  },
  { name: "vlan_tci", nxm: "NXM_OF_VLAN_TCI", bits: 16, format: "hex", slot: "vlanTci" },
  { name: "dl_vlan", bits: 12, maskable: false, format: "dec", slot: "vlanTci" },
  // OpenFlow 1.2+'s view of the tag: the VID with OFPVID_PRESENT (0x1000, the CFI bit's place) set.
  { name: "vlan_vid", oxm: "OXM_OF_VLAN_VID", bits: 13, format: "dec", slot: "vlanTci" },
  {
    name: "vlan_pcp",
    oxm: "OXM_OF_VLAN_PCP",
    bits: 3,
    maskable: false,
    format: "dec",
    slot: "vlanTci",
    shift: 13,
  },
  {
    name: "dl_vlan_pcp",
    bits: 3,
    maskable: false,
    format: "dec",
    slot: "vlanTci",
    shift: 13,
  },
  { name: "vlan_tci1", bits: 16, format: "hex", slot: "vlanTci1" },
  {
    name: "mpls_label",
    oxm: "OXM_OF_MPLS_LABEL",
    bits: 20,
    maskable: false,
    prereq: "mpls",
    format: "dec",
    slot: "mplsLse",
    shift: 12 + 64,
  },
  {
    name: "mpls_tc",
    oxm: "OXM_OF_MPLS_TC",
    bits: 3,
    maskable: false,
    prereq: "mpls",
    format: "dec",
    slot: "mplsLse",
    shift: 9 + 64,
  },
  {
    name: "mpls_bos",
    oxm: "OXM_OF_MPLS_BOS",
    bits: 1,
    maskable: false,
    writable: false,
    prereq: "mpls",
    format: "dec",
    slot: "mplsLse",
    shift: 8 + 64,
  },
  { name: "mpls_ttl", bits: 8, maskable: false, prereq: "mpls", format: "dec", slot: "mplsLse", shift: 64 },
  // L3
  {
    name: "nw_src",
    mf: "ip_src",
    aliases: ["ip_src"],
    nxm: "NXM_OF_IP_SRC",
    oxm: "OXM_OF_IPV4_SRC",
    bits: 32,
    prereq: "ipv4",
    format: "ipv4",
    slot: "nwSrc",
  },
  {
    name: "nw_dst",
    mf: "ip_dst",
    aliases: ["ip_dst"],
    nxm: "NXM_OF_IP_DST",
    oxm: "OXM_OF_IPV4_DST",
    bits: 32,
    prereq: "ipv4",
    format: "ipv4",
    slot: "nwDst",
  },
  {
    name: "ipv6_src",
    nxm: "NXM_NX_IPV6_SRC",
    oxm: "OXM_OF_IPV6_SRC",
    bits: 128,
    prereq: "ipv6",
    format: "ipv6",
    slot: "ipv6Src",
  },
  {
    name: "ipv6_dst",
    nxm: "NXM_NX_IPV6_DST",
    oxm: "OXM_OF_IPV6_DST",
    bits: 128,
    prereq: "ipv6",
    format: "ipv6",
    slot: "ipv6Dst",
  },
  {
    name: "ipv6_label",
    nxm: "NXM_NX_IPV6_LABEL",
    oxm: "OXM_OF_IPV6_FLABEL",
    bits: 20,
    prereq: "ipv6",
    format: "hex",
    slot: "ipv6Label",
  },
  {
    name: "nw_proto",
    aliases: ["ip_proto"],
    nxm: "NXM_OF_IP_PROTO",
    oxm: "OXM_OF_IP_PROTO",
    bits: 8,
    maskable: false,
    writable: false,
    prereq: "ipAny",
    format: "dec",
    slot: "nwProto",
  },
  {
    name: "nw_tos",
    nxm: "NXM_OF_IP_TOS",
    bits: 8,
    maskable: false,
    prereq: "ipAny",
    format: "dec",
    slot: "nwTos",
  },
  {
    name: "ip_dscp",
    oxm: "OXM_OF_IP_DSCP",
    bits: 6,
    maskable: false,
    prereq: "ipAny",
    format: "dec",
    slot: "nwTos",
    shift: 2,
  },
  {
    name: "nw_ecn",
    aliases: ["ip_ecn"],
    nxm: "NXM_NX_IP_ECN",
    oxm: "OXM_OF_IP_ECN",
    bits: 2,
    maskable: false,
    prereq: "ipAny",
    format: "dec",
    slot: "nwTos",
  },
  {
    name: "nw_ttl",
    nxm: "NXM_NX_IP_TTL",
    bits: 8,
    maskable: false,
    prereq: "ipAny",
    format: "dec",
    slot: "nwTtl",
  },
  {
    name: "nw_frag",
    mf: "ip_frag",
    aliases: ["ip_frag"],
    nxm: "NXM_NX_IP_FRAG",
    bits: 8,
    writable: false,
    prereq: "ipAny",
    format: "frag",
    slot: "nwFrag",
  },
  {
    name: "arp_op",
    nxm: "NXM_OF_ARP_OP",
    oxm: "OXM_OF_ARP_OP",
    bits: 16,
    maskable: false,
    prereq: "arp",
    format: "dec",
    slot: "nwProto",
  },
  {
    name: "arp_spa",
    nxm: "NXM_OF_ARP_SPA",
    oxm: "OXM_OF_ARP_SPA",
    bits: 32,
    prereq: "arp",
    format: "ipv4",
    slot: "nwSrc",
  },
  {
    name: "arp_tpa",
    nxm: "NXM_OF_ARP_TPA",
    oxm: "OXM_OF_ARP_TPA",
    bits: 32,
    prereq: "arp",
    format: "ipv4",
    slot: "nwDst",
  },
  {
    name: "arp_sha",
    nxm: "NXM_NX_ARP_SHA",
    oxm: "OXM_OF_ARP_SHA",
    bits: 48,
    prereq: "arp",
    format: "mac",
    slot: "arpSha",
  },
  {
    name: "arp_tha",
    nxm: "NXM_NX_ARP_THA",
    oxm: "OXM_OF_ARP_THA",
    bits: 48,
    prereq: "arp",
    format: "mac",
    slot: "arpTha",
  },
  {
    name: "nd_target",
    nxm: "NXM_NX_ND_TARGET",
    oxm: "OXM_OF_IPV6_ND_TARGET",
    bits: 128,
    prereq: "nd",
    format: "ipv6",
    slot: "ndTarget",
  },
  {
    name: "nd_sll",
    nxm: "NXM_NX_ND_SLL",
    oxm: "OXM_OF_IPV6_ND_SLL",
    bits: 48,
    prereq: "ndSolicit",
    format: "mac",
    slot: "arpSha",
  },
  {
    name: "nd_tll",
    nxm: "NXM_NX_ND_TLL",
    oxm: "OXM_OF_IPV6_ND_TLL",
    bits: 48,
    prereq: "ndAdvert",
    format: "mac",
    slot: "arpTha",
  },
  { name: "nd_reserved", bits: 32, prereq: "nd", format: "dec", slot: "ndReserved" },
  { name: "nd_options_type", bits: 8, maskable: false, prereq: "nd", format: "dec", slot: "ndOptionsType" },
  // L4: tp_src/tp_dst print for TCP, UDP and SCTP alike; the protocol-specific names are aliases.
  {
    name: "tp_src",
    mf: "tcp_src",
    aliases: ["tcp_src", "udp_src", "sctp_src"],
    nxm: "NXM_OF_TCP_SRC",
    oxm: "OXM_OF_TCP_SRC",
    bits: 16,
    prereq: "ipAny",
    format: "dec",
    slot: "tpSrc",
  },
  {
    name: "tp_dst",
    mf: "tcp_dst",
    aliases: ["tcp_dst", "udp_dst", "sctp_dst"],
    nxm: "NXM_OF_TCP_DST",
    oxm: "OXM_OF_TCP_DST",
    bits: 16,
    prereq: "ipAny",
    format: "dec",
    slot: "tpDst",
  },
  {
    name: "tcp_flags",
    nxm: "NXM_NX_TCP_FLAGS",
    oxm: "ONFOXM_ET_TCP_FLAGS",
    bits: 12,
    writable: false,
    prereq: "tcp",
    format: "tcpFlags",
    slot: "tcpFlags",
  },
  {
    name: "icmp_type",
    aliases: ["icmpv4_type"],
    nxm: "NXM_OF_ICMP_TYPE",
    oxm: "OXM_OF_ICMPV4_TYPE",
    bits: 8,
    maskable: false,
    prereq: "icmpv4",
    format: "dec",
    slot: "tpSrc",
  },
  {
    name: "icmp_code",
    aliases: ["icmpv4_code"],
    nxm: "NXM_OF_ICMP_CODE",
    oxm: "OXM_OF_ICMPV4_CODE",
    bits: 8,
    maskable: false,
    prereq: "icmpv4",
    format: "dec",
    slot: "tpDst",
  },
  {
    name: "icmpv6_type",
    nxm: "NXM_NX_ICMPV6_TYPE",
    oxm: "OXM_OF_ICMPV6_TYPE",
    bits: 8,
    maskable: false,
    prereq: "icmpv6",
    format: "dec",
    slot: "tpSrc",
  },
  {
    name: "icmpv6_code",
    nxm: "NXM_NX_ICMPV6_CODE",
    oxm: "OXM_OF_ICMPV6_CODE",
    bits: 8,
    maskable: false,
    prereq: "icmpv6",
    format: "dec",
    slot: "tpDst",
  },
] as const satisfies readonly Spec[];

const SPECS: Spec[] = [...DECLARED];

// Registers: reg0-15 (32 bits), xreg0-7 (64), xxreg0-3 (128), each a view over the reg words with the
// lowest-numbered register most significant, as OVS's flow_get_xreg/xxreg compose them.
for (let i = 0; i < 16; i++) {
  SPECS.push({
    name: `reg${i}`,
    nxm: `NXM_NX_REG${i}`,
    bits: 32,
    format: "hex",
    slot: "regs",
    shift: 32 * (15 - i),
  });
}
for (let i = 0; i < 8; i++) {
  SPECS.push({
    name: `xreg${i}`,
    oxm: `OXM_OF_PKT_REG${i}`,
    bits: 64,
    format: "hex",
    slot: "regs",
    shift: 64 * (7 - i),
  });
}
for (let i = 0; i < 4; i++) {
  SPECS.push({
    name: `xxreg${i}`,
    nxm: `NXM_NX_XXREG${i}`,
    bits: 128,
    format: "hex",
    slot: "regs",
    shift: 128 * (3 - i),
  });
}
// tun_metadata0-63: one 32-bit word each in the flow key (OVS allows up to 124 bytes per option; wider
// options are not modelled yet).
for (let i = 0; i < 64; i++) {
  SPECS.push({
    name: `tun_metadata${i}`,
    nxm: `NXM_NX_TUN_METADATA${i}`,
    bits: 32,
    format: "hex",
    slot: "tunMetadata",
    shift: 32 * (63 - i),
  });
}

export const FIELDS: readonly FieldDef[] = SPECS.map((s) => ({
  name: s.name,
  mfName: s.mf ?? s.name,
  aliases: s.aliases ?? [],
  ...(s.nxm ? { nxmName: s.nxm } : {}),
  ...(s.oxm ? { oxmName: s.oxm } : {}),
  bits: s.bits,
  maskable: s.maskable ?? true,
  writable: s.writable ?? true,
  prereq: s.prereq ?? "none",
  format: s.format,
  slot: s.slot,
  shift: s.shift ?? 0,
}));

/** The canonical name of a field declared one by one (the name matches print). */
export type FieldName = (typeof DECLARED)[number]["name"];

/**
 * The declared fields by canonical name, for code that names a field itself: `FIELD.tun_id` is checked
 * by the compiler, where a name looked up at run time fails only when it runs.
 */
export const FIELD = Object.fromEntries(FIELDS.slice(0, DECLARED.length).map((f) => [f.name, f])) as Readonly<
  Record<FieldName, FieldDef>
>;

/** reg0–reg15 by number (`REGISTER[14]` is reg14): they follow the declared fields in FIELDS. */
export const REGISTER: readonly FieldDef[] = FIELDS.slice(DECLARED.length, DECLARED.length + 16);

const BY_NAME = new Map<string, FieldDef>();
for (const f of FIELDS) {
  for (const n of [f.name, ...f.aliases, f.nxmName, f.oxmName]) {
    if (n !== undefined && !BY_NAME.has(n.toLowerCase())) BY_NAME.set(n.toLowerCase(), f);
  }
}

/** A field by a name the caller trusts (tests, tables of names): an unknown name is a programming error. */
export function fieldNamed(name: string): FieldDef {
  const f = lookupField(name);
  if (!f) throw new Error(`no field named ${name} in the registry`);
  return f;
}

/** A field by any of its names (canonical, alias, NXM or OXM), case-insensitively as OVS accepts. */
export function lookupField(name: string): FieldDef | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** All ones in the low `bits` bits: a field's full mask. */
export { allOnes };

const mask = allOnes;

/**
 * The bits a field takes in the flow-key word that holds it, for code that works on words: ip_dscp's of
 * nw_tos are 0xfc, mpls_label's of the first label stack entry 0xfffff000.
 */
export function wordBits(f: FieldDef): number {
  if ((f.shift % 32) + f.bits > 32) throw new Error(`${f.name} is not held in one word`);
  return Number(allOnes(f.bits) << BigInt(f.shift % 32)) >>> 0;
}

/** Where the field's bits start in the word that holds them (see wordBits). */
export const wordShift = (f: FieldDef): number => f.shift % 32;

/** The flow-key word that holds the field's least significant bit (a slot's words are big-endian). */
export const lowWord = (f: FieldDef): number => K[f.slot] + KSIZE[f.slot] - 1 - (f.shift >>> 5);

/** The field's value in a flow key. */
export function readField(key: FlowKey, f: FieldDef): bigint {
  const off = K[f.slot];
  const words = KSIZE[f.slot];
  // Fast paths, in plain numbers, for the fields packets are switched on (ports, addresses, VLANs,
  // MACs, tun_id, registers, tun_metadata): a bigint operation allocates, and translation reads these
  // for every packet. A register is one word of a 16-word slot: never compose the slot as a bigint.
  const inShift = f.shift & 31;
  const at = lowWord(f);
  if (inShift + f.bits <= 32) {
    const w = key[at] >>> inShift;
    return BigInt(f.bits >= 32 ? w : w & (2 ** f.bits - 1));
  }
  if (inShift === 0 && f.bits % 32 === 0) {
    let v = 0n;
    for (let i = at - f.bits / 32 + 1; i <= at; i++) v = (v << 32n) | BigInt(key[i]);
    return v;
  }
  if (words === 2 && f.shift === 0 && f.bits > 32 && f.bits <= 53) {
    const hi = key[off] & (2 ** (f.bits - 32) - 1);
    return BigInt(hi * 0x1_0000_0000 + key[off + 1]);
  }
  let v = 0n;
  for (let i = 0; i < words; i++) v = (v << 32n) | BigInt(key[off + i]);
  return (v >> BigInt(f.shift)) & mask(f.bits);
}

/** Sets the field's bits in a flow key, leaving the rest of its storage alone. */
export function writeField(key: FlowKey, f: FieldDef, value: bigint): void {
  const off = K[f.slot];
  const words = KSIZE[f.slot];
  const inShift = f.shift & 31;
  const at = lowWord(f);
  if (inShift + f.bits <= 32) {
    // One word (a register, a port, an address): the field's bits replaced in plain numbers.
    const m = f.bits >= 32 ? 0xffffffff : (2 ** f.bits - 1) * 2 ** inShift;
    const v = Number(BigInt.asUintN(f.bits, value)) * 2 ** inShift;
    key[at] = (key[at] & ~m) | (v & m);
    return;
  }
  if (inShift === 0 && f.bits % 32 === 0) {
    // Whole words (xreg, xxreg, IPv6 addresses, ct_label): each word replaced, lowest last.
    let v = value;
    for (let i = at; i > at - f.bits / 32; i--) {
      key[i] = Number(BigInt.asUintN(32, v));
      v >>= 32n;
    }
    return;
  }
  if (words === 2 && f.shift === 0 && f.bits > 32) {
    // Two words (MACs, tun_id, metadata): the low word replaced, the field's share of the high one.
    const hm = f.bits >= 64 ? 0xffffffff : 2 ** (f.bits - 32) - 1;
    key[off] = (key[off] & ~hm) | (Number(BigInt.asUintN(32, value >> 32n)) & hm);
    key[off + 1] = Number(BigInt.asUintN(32, value));
    return;
  }
  let v = 0n;
  for (let i = 0; i < words; i++) v = (v << 32n) | BigInt(key[off + i]);
  const m = mask(f.bits) << BigInt(f.shift);
  v = (v & ~m) | ((value << BigInt(f.shift)) & m);
  for (let i = words - 1; i >= 0; i--) {
    key[off + i] = Number(v & 0xffffffffn);
    v >>= 32n;
  }
}

/**
 * The name set_field prints for a field written as `written`: OVS's "extra" names (dl_src, nw_src,
 * tp_src...) become the meta-flow name, while distinct meta-flow names that share our storage
 * (udp_src, sctp_dst, icmpv6_type) stay as written.
 */
export function setFieldName(written: string, f: FieldDef): string {
  const lower = written.toLowerCase();
  return DISTINCT_MF_NAMES.has(lower) ? lower : f.mfName;
}
const DISTINCT_MF_NAMES = new Set(["udp_src", "udp_dst", "sctp_src", "sctp_dst"]);
