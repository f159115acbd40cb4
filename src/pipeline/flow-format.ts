/**
 * A flow (with a mask) printed as OVS's match_format prints it: the `Flow:`, `Final flow:` and
 * `Megaflow:` lines of ofproto/trace. Field order and special forms (protocol shorthands, dl_vlan vs
 * vlan_tci, nw_frag words, ct_state flags) follow lib/match.c; values print through the registry.
 */
import { CT_FLAGS, formatFieldValue } from "../model/field-value.js";
import { allOnes, FIELD, type FieldName, readField, wordBits, wordShift } from "../model/fields.js";
import {
  CS,
  FLOW_WORDS,
  type FlowKey,
  FRAG_ANY,
  FRAG_LATER,
  K,
  KSIZE,
  newFlowKey,
  PACKET_METADATA_SLOTS,
  TUN_FLAG_KEY,
  TUN_FLAG_OAM,
  VLAN_CFI,
} from "../model/layout.js";

/** ct_state as flags joined by `|` (`new|trk`), the exact-match form. */
export function ctStateText(v: number): string {
  return CT_FLAGS.filter(([, b]) => v & b)
    .map(([n]) => n)
    .join("|");
}

export type PortNamer = (ofport: number) => string;

/** The mask flow_format uses for a packet: every field the packet has, minus all-zero metadata. */
export function packetMask(f: FlowKey): FlowKey {
  const m = newFlowKey();
  const full = (slot: keyof typeof K) => m.fill(0xffffffff, K[slot], K[slot] + KSIZE[slot]);
  if (f[K.tunDst] !== 0 || f.slice(K.tunIpv6Dst, K.tunIpv6Dst + 4).some((w) => w !== 0)) {
    if (f[K.tunFlags] & TUN_FLAG_KEY) full("tunId");
    for (const s of ["tunSrc", "tunDst", "tunIpv6Src", "tunIpv6Dst", "tunFlags", "tunTos", "tunTtl"] as const)
      full(s);
    for (const s of ["tunTpSrc", "tunTpDst", "tunGbpId", "tunGbpFlags", "tunErspanVer"] as const) full(s);
    full("tunErspanIdx");
    full("tunErspanDir");
    full("tunErspanHwid");
    // The Geneve options the packet carries (OVN's logical ports in tun_metadata0); an absent one is 0.
    for (let i = 0; i < KSIZE.tunMetadata; i++)
      if (f[K.tunMetadata + i] !== 0) m[K.tunMetadata + i] = 0xffffffff;
  } else if (f[K.tunId] !== 0 || f[K.tunId + 1] !== 0) full("tunId");
  for (const s of [
    "skbPriority",
    "pktMark",
    "ctState",
    "ctZone",
    "ctMark",
    "ctLabel",
    "recircId",
    "dpHash",
  ] as const)
    full(s);
  full("inPort");
  full("packetType");
  full("dlDst");
  full("dlSrc");
  full("dlType");
  m[K.vlanTci] = 0xffff;
  if (f[K.vlanTci] !== 0) m[K.vlanTci1] = 0xffff;
  const dlType = f[K.dlType];
  if (dlType === 0x0800) {
    full("nwSrc");
    full("nwDst");
    full("ctNwSrc");
    full("ctNwDst");
  } else if (dlType === 0x86dd) {
    full("ipv6Src");
    full("ipv6Dst");
    full("ipv6Label");
    const nd = f[K.nwProto] === 58 && (f[K.tpSrc] === 135 || f[K.tpSrc] === 136) && f[K.tpDst] === 0;
    if (nd) {
      full("arpSha");
      full("arpTha");
      full("ndTarget");
    } else {
      full("ctIpv6Src");
      full("ctIpv6Dst");
    }
  } else if (dlType === 0x0806 || dlType === 0x8035) {
    for (const s of ["nwSrc", "nwDst", "nwProto", "arpSha", "arpTha"] as const) full(s);
  } else if (dlType === 0x8847 || dlType === 0x8848) {
    full("mplsLse");
  }
  if (dlType === 0x0800 || dlType === 0x86dd) {
    m[K.nwFrag] = FRAG_ANY | FRAG_LATER;
    for (const s of ["nwTos", "nwTtl", "nwProto", "ctNwProto", "ctTpSrc", "ctTpDst"] as const) full(s);
    const p = f[K.nwProto];
    if (!(f[K.nwFrag] & FRAG_LATER) && [1, 58, 6, 17, 132, 2].includes(p)) {
      full("tpSrc");
      full("tpDst");
      if (p === 6) full("tcpFlags");
    }
  }
  // flow_format: context fields that are all zero are left out.
  for (const s of PACKET_METADATA_SLOTS) {
    if (f.slice(K[s], K[s] + KSIZE[s]).every((w) => w === 0)) m.fill(0, K[s], K[s] + KSIZE[s]);
  }
  if (!(f[K.ctState] & CS.trk) || f[K.ctNwProto] === 0) {
    for (const s of [
      "ctNwProto",
      "ctTpSrc",
      "ctTpDst",
      "ctNwSrc",
      "ctNwDst",
      "ctIpv6Src",
      "ctIpv6Dst",
    ] as const)
      m.fill(0, K[s], K[s] + KSIZE[s]);
  }
  for (let i = 0; i < 16; i++) if (f[K.regs + i] !== 0) m[K.regs + i] = 0xffffffff;
  if (f[K.metadata] !== 0 || f[K.metadata + 1] !== 0) full("metadata");
  return m;
}

