/**
 * The flow key: every field OVS can match on, packed into one fixed Uint32Array, in the spirit of
 * OVS's `struct flow`. Matching is word-wise `(key[i] & mask[i]) === value[i]`, and the classifier
 * hashes masked words, so the key must be flat and allocation-free.
 *
 * Conventions:
 * - A field of more than 32 bits spans consecutive words, most significant word first
 *   (a MAC: word 0 holds bytes 0-1 in its low 16 bits, word 1 holds bytes 2-5).
 * - Fields OVS stores in shared storage share it here too, so that set_field/move on one is seen
 *   through the other exactly as in OVS: arp_spa/arp_tpa live in nw_src/nw_dst, arp_op in nw_proto,
 *   arp_sha/nd_sll in `arpSha`, arp_tha/nd_tll in `arpTha`, icmp_type/code in tp_src/tp_dst,
 *   xregN/xxregN are views over reg words.
 * - Sub-fields (ip_dscp and nw_ecn in nw_tos, mpls_label/tc/bos/ttl in the label stack entry,
 *   dl_vlan/dl_vlan_pcp in vlan_tci) are bit ranges of their parent word, described by the field
 *   registry (src/model/fields.ts), not separate words.
 *
 * This file only names storage. Names, aliases, widths, prerequisites, parse and format of the
 * user-visible fields live in the registry, which refers to these offsets.
 */

/** Word offsets into a FlowKey. Each entry is [offset, number of words]. */
const LAYOUT_SPEC = [
  // Metadata
  ["inPort", 1],
  ["recircId", 1],
  ["dpHash", 1],
  ["skbPriority", 1],
  ["pktMark", 1],
  ["conjId", 1],
  ["actsetOutput", 1],
  ["packetType", 1],
  ["metadata", 2],
  ["regs", 16],
  // Connection tracking
  ["ctState", 1],
  ["ctZone", 1],
  ["ctMark", 1],
  ["ctLabel", 4],
  ["ctNwSrc", 1],
  ["ctNwDst", 1],
  ["ctIpv6Src", 4],
  ["ctIpv6Dst", 4],
  ["ctNwProto", 1],
  ["ctTpSrc", 1],
  ["ctTpDst", 1],
  // Tunnel metadata (set when a frame is received from a tunnel port)
  ["tunId", 2],
  ["tunSrc", 1],
  ["tunDst", 1],
  ["tunIpv6Src", 4],
  ["tunIpv6Dst", 4],
  ["tunFlags", 1],
  ["tunTos", 1],
  ["tunTtl", 1],
  ["tunGbpId", 1],
  ["tunGbpFlags", 1],
  ["tunErspanVer", 1],
  ["tunErspanIdx", 1],
  ["tunErspanDir", 1],
  ["tunErspanHwid", 1],
  ["tunTpSrc", 1],
  ["tunTpDst", 1],
  // tun_metadata0..63: one word each (the first 4 bytes of the option); see fields.ts.
  ["tunMetadata", 64],
  // L2
  ["dlDst", 2],
  ["dlSrc", 2],
  ["dlType", 1],
  // vlan_tci as OVS keeps it: VID | PCP << 13 | 0x1000 (CFI = "a tag is present").
  ["vlanTci", 1],
  ["vlanTci1", 1],
  // TPID of each tag (0x8100, 0x88a8, 0x9100); not matchable, needed for datapath push_vlan.
  ["vlanTpid", 1],
  ["vlanTpid1", 1],
  // The top three MPLS label stack entries as on the wire (label << 12 | tc << 9 | bos << 8 | ttl),
  // as many as OVS keeps (FLOW_MAX_MPLS_LABELS); mpls_label/tc/bos/ttl are bits of the first.
  ["mplsLse", 3],
  // L3
  ["nwSrc", 1],
  ["nwDst", 1],
  ["ipv6Src", 4],
  ["ipv6Dst", 4],
  ["ipv6Label", 1],
  ["nwProto", 1],
  ["nwTos", 1],
  ["nwTtl", 1],
  // nw_frag bits as OVS: FRAG_ANY = 1 (is a fragment), FRAG_LATER = 2 (not the first).
  ["nwFrag", 1],
  ["arpSha", 2],
  ["arpTha", 2],
  ["ndTarget", 4],
  ["ndReserved", 1],
  ["ndOptionsType", 1],
  // L4
  ["tpSrc", 1],
  ["tpDst", 1],
  ["tcpFlags", 1],
] as const;

export type LayoutName = (typeof LAYOUT_SPEC)[number][0];

