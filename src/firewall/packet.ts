/**
 * What netfilter's matches look at in a bridged frame: its addresses, protocol, ports, TCP flags, ICMP
 * type and length, read through bounds checks. A frame that is not IPv4/IPv6 (ARP, LLDP…) has no
 * family: bridge-nf-call-iptables hands only IP frames to iptables, so the firewall lets it pass.
 */
export type Family = "ipv4" | "ipv6";

export const PROTO = { icmp: 1, tcp: 6, udp: 17, icmpv6: 58, sctp: 132 } as const;

export interface FwPacket {
  family: Family | null;
  srcMac: bigint;
  dstMac: bigint;
  src: bigint;
  dst: bigint;
  /** The upper-layer protocol number (after IPv6 extension headers). */
  proto: number;
  sport: number;
  dport: number;
  /** FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20 (0 when not TCP). */
  tcpFlags: number;
  icmpType: number;
  icmpCode: number;
  /** The ICMP echo identifier (conntrack's id for ICMP). */
  icmpId: number;
  /** IP packet length (the IPv4 total length, or the IPv6 payload length plus its 40-byte header). */
  length: number;
  /** A non-first fragment: no ports. */
  fragment: boolean;
  /** Why the layer-4 header could not be read, when it could not. */
  truncated?: string;
  /**
   * The fields above as one string (the frame's own bytes, latin1), for the verdict cache: cheaper
   * than printing bigints. Only frames read by fwPacketOf have it.
   */
  key?: string;
  /** IPv4 source and destination as numbers (conntrack keys them without bigints). */
  v4?: [number, number];
}

const IPV6_EXTENSIONS = new Set([0, 43, 60]);

function be16(d: Uint8Array, o: number): number {
  return (d[o] << 8) | d[o + 1];
}