/** Bit layouts of one-word slots, from the registry. */
const VID_BITS = wordBits(FIELD.dl_vlan);
const PCP_BITS = wordBits(FIELD.dl_vlan_pcp);
const DSCP_BITS = wordBits(FIELD.ip_dscp);
const ECN_BITS = wordBits(FIELD.nw_ecn);

const SHORT_IP: Record<number, string> = { 1: "icmp", 6: "tcp", 17: "udp", 132: "sctp" };
const SHORT_IP6: Record<number, string> = { 58: "icmp6", 6: "tcp6", 17: "udp6", 132: "sctp6" };
const SHORT_L2: Record<number, string> = { 2054: "arp", 32821: "rarp", 34887: "mpls", 34888: "mplsm" };

/** match_format over a flow key and a mask of the same shape. */
export function formatMasked(f: FlowKey, m: FlowKey, portName?: PortNamer): string {
  const out: string[] = [];
  const put = (name: FieldName) => {
    const fd = FIELD[name];
    const mask = readField(m, fd);
    if (mask === 0n) return;
    out.push(`${name}=${formatFieldValue(fd, readField(f, fd) & mask, mask)}`);
  };
  /** format_uint32_masked: a 32-bit word in hex, with its mask when partial. */
  const hex32 = (name: string, word: number) => {
    const mk = m[word];
    if (!mk) return;
    out.push(`${name}=${hexNum(f[word] & mk)}${mk === 0xffffffff ? "" : `/${hexNum(mk)}`}`);
  };
  hex32("pkt_mark", K.pktMark);
  const megaflow = m[K.recircId] !== 0;
  hex32("recirc_id", K.recircId);
  hex32("dp_hash", K.dpHash);
  if (m[K.skbPriority]) out.push(`skb_priority=${hexNum(f[K.skbPriority])}`);
  if (m[K.ctState]) {
    const full = (m[K.ctState] & 0xff) === 0xff;
    if (full) out.push(`ct_state=${ctStateText(f[K.ctState]) || "0"}`);
    else
      out.push(
        `ct_state=${CT_FLAGS.filter(([, b]) => m[K.ctState] & b)
          .map(([n, b]) => `${f[K.ctState] & b ? "+" : "-"}${n}`)
          .join("")}`,
      );
  }
  if (m[K.ctZone]) out.push(`ct_zone=${f[K.ctZone]}`);
  hex32("ct_mark", K.ctMark);
  put("ct_label");
  put("ct_nw_src");
  put("ct_ipv6_src");
  put("ct_nw_dst");
  put("ct_ipv6_dst");
  if (m[K.ctNwProto]) {
    out.push(`ct_nw_proto=${f[K.ctNwProto]}`);
    put("ct_tp_src");
    put("ct_tp_dst");
  }
  if (m[K.packetType] && megaflow) out.push("eth");
  const dlType = f[K.dlType];
  let skipType = false;
  let skipProto = false;
  if (m[K.dlType]) {
    skipType = true;
    const proto = m[K.nwProto] ? f[K.nwProto] : -1;
    if (dlType === 0x0800) {
      const s = SHORT_IP[proto];
      out.push(s ?? "ip");
      skipProto = s !== undefined;
    } else if (dlType === 0x86dd) {
      const s = SHORT_IP6[proto];
      out.push(s ?? "ipv6");
      skipProto = s !== undefined;
    } else if (SHORT_L2[dlType]) out.push(SHORT_L2[dlType]);
    else skipType = false;
  }
  for (let i = 0; i < 16; i++) hex32(`reg${i}`, K.regs + i);
  put("tun_id");
  put("tun_src");
  put("tun_dst");
  put("tun_ipv6_src");
  put("tun_ipv6_dst");
  if (m[K.tunGbpId]) out.push(`tun_gbp_id=${f[K.tunGbpId]}`);
  if (m[K.tunGbpFlags]) out.push(`tun_gbp_flags=${hexNum(f[K.tunGbpFlags])}`);
  if (m[K.tunTos]) out.push(`tun_tos=${f[K.tunTos].toString(16)}`);
  if (m[K.tunTtl]) out.push(`tun_ttl=${f[K.tunTtl]}`);
  if (m[K.tunErspanVer]) out.push(`tun_erspan_ver=${f[K.tunErspanVer]}`);
  if (m[K.tunErspanIdx] && f[K.tunErspanVer] === 1) out.push(`tun_erspan_idx=${hexNum(f[K.tunErspanIdx])}`);
  if (m[K.tunErspanDir] && f[K.tunErspanVer] === 2) out.push(`tun_erspan_dir=${f[K.tunErspanDir]}`);
  if (m[K.tunErspanHwid] && f[K.tunErspanVer] === 2)
    out.push(`tun_erspan_hwid=${hexNum(f[K.tunErspanHwid])}`);
  // gtpu_flags/gtpu_msgtype: not modelled, but OVS prints them with the rest of a tunnel's fields.
  if (m[K.tunErspanVer]) out.push("gtpu_flags=0", "gtpu_msgtype=0");
  if (m[K.tunFlags] & TUN_FLAG_OAM) out.push(`tun_flags=${f[K.tunFlags] & TUN_FLAG_OAM ? "+oam" : "0"}`);
  // tun_metadata_match_format: each option after the tunnel flags, its bytes in hex (the first 4 here).
  for (let i = 0; i < KSIZE.tunMetadata; i++) hex32(`tun_metadata${i}`, K.tunMetadata + i);
  put("metadata");
  if (m[K.inPort])
    out.push(
      `in_port=${portName ? portName(f[K.inPort]) : formatFieldValue(FIELD.in_port, BigInt(f[K.inPort]))}`,
    );
  for (const [i, slot] of [
    [0, "vlanTci"],
    [1, "vlanTci1"],
  ] as const) {
    const mask = m[K[slot]] & 0xffff;
    if (!mask) break;
    const tci = f[K[slot]];
    const sfx = i === 0 ? "" : String(i);
    const vid = mask & VID_BITS;
    const pcp = mask & PCP_BITS;
    if (
      mask & VLAN_CFI &&
      tci & VLAN_CFI &&
      (!vid || vid === VID_BITS) &&
      (!pcp || pcp === PCP_BITS) &&
      (vid || pcp)
    ) {
      if (vid) out.push(`dl_vlan${sfx}=${tci & VID_BITS}`);
      if (pcp) out.push(`dl_vlan_pcp${sfx}=${(tci & PCP_BITS) >>> wordShift(FIELD.dl_vlan_pcp)}`);
    } else if (mask === 0xffff) out.push(`vlan_tci${sfx}=0x${hex4(tci)}`);
    else out.push(`vlan_tci${sfx}=0x${hex4(tci)}/0x${hex4(mask)}`);
  }
  put("dl_src");
  put("dl_dst");
  if (!skipType && m[K.dlType]) out.push(`dl_type=0x${hex4(dlType)}`);
  const arp = dlType === 0x0806 || dlType === 0x8035;
  if (dlType === 0x86dd) {
    put("ipv6_src");
    put("ipv6_dst");
    if (m[K.ipv6Label]) {
      const label = (key: FlowKey) => readField(key, FIELD.ipv6_label).toString(16).padStart(5, "0");
      const exact = readField(m, FIELD.ipv6_label) === allOnes(FIELD.ipv6_label.bits);
      out.push(`ipv6_label=0x${label(f)}${exact ? "" : `/0x${label(m)}`}`);
    }
  } else if (arp) {
    put("arp_spa");
    put("arp_tpa");
  } else {
    put("nw_src");
    put("nw_dst");
  }
  if (!skipProto && m[K.nwProto]) out.push(`${arp ? "arp_op" : "nw_proto"}=${f[K.nwProto]}`);
  if (arp) {
    put("arp_sha");
    put("arp_tha");
  }
  // nw_tos prints the DSCP bits in place (a multiple of 4), as OVS's match_format does.
  if (m[K.nwTos] & DSCP_BITS) out.push(`nw_tos=${f[K.nwTos] & DSCP_BITS}`);
  if (m[K.nwTos] & ECN_BITS) out.push(`nw_ecn=${f[K.nwTos] & ECN_BITS}`);
  if (m[K.nwTtl]) out.push(`nw_ttl=${f[K.nwTtl]}`);
  if (m[K.mplsLse]) {
    for (const name of ["mpls_label", "mpls_tc", "mpls_ttl", "mpls_bos"] as const)
      out.push(`${name}=${readField(f, FIELD[name])}`);
    // The entries under the top one, whole (label << 12 | tc << 9 | bos << 8 | ttl), as OVS prints them.
    for (let i = 1; i < KSIZE.mplsLse; i++)
      if (f[K.mplsLse + i]) out.push(`mpls_lse${i}=${f[K.mplsLse + i]}`);
  }
  const fragMask = m[K.nwFrag] & (FRAG_ANY | FRAG_LATER);
  const frag = f[K.nwFrag];
  if (fragMask === (FRAG_ANY | FRAG_LATER))
    out.push(
      `nw_frag=${frag & FRAG_ANY ? (frag & FRAG_LATER ? "later" : "first") : frag & FRAG_LATER ? "<error>" : "no"}`,
    );
  else if (fragMask === FRAG_ANY) out.push(`nw_frag=${frag & FRAG_ANY ? "yes" : "no"}`);
  else if (fragMask === FRAG_LATER) out.push(`nw_frag=${frag & FRAG_LATER ? "later" : "not_later"}`);
  const proto = f[K.nwProto];
  const be16 = (name: string, slot: "tpSrc" | "tpDst") => {
    const mk = m[K[slot]] & 0xffff;
    if (!mk) return;
    out.push(`${name}=${f[K[slot]] & mk}${mk === 0xffff ? "" : `/0x${mk.toString(16)}`}`);
  };
  if ((dlType === 0x0800 && proto === 1) || (dlType === 0x86dd && proto === 58)) {
    be16("icmp_type", "tpSrc");
    be16("icmp_code", "tpDst");
    if (dlType === 0x86dd) {
      put("nd_target");
      put("nd_sll");
      put("nd_tll");
    }
  } else {
    be16("tp_src", "tpSrc");
    be16("tp_dst", "tpDst");
  }
  if ((dlType === 0x0800 || dlType === 0x86dd) && proto === 6 && m[K.tcpFlags]) put("tcp_flags");
  return out.join(",");
}

const hexNum = (v: number): string => (v === 0 ? "0" : `0x${(v >>> 0).toString(16)}`);
const hex4 = (v: number): string => (v & 0xffff).toString(16).padStart(4, "0");

/** The `Flow:` line of a trace. */
export function formatFlow(f: FlowKey, portName?: PortNamer): string {
  return formatMasked(f, packetMask(f), portName);
}

/** True when two flows are identical in every word (for `Final flow: unchanged`). */
export function sameFlow(a: FlowKey, b: FlowKey): boolean {
  for (let i = 0; i < FLOW_WORDS; i++) if (a[i] !== b[i]) return false;
  return true;
}
