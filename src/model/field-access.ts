/**
 * Field logic over a flow key beyond one whole field (readField/writeField in fields.ts): subfields
 * (`NXM_NX_REG6[0..15]`) and whether a packet has a field at all. OVS keeps these beside its field table
 * in lib/meta-flow.c (mf_read_subfield, mf_write_subfield, mf_are_prereqs_ok); the pipeline, the
 * explainer and the trace's flow parser share them here.
 */
import { allOnes, type FieldDef, readField, writeField } from "./fields.js";
import { CS, type FlowKey, K, KSIZE, VLAN_CFI } from "./layout.js";

/** A bit range of a field (the shape of an action's Subfield operand). */
export interface BitRange {
  readonly field: FieldDef;
  /** Bit offset of the least significant bit, and the number of bits. */
  readonly ofs: number;
  readonly nBits: number;
}

/**
 * The flow-key word holding a range of a field held in one word (a register, a port, an address) and
 * the range's shift in it; undefined for wider fields and ranges beyond the field. OVN's registers are
 * read and written by range on every table it crosses: in plain numbers, no bigint per operation.
 */
function oneWord(s: BitRange): { at: number; shift: number } | undefined {
  const f = s.field;
  if ((f.shift & 31) + f.bits > 32 || s.ofs + s.nBits > f.bits) return undefined;
  return { at: K[f.slot] + KSIZE[f.slot] - 1 - (f.shift >>> 5), shift: (f.shift & 31) + s.ofs };
}

/** mf_read_subfield: the range's bits, shifted down to bit 0. */
export function readSubfield(flow: FlowKey, s: BitRange): bigint {
  const w = oneWord(s);
  if (w) {
    const v = flow[w.at] >>> w.shift;
    return BigInt(s.nBits >= 32 ? v : v & (2 ** s.nBits - 1));
  }
  return (readField(flow, s.field) >> BigInt(s.ofs)) & allOnes(s.nBits);
}

/** mf_write_subfield: the range's bits replaced by the low bits of `value`, the rest of the field kept. */
export function writeSubfield(flow: FlowKey, s: BitRange, value: bigint): void {
  const w = oneWord(s);
  if (w) {
    const m = s.nBits >= 32 ? 0xffffffff : (2 ** s.nBits - 1) * 2 ** w.shift;
    const v = Number(BigInt.asUintN(s.nBits, value)) * 2 ** w.shift;
    flow[w.at] = (flow[w.at] & ~m) | (v & m);
    return;
  }
  const m = allOnes(s.nBits) << BigInt(s.ofs);
  const old = readField(flow, s.field);
  writeField(flow, s.field, (old & ~m) | ((value << BigInt(s.ofs)) & m));
}

/** Whether the packet is IPv4 or IPv6 (MFP_IP_ANY). */
export const isIp = (f: FlowKey): boolean => f[K.dlType] === 0x0800 || f[K.dlType] === 0x86dd;

/** mf_are_prereqs_ok: whether the packet has the field at all. */
export function prereqsOk(f: FlowKey, fd: FieldDef): boolean {
  const dl = f[K.dlType];
  const p = f[K.nwProto];
  switch (fd.prereq) {
    case "none":
      return true;
    case "arp":
      return dl === 0x0806 || dl === 0x8035;
    case "vlan":
      return (f[K.vlanTci] & VLAN_CFI) !== 0;
    case "ipv4":
      return dl === 0x0800;
    case "ipv6":
      return dl === 0x86dd;
    case "ipAny":
      return isIp(f);
    case "tcp":
      return isIp(f) && p === 6;
    case "udp":
      return isIp(f) && p === 17;
    case "sctp":
      return isIp(f) && p === 132;
    case "icmpv4":
      return dl === 0x0800 && p === 1;
    case "icmpv6":
      return dl === 0x86dd && p === 58;
    case "nd":
    case "ndSolicit":
    case "ndAdvert": {
      if (!(dl === 0x86dd && p === 58 && f[K.tpDst] === 0)) return false;
      const t = f[K.tpSrc];
      return fd.prereq === "nd" ? t === 135 || t === 136 : fd.prereq === "ndSolicit" ? t === 135 : t === 136;
    }
    case "mpls":
      return dl === 0x8847 || dl === 0x8848;
    case "ctValid":
      return (f[K.ctState] & CS.trk) !== 0;
  }
}