function be32(d: Uint8Array, o: number): number {
  return ((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0;
}

/** 4, 6 or 16 bytes as a bigint, built from 32-bit words (few BigInt operations: every frame pays them). */
function bytesToBig(d: Uint8Array, o: number, n: number): bigint {
  if (n === 4) return BigInt(be32(d, o));
  if (n === 6) return BigInt(be16(d, o) * 0x100000000 + be32(d, o + 2));
  let v = 0n;
  for (let i = 0; i < n; i += 4) v = (v << 32n) | BigInt(be32(d, o + i));
  return v;
}

/** Reads an Ethernet frame (with up to two VLAN tags) as netfilter's matches see it. */
export function fwPacketOf(d: Uint8Array): FwPacket {
  const p: FwPacket = {
    family: null,
    srcMac: 0n,
    dstMac: 0n,
    src: 0n,
    dst: 0n,
    proto: 0,
    sport: 0,
    dport: 0,
    tcpFlags: 0,
    icmpType: 0,
    icmpCode: 0,
    icmpId: 0,
    length: 0,
    fragment: false,
  };
  if (d.length < 14) return p;
  p.dstMac = bytesToBig(d, 0, 6);
  p.srcMac = bytesToBig(d, 6, 6);
  let off = 12;
  let type = be16(d, off);
  while ((type === 0x8100 || type === 0x88a8) && d.length >= off + 6) {
    off += 4;
    type = be16(d, off);
  }
  off += 2;
  let l4 = 0;
  if (type === 0x0800 && d.length >= off + 20) {
    const ihl = (d[off] & 0x0f) * 4;
    p.family = "ipv4";
    p.length = be16(d, off + 2);
    p.proto = d[off + 9];
    const src = be32(d, off + 12);
    const dst = be32(d, off + 16);
    p.src = BigInt(src);
    p.dst = BigInt(dst);
    p.v4 = [src, dst];
    p.fragment = (be16(d, off + 6) & 0x1fff) !== 0;
    l4 = off + ihl;
  } else if (type === 0x86dd && d.length >= off + 40) {
    p.family = "ipv6";
    p.length = be16(d, off + 4) + 40;
    p.src = bytesToBig(d, off + 8, 16);
    p.dst = bytesToBig(d, off + 24, 16);
    let next = d[off + 6];
    l4 = off + 40;
    for (;;) {
      if (IPV6_EXTENSIONS.has(next) && d.length >= l4 + 2) {
        next = d[l4];
        l4 += (d[l4 + 1] + 1) * 8;
      } else if (next === 44 && d.length >= l4 + 8) {
        p.fragment = (be16(d, l4 + 2) & 0xfff8) !== 0;
        next = d[l4];
        l4 += 8;
      } else break;
    }
    p.proto = next;
  } else {
    return p;
  }
  if (p.fragment) {
    p.key = keyBytes(d, 0, 12) + keyBytes(d, addrAt(p, off), p.family === "ipv4" ? 8 : 32) + `|${p.proto}|f`;
    return p;
  }
  const need = p.proto === PROTO.tcp ? 14 : p.proto === PROTO.udp || p.proto === PROTO.sctp ? 4 : 0;
  const icmp = p.proto === PROTO.icmp || p.proto === PROTO.icmpv6;
  if (d.length < l4 + (icmp ? 6 : need)) {
    p.truncated = `layer-4 header cut short at byte ${d.length}`;
    return p;
  }
  if (need > 0) {
    p.sport = be16(d, l4);
    p.dport = be16(d, l4 + 2);
    if (p.proto === PROTO.tcp) p.tcpFlags = d[l4 + 13] & 0x3f;
  } else if (icmp) {
    p.icmpType = d[l4];
    p.icmpCode = d[l4 + 1];
    p.icmpId = be16(d, l4 + 4);
  }
  p.key = `${keyBytes(d, 0, 12)}${keyBytes(d, addrAt(p, off), p.family === "ipv4" ? 8 : 32)}|${p.proto}|${p.sport}|${p.dport}|${p.tcpFlags}|${p.icmpType}|${p.icmpCode}`;
  return p;
}

/** Where the source address starts in the IP header at `off`. */
function addrAt(p: FwPacket, off: number): number {
  return p.family === "ipv4" ? off + 12 : off + 8;
}

/** `n` bytes (a multiple of 4, or 12 for two MACs) as 32-bit numbers joined: cheap to build and compare. */
function keyBytes(d: Uint8Array, o: number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i += 4) s += `${be32(d, o + i)},`;
  return s;
}

/**
 * The bytes the firewall's verdict cache keys a frame by (the same fields as `key`: MACs, addresses,
 * protocol, ports, TCP flags, ICMP type and code, and the IP length when asked; and the ICMP echo id,
 * which completes conntrack's tuple), copied from the frame
 * without reading it into an FwPacket: a frame like one seen before then costs a hash and a compare.
 * One scratch object, reused frame after frame (read it at once).
 */
export class FrameSignature {
  readonly bytes = new Uint8Array(64);
  length = 0;
  /** FNV-1a of the bytes. */
  hash = 0;

  /**
   * Reads the frame's signature; false for frames read only the long way (not IP, VLAN tagged, IPv6
   * extension headers, fragments, cut short).
   */
  read(d: Uint8Array, withLength: boolean): boolean {
    this.length = 0;
    if (d.length < 14) return false;
    const type = be16(d, 12);
    let proto: number;
    let addrs: number;
    let addrLen: number;
    let l4: number;
    let length: number;
    if (type === 0x0800 && d.length >= 34) {
      if ((be16(d, 20) & 0x1fff) !== 0) return false;
      proto = d[23];
      addrs = 26;
      addrLen = 8;
      l4 = 14 + (d[14] & 0x0f) * 4;
      length = be16(d, 16);
    } else if (type === 0x86dd && d.length >= 54) {
      proto = d[20];
      if (IPV6_EXTENSIONS.has(proto) || proto === 44) return false;
      addrs = 22;
      addrLen = 32;
      l4 = 54;
      length = be16(d, 18) + 40;
    } else return false;
    const ports = proto === PROTO.tcp || proto === PROTO.udp || proto === PROTO.sctp;
    const icmp = proto === PROTO.icmp || proto === PROTO.icmpv6;
    const need = proto === PROTO.tcp ? 14 : ports ? 4 : icmp ? 6 : 0;
    if (d.length < l4 + need) return false;
    const out = this.bytes;
    let n = 0;
    for (let i = 0; i < 12; i++) out[n++] = d[i];
    out[n++] = type & 0xff;
    out[n++] = proto;
    for (let i = 0; i < addrLen; i++) out[n++] = d[addrs + i];
    if (ports) for (let i = 0; i < 4; i++) out[n++] = d[l4 + i];
    if (proto === PROTO.tcp) out[n++] = d[l4 + 13] & 0x3f;
    if (icmp) {
      out[n++] = d[l4];
      out[n++] = d[l4 + 1];
      out[n++] = d[l4 + 4];
      out[n++] = d[l4 + 5];
    }
    if (withLength) {
      out[n++] = length >> 8;
      out[n++] = length & 0xff;
    }
    let h = 0x811c9dc5;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ out[i], 0x01000193);
    // 30 bits: a small integer, which V8 keeps unboxed (a Map keyed by it allocates nothing).
    this.hash = h & 0x3fffffff;
    this.length = n;
    return true;
  }

  /** The family the signature's frame is (read() returned true). */
  get family(): Family {
    return this.bytes[12] === 0x00 ? "ipv4" : "ipv6";
  }

  /** Does `b` (a kept copy) hold the same signature. */
  equals(b: Uint8Array): boolean {
    if (b.length !== this.length) return false;
    const a = this.bytes;
    for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
}
