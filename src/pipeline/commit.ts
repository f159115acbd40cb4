/**
 * Committing flow changes to the datapath, as OVS's commit_odp_actions does before every output:
 * compare the flow the actions produced with what the datapath already has, and emit set(...),
 * push_vlan/pop_vlan for the difference, in OVS's order (Ethernet, L3, L4, ICMP, VLAN, priority,
 * mark). With masked sets (every datapath ovspath models supports them) only changed fields print.
 */
import { formatFieldValue } from "../model/field-value.js";
import { FIELD, type FieldDef, readField, wordBits, wordShift, writeField } from "../model/fields.js";
import { type FlowKey, K, KSIZE, VLAN_CFI } from "../model/layout.js";
import type { OdpList, XlateContext } from "./context.js";

interface KeyPart {
  /** The datapath key's field name (`src` in `eth(src=…)`). */
  key: string;
  field: FieldDef;
  /** Never written by a set (ipv4 proto, frag): only compared. */
  readOnly?: boolean;
  format?: (v: bigint) => string;
}

/** A part's storage words, looked up once: every output's commit compares them (see `differs`). */
interface Words {
  offset: number;
  count: number;
}

/** A datapath key's parts, and the storage words of those a set writes. */
interface DatapathKey {
  parts: KeyPart[];
  words: Words[];
}

function datapathKey(parts: KeyPart[]): DatapathKey {
  const words = parts
    .filter((p) => !p.readOnly)
    .map((p) => ({ offset: K[p.field.slot], count: KSIZE[p.field.slot] }));
  return { parts, words };
}

/** C's `%#x`, as odp-util prints tos and labels: zero has no 0x prefix. */
const hex = (v: bigint): string => (v === 0n ? "0" : `0x${v.toString(16)}`);

const ETH = datapathKey([
  { key: "src", field: FIELD.dl_src },
  { key: "dst", field: FIELD.dl_dst },
]);
const IPV4 = datapathKey([
  { key: "src", field: FIELD.nw_src },
  { key: "dst", field: FIELD.nw_dst },
  { key: "proto", field: FIELD.nw_proto, readOnly: true },
  { key: "tos", field: FIELD.nw_tos, format: hex },
  { key: "ttl", field: FIELD.nw_ttl },
  { key: "frag", field: FIELD.nw_frag, readOnly: true },
]);
const IPV6 = datapathKey([
  { key: "src", field: FIELD.ipv6_src },
  { key: "dst", field: FIELD.ipv6_dst },
  { key: "label", field: FIELD.ipv6_label, format: hex },
  { key: "proto", field: FIELD.nw_proto, readOnly: true },
  { key: "tclass", field: FIELD.nw_tos, format: hex },
  { key: "hlimit", field: FIELD.nw_ttl },
  { key: "frag", field: FIELD.nw_frag, readOnly: true },
]);
const ARP = datapathKey([
  { key: "sip", field: FIELD.arp_spa },
  { key: "tip", field: FIELD.arp_tpa },
  { key: "op", field: FIELD.arp_op },
  { key: "sha", field: FIELD.arp_sha },
  { key: "tha", field: FIELD.arp_tha },
]);
const PORTS = datapathKey([
  { key: "src", field: FIELD.tp_src },
  { key: "dst", field: FIELD.tp_dst },
]);
const ICMP = datapathKey([
  { key: "type", field: FIELD.icmp_type },
  { key: "code", field: FIELD.icmp_code },
]);

const full = (bits: number): bigint => (1n << BigInt(bits)) - 1n;

function show(p: KeyPart, v: bigint): string {
  return p.format ? p.format(v) : formatFieldValue(p.field, v, full(p.field.bits), "action");
}

/** Whether any writable part's storage words differ: most commits change nothing, and this needs no bigint. */
function differs(words: readonly Words[], flow: FlowKey, base: FlowKey): boolean {
  for (let w = 0; w < words.length; w++) {
    const { offset, count } = words[w];
    for (let i = offset; i < offset + count; i++) if (flow[i] !== base[i]) return true;
  }
  return false;
}