function buildLayout(): {
  offsets: Record<LayoutName, number>;
  sizes: Record<LayoutName, number>;
  words: number;
} {
  const offsets: Array<[LayoutName, number]> = [];
  let next = 0;
  for (const [name, size] of LAYOUT_SPEC) {
    offsets.push([name, next]);
    next += size;
  }
  // Made whole by Object.fromEntries, not a property at a time: an object given more than a dozen
  // properties by computed name turns into a hash table in V8, and every `K.dlSrc` of translation
  // became a dictionary lookup instead of a constant the optimizer folds in.
  return {
    offsets: Object.fromEntries(offsets) as Record<LayoutName, number>,
    sizes: Object.fromEntries(LAYOUT_SPEC) as Record<LayoutName, number>,
    words: next,
  };
}

const built = buildLayout();

/** Word offset of each storage slot, e.g. `K.dlSrc`. */
export const K: Readonly<Record<LayoutName, number>> = built.offsets;
/** Number of words of each storage slot. */
export const KSIZE: Readonly<Record<LayoutName, number>> = built.sizes;
/**
 * The packet's metadata slots (OVS's `struct flow` fields a datapath packet carries beside its headers):
 * what a trace with a packet takes from FLOW, and what `flow_format` leaves out when all zero.
 */
export const PACKET_METADATA_SLOTS = [
  "inPort",
  "skbPriority",
  "pktMark",
  "recircId",
  "dpHash",
  "ctState",
  "ctZone",
  "ctMark",
  "ctLabel",
] as const satisfies readonly LayoutName[];
/** Number of 32-bit words in a flow key. */
export const FLOW_WORDS: number = built.words;

/** A flow key (or a mask, or a masked value: the same shape). */
export type FlowKey = Uint32Array;

/**
 * Flow keys are carved out of shared slabs: a fresh 173-word typed array costs about ten times a view on
 * an existing buffer, and translation makes several per packet. A slab holds 32 keys, so a key kept for
 * long pins at most 22 KB; what lives as long as a table (the megaflow cache) takes `ownFlowKey`.
 */
const SLAB_KEYS = 32;
let slab = new Uint32Array(0);
let slabUsed = SLAB_KEYS;

/** A zeroed flow key. */
export function newFlowKey(): FlowKey {
  if (slabUsed === SLAB_KEYS) {
    slab = new Uint32Array(FLOW_WORDS * SLAB_KEYS);
    slabUsed = 0;
  }
  // A view made on the buffer directly: subarray() goes through the species constructor, slower.
  return new Uint32Array(slab.buffer, FLOW_WORDS * 4 * slabUsed++, FLOW_WORDS);
}

/** A copy of a flow key (cheap: see newFlowKey). */
export function copyFlowKey(src: FlowKey): FlowKey {
  const k = newFlowKey();
  k.set(src);
  return k;
}

/** A flow key with a buffer of its own, for tables that keep keys for long. */
export function ownFlowKey(src?: FlowKey): FlowKey {
  const k = new Uint32Array(FLOW_WORDS);
  if (src) k.set(src);
  return k;
}

// ---- Constants shared by the extractor, the registry and the pipeline ----

/** CFI bit of vlan_tci: set when the frame carries a tag. */
export const VLAN_CFI = 0x1000;
export const FRAG_ANY = 1;
export const FRAG_LATER = 2;

/** ct_state bits, as OVS numbers them. */
export const CS = {
  new: 0x01,
  est: 0x02,
  rel: 0x04,
  rpl: 0x08,
  inv: 0x10,
  trk: 0x20,
  snat: 0x40,
  dnat: 0x80,
} as const;

/** tun_flags bits as OVS prints them (`tun_flags=+oam`); `key` and `df` are datapath-only. */
export const TUN_FLAG_OAM = 0x1;
/** The datapath-only tun_flags bits OVS's flow_tnl keeps beside OAM: don't fragment, checksum, key. */
export const TUN_FLAG_DF = 0x2;
export const TUN_FLAG_CSUM = 0x4;
export const TUN_FLAG_KEY = 0x8;

/** OpenFlow reserved port numbers (OF1.0 16-bit space, as OVS prints them). */
export const OFPP = {
  max: 0xff00,
  inPort: 0xfff8,
  table: 0xfff9,
  normal: 0xfffa,
  flood: 0xfffb,
  all: 0xfffc,
  controller: 0xfffd,
  local: 0xfffe,
  none: 0xffff,
} as const;

// ---- Helpers to read and write multi-word storage ----

export function setMac(key: FlowKey, off: number, bytes: Uint8Array, at: number): void {
  key[off] = (bytes[at] << 8) | bytes[at + 1];
  key[off + 1] = ((bytes[at + 2] << 24) | (bytes[at + 3] << 16) | (bytes[at + 4] << 8) | bytes[at + 5]) >>> 0;
}

export function setBe32Words(key: FlowKey, off: number, words: number, bytes: Uint8Array, at: number): void {
  for (let i = 0; i < words; i++) {
    const p = at + i * 4;
    key[off + i] = ((bytes[p] << 24) | (bytes[p + 1] << 16) | (bytes[p + 2] << 8) | bytes[p + 3]) >>> 0;
  }
}
