/**
 * Conntrack as the kernel keeps it for the firewall, one table per zone, with Linux's default sysctls
 * (nf_conntrack_tcp_loose=1: a lone ACK picks up a connection and is NEW; a first SYN/ACK, FIN, RST or
 * a bad flag combination is INVALID). A frame's entry is confirmed only when the frame is accepted, as
 * the kernel confirms at the last hook. Seeded entries (from `conntrack -L`) are marked pre-existing.
 */
import { type FwPacket, PROTO } from "./packet.js";
import type { CtState } from "./rule.js";

export interface CtTuple {
  proto: number;
  src: bigint;
  dst: bigint;
  /** TCP/UDP ports; for ICMP the echo id and the type. */
  sport: number;
  dport: number;
}

export interface CtEntry {
  zone: number;
  orig: CtTuple;
  reply: CtTuple;
  /** Has a frame gone the reply way (conntrack's [UNREPLIED] cleared). */
  replied: boolean;
  /** Read from a `conntrack -L` dump rather than made by a replayed frame. */
  preexisting: boolean;
  /** The file:line it was read from, for seeded entries. */
  source?: string;
}

/** A frame's conntrack verdict: its state, and what to record if the frame gets through. */
export interface CtLookup {
  state: CtState;
  entry?: CtEntry;
  /** How the frame relates to the entry (a reply sets `replied`). */
  dir?: "orig" | "reply";
  /** Why it is INVALID or UNTRACKED, in words. */
  why?: string;
}

/** ICMP request types and their reply types (nf_conntrack_proto_icmp / icmpv6). */
const ICMP_REPLY: Record<number, number> = { 8: 0, 13: 14, 15: 16, 17: 18 };
const ICMPV6_REPLY: Record<number, number> = { 128: 129, 139: 140 };
/** ICMPv6 types conntrack never tracks (MLD, router and neighbour discovery): UNTRACKED. */
const ICMPV6_UNTRACKED = new Set([130, 131, 132, 133, 134, 135, 136, 143]);
const ICMP_ERRORS = new Set([3, 4, 5, 11, 12]);
const ICMPV6_ERRORS = new Set([1, 2, 3, 4]);

/** tcp_valid_flags: the combinations of FIN/SYN/RST/PSH/ACK/URG conntrack accepts at all. */
const VALID_TCP = new Set([
  0x02, 0x22, 0x12, 0x04, 0x14, 0x1c, 0x11, 0x31, 0x10, 0x30, 0x18, 0x38, 0x19, 0x39,
]);

/** An address in a key: IPv4 as a plain number (printing a small bigint's Number is much cheaper). */
function addrKey(v: bigint): string | number {
  return v < 0x100000000n ? Number(v) : v.toString(36);
}

function keyOf(zone: number, t: CtTuple): string {
  return `${zone}|${t.proto}|${addrKey(t.src)}|${addrKey(t.dst)}|${t.sport}|${t.dport}`;
}

/** keyOf(zone, tupleOf(p)) without building the tuple or converting bigints (IPv4 from the frame). */
function packetKey(zone: number, p: FwPacket): string {
  if (!p.v4) return keyOf(zone, tupleOf(p));
  const icmp = p.proto === PROTO.icmp;
  return `${zone}|${p.proto}|${p.v4[0]}|${p.v4[1]}|${icmp ? p.icmpId : p.sport}|${icmp ? p.icmpType : p.dport}`;
}

export function tupleOf(p: FwPacket): CtTuple {
  const icmp = p.proto === PROTO.icmp || p.proto === PROTO.icmpv6;
  return {
    proto: p.proto,
    src: p.src,
    dst: p.dst,
    sport: icmp ? p.icmpId : p.sport,
    dport: icmp ? p.icmpType : p.dport,
  };
}

function replyOf(t: CtTuple, v6: boolean): CtTuple {
  const icmp = t.proto === PROTO.icmp || t.proto === PROTO.icmpv6;
  const dport = icmp ? ((v6 ? ICMPV6_REPLY : ICMP_REPLY)[t.dport] ?? t.dport) : t.sport;
  return { proto: t.proto, src: t.dst, dst: t.src, sport: icmp ? t.sport : t.dport, dport };
}

export class FwConntrack {
  private readonly table = new Map<string, { entry: CtEntry; dir: "orig" | "reply" }>();

  /** Adds an entry read from a dump (or made by a replayed frame). */
  add(entry: CtEntry): void {
    this.table.set(keyOf(entry.zone, entry.orig), { entry, dir: "orig" });
    this.table.set(keyOf(entry.zone, entry.reply), { entry, dir: "reply" });
  }

  get size(): number {
    return this.table.size / 2;
  }

  entries(): CtEntry[] {
    return [...new Set([...this.table.values()].map((v) => v.entry))];
  }

  /** What conntrack says of this frame in this zone, without changing anything. */
  lookup(zone: number, p: FwPacket): CtLookup {
    const v6 = p.family === "ipv6";
    if (p.proto === PROTO.icmpv6 && ICMPV6_UNTRACKED.has(p.icmpType))
      return {
        state: "UNTRACKED",
        why: `ICMPv6 type ${p.icmpType} (neighbour discovery, MLD) is never tracked`,
      };
    const hit = this.table.get(packetKey(zone, p));
    if (hit) {
      if (hit.dir === "reply" || hit.entry.replied)
        return { state: "ESTABLISHED", entry: hit.entry, dir: hit.dir };
      return { state: "NEW", entry: hit.entry, dir: "orig" };
    }
    if ((p.proto === PROTO.icmp && ICMP_ERRORS.has(p.icmpType)) || (v6 && ICMPV6_ERRORS.has(p.icmpType))) {
      // An ICMP error relates to the connection between its destination and source (the inner header
      // is not read: the first entry between those addresses stands for it).
      const related = this.entries().some(
        (e) => e.zone === zone && e.orig.src === p.dst && e.orig.dst === p.src,
      );
      return related
        ? { state: "RELATED" }
        : { state: "INVALID", why: "an ICMP error for no known connection" };
    }
    if (p.proto === PROTO.tcp) {
      const f = p.tcpFlags;
      if (!VALID_TCP.has(f)) return { state: "INVALID", why: "TCP flags no connection can have" };
      if (f & 0x04) return { state: "INVALID", why: "a RST for no known connection" };
      if ((f & 0x12) === 0x12) return { state: "INVALID", why: "a SYN/ACK for no known connection" };
      if (f & 0x01) return { state: "INVALID", why: "a FIN for no known connection" };
      return { state: "NEW" };
    }
    if (p.proto === PROTO.icmp || p.proto === PROTO.icmpv6) {
      const requests = v6 ? ICMPV6_REPLY : ICMP_REPLY;
      if (requests[p.icmpType] === undefined)
        return { state: "INVALID", why: `ICMP type ${p.icmpType} cannot start a connection` };
    }
    return { state: "NEW" };
  }

  /** Records what an accepted frame did: a new entry, or the reply that establishes one. */
  confirm(zone: number, p: FwPacket, l: CtLookup): void {
    if (l.entry) {
      if (l.dir === "reply") l.entry.replied = true;
      return;
    }
    if (l.state !== "NEW") return;
    const orig = tupleOf(p);
    this.add({ zone, orig, reply: replyOf(orig, p.family === "ipv6"), replied: false, preexisting: false });
  }
}
