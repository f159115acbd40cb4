/**
 * IPv4 and IPv6 addresses, networks and masks: the one parser and printer every reader of addresses
 * uses (flow matches, display filters, and the iptables and OVN readers). Addresses are bigints
 * (32 or 128 bits, network order: the first byte written is the most significant). Parsers return
 * `undefined` for text that is not one; they never throw. Pure.
 *
 * The textual forms are the C library's, as Open vSwitch reads and prints them:
 * - IPv4: a dotted quad of 1-3 decimal digits each, at most 255 (`10.0.0.1`, `010.0.0.1` as
 *   ovs-ofctl also reads it).
 * - IPv6: glibc `inet_pton`: 8 groups of 1-4 hex digits, one `::` standing for one or more zero
 *   groups, and an optional dotted quad for the last 32 bits (`::ffff:10.0.0.1`, `64:ff9b::1.2.3.4`;
 *   no leading zeros in its numbers, no zone `%eth0`); printed as glibc `inet_ntop` does (below).
 */

export type IpFamily = 4 | 6;

/** Address width in bits. */
export const IP_BITS: Readonly<Record<IpFamily, 32 | 128>> = { 4: 32, 6: 128 };

/** inet_pton's octet: no leading zero (`01` is not one). */
const STRICT_OCTET = /^(0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/i;

function dottedQuad(text: string, octet: RegExp): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!octet.test(p) || Number(p) > 255) return undefined;
    v = (v << 8n) | BigInt(p);
  }
  return v;
}

/**
 * `10.0.0.1` → 0x0a000001n. Read by character codes into one number (a dump of 100k flows has an
 * address on many of them): four groups of 1-3 decimal digits, each at most 255.
 */
export function parseIpv4(text: string): bigint | undefined {
  let v = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      octet = octet * 10 + (c - 0x30);
      if (++digits > 3 || octet > 255) return undefined;
    } else if (c === 0x2e && digits > 0 && dots < 3) {
      v = v * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return BigInt(v * 256 + octet);
}

/** 0x0a000001n → `10.0.0.1`. */
export function formatIpv4(v: bigint): string {
  const n = Number(v & 0xffffffffn);
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join(".");
}

/** The 16-bit groups of one side of `::` (or of the whole address); undefined when malformed. */
function groups(text: string, last: boolean): number[] | undefined {
  if (text === "") return [];
  const out: number[] = [];
  const parts = text.split(":");
  for (const [i, p] of parts.entries()) {
    if (last && i === parts.length - 1 && p.includes(".")) {
      const v4 = dottedQuad(p, STRICT_OCTET);
      if (v4 === undefined) return undefined;
      out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
    } else if (HEX_GROUP.test(p)) out.push(Number.parseInt(p, 16));
    else return undefined;
  }
  return out;
}

/** Any form glibc's inet_pton(AF_INET6) accepts → the 128-bit address. */
export function parseIpv6(text: string): bigint | undefined {
  if (!text.includes(":")) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  let all: number[];
  if (halves.length === 2) {
    const head = groups(halves[0], false);
    const tail = groups(halves[1], true);
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    all = [...head, ...Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const g = groups(text, true);
    if (g?.length !== 8) return undefined;
    all = g;
  }
  return all.reduce((v, g) => (v << 16n) | BigInt(g), 0n);
}

/**
 * The 128-bit address as glibc's inet_ntop prints it (and so ovs-ofctl): lowercase groups without
 * leading zeros; the longest run of two or more zero groups (the first of equal runs) as `::`; and
 * the last 32 bits as a dotted quad when the first 96 bits are zero with at least 16 bits more
 * (`::10.0.0.1`, but `::1`, `::2`) or are `::ffff` (IPv4-mapped, `::ffff:10.0.0.1`).
 */
export function formatIpv6(v: bigint): string {
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  return formatIpv6Groups(g);
}

/** formatIpv6 of the address's eight 16-bit groups, first first (what a decoder reads off the wire). */
export function formatIpv6Groups(g: readonly number[]): string {
  let best = -1;
  let len = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > len) [best, len] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (a: readonly number[]) => a.map((x) => x.toString(16)).join(":");
  if (best === 0 && (len === 6 || (len === 5 && g[5] === 0xffff)))
    return `::${len === 5 ? "ffff:" : ""}${g[6] >> 8}.${g[6] & 0xff}.${g[7] >> 8}.${g[7] & 0xff}`;
  return best < 0 ? hex(g) : `${hex(g.slice(0, best))}::${hex(g.slice(best + len))}`;
}

/** Parses an address of the family. */
export function parseIp(family: IpFamily, text: string): bigint | undefined {
  return family === 4 ? parseIpv4(text) : parseIpv6(text);
}

/** Prints an address of the family. */
export function formatIp(family: IpFamily, v: bigint): string {
  return family === 4 ? formatIpv4(v) : formatIpv6(v);
}

/** The mask of a prefix length: prefixMask(24, 32) = 0xffffff00n. */
export function prefixMask(length: number, bits: number): bigint {
  return length <= 0 ? 0n : ((1n << BigInt(length)) - 1n) << BigInt(bits - length);
}

/** The prefix length of a mask, or -1 when the mask's ones are not contiguous from the top. */
export function prefixLength(mask: bigint, bits: number): number {
  let n = 0;
  for (let i = bits - 1; i >= 0 && (mask >> BigInt(i)) & 1n; i--) n++;
  return mask === prefixMask(n, bits) ? n : -1;
}

/** An address with a mask (a host address has the all-ones mask). */
export interface IpNetwork {
  readonly family: IpFamily;
  readonly addr: bigint;
  readonly mask: bigint;
}

/** Why a network did not parse: the address, or what follows the slash. */
export type NetworkError = "address" | "prefix" | "mask";

/**
 * `ADDR`, `ADDR/LEN` (CIDR) or `ADDR/MASK` (a mask address, contiguous or not) → the network, with
 * the address as written (host bits kept: callers that want them cleared do `addr & mask`).
 */
export function parseIpNetwork(
  family: IpFamily,
  text: string,
): { ok: true; value: IpNetwork } | { ok: false; error: NetworkError } {
  const bits = IP_BITS[family];
  const slash = text.indexOf("/");
  const addr = parseIp(family, slash < 0 ? text : text.slice(0, slash));
  if (addr === undefined) return { ok: false, error: "address" };
  if (slash < 0) return { ok: true, value: { family, addr, mask: prefixMask(bits, bits) } };
  const rest = text.slice(slash + 1);
  if (/^[0-9]{1,3}$/.test(rest)) {
    const len = Number(rest);
    return len > bits
      ? { ok: false, error: "prefix" }
      : { ok: true, value: { family, addr, mask: prefixMask(len, bits) } };
  }
  const mask = parseIp(family, rest);
  return mask === undefined ? { ok: false, error: "mask" } : { ok: true, value: { family, addr, mask } };
}

/** `ADDR` for a host, `ADDR/LEN` for a prefix mask, `ADDR/MASK` otherwise (as ovs-ofctl prints). */
export function formatIpNetwork(n: IpNetwork): string {
  const bits = IP_BITS[n.family];
  if (n.mask === prefixMask(bits, bits)) return formatIp(n.family, n.addr);
  const len = prefixLength(n.mask, bits);
  return `${formatIp(n.family, n.addr)}/${len >= 0 ? len : formatIp(n.family, n.mask)}`;
}

/** Whether two networks overlap (one contains the other, or they are equal) under both masks. */
export function networksMeet(a: IpNetwork, b: IpNetwork): boolean {
  const m = a.mask & b.mask;
  return a.family === b.family && (a.addr & m) === (b.addr & m);
}
