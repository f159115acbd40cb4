/**
 * The values iptables rules hold: addresses with masks, ports and ranges, protocol and ICMP type names,
 * interface names with `+` wildcards. Addresses go through the model's one IPv4/IPv6 parser.
 */
import { ipv4Of, ipv6Of, macOf, parseMac } from "../model/field-value.js";
import { parseIpNetwork } from "../model/value/index.js";
import type { Family } from "./packet.js";

export interface Cidr {
  addr: bigint;
  mask: bigint;
  text: string;
}

/** `10.0.0.0/24`, `10.0.0.5` (a /32), `10.0.0.0/255.255.255.0`, `fd00::/64`: the model's network syntax. */
export function parseCidr(text: string, family: Family): Cidr | string {
  const parsed = parseIpNetwork(family === "ipv4" ? 4 : 6, text);
  if (!parsed.ok) {
    const slash = text.indexOf("/");
    return parsed.error === "address"
      ? `not an ${family === "ipv4" ? "IPv4" : "IPv6"} address: ${slash < 0 ? text : text.slice(0, slash)}`
      : `not a prefix length or mask: ${text.slice(slash + 1)}`;
  }
  const { addr, mask } = parsed.value;
  return { addr: addr & mask, mask, text };
}

export function addrText(v: bigint, family: Family): string {
  return family === "ipv4" ? ipv4Of(v) : ipv6Of(v);
}

export { macOf, parseMac };

export interface PortRange {
  lo: number;
  hi: number;
}

/** `22`, `1024:65535`, `:1023`, `1024:` (iptables' own range syntax). */
export function parsePortRange(text: string): PortRange | string {
  const m = /^(\d*)(?::(\d*))?$/.exec(text);
  if (!m || (m[1] === "" && m[2] === undefined)) return `not a port or port range: ${text}`;
  const lo = m[1] === "" ? 0 : Number(m[1]);
  const hi = m[2] === undefined ? lo : m[2] === "" ? 65535 : Number(m[2]);
  if (lo > 65535 || hi > 65535 || lo > hi) return `port range out of order or above 65535: ${text}`;
  return { lo, hi };
}

export function rangeText(r: PortRange): string {
  return r.lo === r.hi ? String(r.lo) : `${r.lo}:${r.hi}`;
}

/** /etc/protocols names iptables accepts and prints. */
const PROTOCOLS: Record<string, number> = {
  all: 0,
  icmp: 1,
  igmp: 2,
  tcp: 6,
  udp: 17,
  gre: 47,
  esp: 50,
  ah: 51,
  "ipv6-icmp": 58,
  icmpv6: 58,
  sctp: 132,
  udplite: 136,
};

export function parseProtocol(text: string): number | string {
  const n = PROTOCOLS[text.toLowerCase()];
  if (n !== undefined) return n;
  if (/^\d+$/.test(text) && Number(text) <= 255) return Number(text);
  return `not a protocol: ${text}`;
}

export function protocolName(n: number): string {
  return Object.entries(PROTOCOLS).find(([, v]) => v === n)?.[0] ?? String(n);
}

/** An interface name as -i/-o/--physdev-in/-out give it: a trailing `+` matches any suffix. */
export function ifaceMatches(pattern: string, dev: string): boolean {
  return pattern.endsWith("+") ? dev.startsWith(pattern.slice(0, -1)) : dev === pattern;
}

const ICMP_NAMES: Record<string, [number, number | null]> = {
  any: [-1, null],
  "echo-reply": [0, null],
  "destination-unreachable": [3, null],
  "source-quench": [4, null],
  redirect: [5, null],
  "echo-request": [8, null],
  "time-exceeded": [11, null],
  "parameter-problem": [12, null],
};

const ICMPV6_NAMES: Record<string, [number, number | null]> = {
  "destination-unreachable": [1, null],
  "packet-too-big": [2, null],
  "time-exceeded": [3, null],
  "parameter-problem": [4, null],
  "echo-request": [128, null],
  "echo-reply": [129, null],
  "router-solicitation": [133, null],
  "router-advertisement": [134, null],
  "neighbour-solicitation": [135, null],
  "neighbor-solicitation": [135, null],
  "neighbour-advertisement": [136, null],
  "neighbor-advertisement": [136, null],
  redirect: [137, null],
};

/** `8`, `3/4`, `echo-request`: the type (-1 for any) and the code (null for any). */
export function parseIcmpType(text: string, v6: boolean): [number, number | null] | string {
  const named = (v6 ? ICMPV6_NAMES : ICMP_NAMES)[text];
  if (named) return named;
  const m = /^(\d+)(?:\/(\d+))?$/.exec(text);
  if (!m || Number(m[1]) > 255 || Number(m[2] ?? 0) > 255)
    return `not an ICMP${v6 ? "v6" : ""} type: ${text}`;
  return [Number(m[1]), m[2] === undefined ? null : Number(m[2])];
}