/**
 * One datapath key (eth, ipv4, ...): when a writable part differs, emit a set. Masked: only the parts
 * that changed, each with the consulted mask when it is partial; a set changing every part prints whole.
 */
function commitKey(
  name: string,
  { parts, words }: DatapathKey,
  flow: FlowKey,
  base: FlowKey,
  odp: OdpList,
  masked: boolean,
  wc?: FlowKey,
): void {
  if (!differs(words, flow, base)) return;
  const changed = parts.filter((p) => !p.readOnly && readField(flow, p.field) !== readField(base, p.field));
  if (changed.length === 0) return;
  // A changed field's mask is the whole field: ovspath does not model which bits the classifier
  // consulted, and a set action writes whole fields. The exception is the TOS byte, which actions
  // write in parts (mod_nw_tos its DSCP bits, mod_nw_ecn its ECN bits): OVS's mask is those bits.
  const whole = !masked || (parts.every((p) => !p.readOnly) && changed.length === parts.length);
  const shown = whole ? parts : changed;
  const body = shown.map((p) => {
    const v = readField(flow, p.field);
    const m = wc && !whole && (p.key === "tos" || p.key === "tclass") ? readField(wc, p.field) : 0n;
    return m !== 0n && m !== full(p.field.bits)
      ? `${p.key}=${show(p, v & m)}/${show(p, m)}`
      : `${p.key}=${show(p, v)}`;
  });
  odp.push(`set(${name}(${body.join(",")}))`);
  for (const p of parts) if (!p.readOnly) writeField(base, p.field, readField(flow, p.field));
}

/** The VLAN words a commit compares and copies (one word each). */
const VLAN_WORDS = [K.vlanTci, K.vlanTci1, K.vlanTpid, K.vlanTpid1];

/** VLAN headers: pop what the datapath has beyond the common part, push what the flow has. */
function commitVlan(flow: FlowKey, base: FlowKey, odp: OdpList): void {
  // Most outputs change no tag: nothing to push, pop or copy, and no tag lists to build.
  let same = true;
  for (const w of VLAN_WORDS) if (flow[w] !== base[w]) same = false;
  if (same) return;
  const tags = (k: FlowKey) => {
    const out: Array<{ tci: number; tpid: number }> = [];
    if (k[K.vlanTci] & VLAN_CFI) {
      out.push({ tci: k[K.vlanTci], tpid: k[K.vlanTpid] || 0x8100 });
      if (k[K.vlanTci1] & VLAN_CFI) out.push({ tci: k[K.vlanTci1], tpid: k[K.vlanTpid1] || 0x8100 });
    }
    return out;
  };
  const b = tags(base);
  const fl = tags(flow);
  // Skip the innermost tags both have in common (OVS compares from the inside out).
  let bn = b.length;
  let fn = fl.length;
  while (bn > 0 && fn > 0 && b[bn - 1].tci === fl[fn - 1].tci && b[bn - 1].tpid === fl[fn - 1].tpid) {
    bn--;
    fn--;
  }
  for (let i = 0; i < bn; i++) odp.push("pop_vlan");
  for (let i = fn - 1; i >= 0; i--) {
    const t = fl[i];
    const vid = t.tci & wordBits(FIELD.dl_vlan);
    const pcp = (t.tci & wordBits(FIELD.dl_vlan_pcp)) >>> wordShift(FIELD.dl_vlan_pcp);
    odp.push(
      t.tpid === 0x8100
        ? `push_vlan(vid=${vid},pcp=${pcp})`
        : `push_vlan(tpid=0x${t.tpid.toString(16)},vid=${vid},pcp=${pcp})`,
    );
  }
  for (const w of VLAN_WORDS) base[w] = flow[w];
}

const MPLS_BOS = wordBits(FIELD.mpls_bos);
const isMpls = (dlType: number): boolean => dlType === 0x8847 || dlType === 0x8848;

/** flow_count_mpls_labels: the LSEs down to the bottom of stack (none unless the type is MPLS). */
export function mplsLabels(f: FlowKey): number {
  if (!isMpls(f[K.dlType])) return 0;
  let n = 0;
  for (let i = 0; i < KSIZE.mplsLse; i++) {
    if (f[K.mplsLse + i] & MPLS_BOS) return i + 1;
    if (f[K.mplsLse + i]) n++;
  }
  return n;
}

const lseText = (lse: number): string =>
  `label=${lse >>> wordShift(FIELD.mpls_label)},tc=${(lse & wordBits(FIELD.mpls_tc)) >>> wordShift(FIELD.mpls_tc)},` +
  `ttl=${lse & wordBits(FIELD.mpls_ttl)},bos=${(lse & MPLS_BOS) >>> wordShift(FIELD.mpls_bos)}`;

/**
 * commit_mpls_action: pop the datapath's labels the flow no longer has (or rewrite the top one with
 * set(mpls(...)) when one differs), then push the flow's extra labels. The base keeps its L3 fields
 * under pushed labels, so a flow restored after a patch port or a clone pops back to them.
 */
function commitMpls(flow: FlowKey, base: FlowKey, odp: OdpList): void {
  let baseN = mplsLabels(base);
  const flowN = mplsLabels(flow);
  let common = 0;
  while (
    common < Math.min(baseN, flowN) &&
    flow[K.mplsLse + flowN - 1 - common] === base[K.mplsLse + baseN - 1 - common]
  )
    common++;
  const L = K.mplsLse;
  while (baseN > common) {
    if (baseN - 1 === common && flowN > common) {
      const lse = flow[L + flowN - baseN];
      odp.push(`set(mpls(${lseText(lse)}))`);
      base[L] = lse;
      common++;
    } else {
      // Popping the last label of several with a non-MPLS flow type: the datapath wants an MPLS type.
      const type = !isMpls(flow[K.dlType]) && baseN > 1 ? 0x8847 : flow[K.dlType];
      odp.push(`pop_mpls(eth_type=0x${type.toString(16)})`);
      base.copyWithin(L, L + 1, L + KSIZE.mplsLse);
      base[L + KSIZE.mplsLse - 1] = 0;
      if (baseN === 1) base[K.dlType] = flow[K.dlType];
      baseN--;
    }
  }
  while (baseN < flowN) {
    const lse = flow[L + flowN - baseN - 1];
    odp.push(`push_mpls(${lseText(lse)},eth_type=0x${flow[K.dlType].toString(16)})`);
    base.copyWithin(L + 1, L, L + KSIZE.mplsLse - 1);
    base[L] = lse;
    base[K.dlType] = flow[K.dlType];
    baseN++;
  }
}

/**
 * The words an IPv4 packet's commit reads or writes, as constants the optimizer folds into the checks
 * below: most outputs commit nothing, and finding that key by key (each key's part descriptors read,
 * five keys) cost more than comparing these words one after another.
 */
const DL_DST = K.dlDst;
const DL_SRC = K.dlSrc;
const DL_TYPE = K.dlType;
const NW_SRC = K.nwSrc;
const NW_DST = K.nwDst;
const NW_TOS = K.nwTos;
const NW_TTL = K.nwTtl;
const TP_SRC = K.tpSrc;
const TP_DST = K.tpDst;
const VLAN_TCI = K.vlanTci;
const VLAN_TCI1 = K.vlanTci1;
const VLAN_TPID = K.vlanTpid;
const VLAN_TPID1 = K.vlanTpid1;
const MPLS_LSE = K.mplsLse;
const SKB_PRIORITY = K.skbPriority;
const PKT_MARK = K.pktMark;

/**
 * Whether an IPv4 packet's flow and datapath copy agree on every word a commit reads or writes (the
 * Ethernet, IPv4, transport and ICMP keys' writable parts, the VLAN and MPLS words, priority and mark):
 * then a commit does nothing.
 */
function ipv4Unchanged(flow: FlowKey, base: FlowKey): boolean {
  return (
    flow[DL_TYPE] === 0x0800 &&
    base[DL_TYPE] === 0x0800 &&
    flow[DL_DST] === base[DL_DST] &&
    flow[DL_DST + 1] === base[DL_DST + 1] &&
    flow[DL_SRC] === base[DL_SRC] &&
    flow[DL_SRC + 1] === base[DL_SRC + 1] &&
    flow[NW_SRC] === base[NW_SRC] &&
    flow[NW_DST] === base[NW_DST] &&
    flow[NW_TOS] === base[NW_TOS] &&
    flow[NW_TTL] === base[NW_TTL] &&
    flow[TP_SRC] === base[TP_SRC] &&
    flow[TP_DST] === base[TP_DST] &&
    flow[VLAN_TCI] === base[VLAN_TCI] &&
    flow[VLAN_TCI1] === base[VLAN_TCI1] &&
    flow[VLAN_TPID] === base[VLAN_TPID] &&
    flow[VLAN_TPID1] === base[VLAN_TPID1] &&
    flow[MPLS_LSE] === base[MPLS_LSE] &&
    flow[MPLS_LSE + 1] === base[MPLS_LSE + 1] &&
    flow[MPLS_LSE + 2] === base[MPLS_LSE + 2] &&
    flow[SKB_PRIORITY] === base[SKB_PRIORITY] &&
    flow[PKT_MARK] === base[PKT_MARK]
  );
}

/** commit_odp_actions: bring the datapath's copy of the packet up to date with the flow. */
export function commitActions(flow: FlowKey, base: FlowKey, odp: OdpList, wc?: FlowKey): void {
  if (!ipv4Unchanged(flow, base)) commitChanges(flow, base, odp, wc);
}

/** commitActions on a translation's packet, into its datapath copy (written only when a commit changes it). */
export function commitPacket(ctx: XlateContext): void {
  if (!ipv4Unchanged(ctx.flow, ctx.base)) commitChanges(ctx.flow, ctx.ownBase(), ctx.odp, ctx.wc);
}

/** commitActions past its check that something may have changed (exported for its test). */
export function commitChanges(flow: FlowKey, base: FlowKey, odp: OdpList, wc?: FlowKey): void {
  commitKey("eth", ETH, flow, base, odp, true);
  // A packet leaving MPLS loses its labels before L3 is set (else the sets would change nothing).
  const mplsFirst = isMpls(base[K.dlType]) && !isMpls(flow[K.dlType]);
  if (mplsFirst) commitMpls(flow, base, odp);
  const proto = flow[K.nwProto];
  const dlType = base[K.dlType];
  if (proto !== 0 || dlType === 0x0806) {
    if (dlType === 0x0800) commitKey("ipv4", IPV4, flow, base, odp, true, wc);
    else if (dlType === 0x86dd) commitKey("ipv6", IPV6, flow, base, odp, true, wc);
    else if (dlType === 0x0806) commitKey("arp", ARP, flow, base, odp, true);
  }
  const ip = dlType === 0x0800 || dlType === 0x86dd;
  if (ip && (proto === 6 || proto === 17 || proto === 132)) {
    commitKey(proto === 6 ? "tcp" : proto === 17 ? "udp" : "sctp", PORTS, flow, base, odp, true);
  }
  if ((flow[K.dlType] === 0x0800 && proto === 1) || (flow[K.dlType] === 0x86dd && proto === 58)) {
    commitKey(proto === 1 ? "icmp" : "icmpv6", ICMP, flow, base, odp, false);
  }
  if (!mplsFirst && (isMpls(flow[K.dlType]) || isMpls(base[K.dlType]))) commitMpls(flow, base, odp);
  commitVlan(flow, base, odp);
  if (flow[K.skbPriority] !== base[K.skbPriority]) {
    odp.push(`set(skb_priority(${hex(BigInt(flow[K.skbPriority]))}))`);
    base[K.skbPriority] = flow[K.skbPriority];
  }
  if (flow[K.pktMark] !== base[K.pktMark]) {
    odp.push(`set(skb_mark(${hex(BigInt(flow[K.pktMark]))}))`);
    base[K.pktMark] = flow[K.pktMark];
  }
}
