/**
 * The summary line of the commonest frames read straight from their bytes: Ethernet, IPv4 with no
 * options and not a later fragment, then TCP, UDP to a port no decoder is registered on, or an ICMP
 * message that quotes no datagram. A replay's traffic is mostly that, and the full decoder builds
 * every layer's fields for it (decoding and the summary were ~40% of the CPU of `replay`'s decoder
 * thread). Anything else is `undefined`, and the caller decodes in full: the line must be exactly
 * what `summarizeFrame(decodeFrame(...))` prints (test/decode/summary-fast.test.ts compares them frame
 * by frame over every capture at hand).
 */
import { ipv4Str, u16 } from "./bytes.js";
import { LINKTYPE } from "./protocols.js";
import { udpPorts } from "./registry.js";
import { endpointsText, icmpText, tcpFlagNames, tcpText, udpText } from "./summary.js";

const ETH_HEADER = 14;
const IPV4_HEADER = 20;
const ETHERTYPE_IPV4 = 0x0800;
/** ICMP types whose message quotes a datagram, which the decoder shows as more layers. */
const ICMP_QUOTING = new Set([3, 4, 5, 11, 12]);

/** The summary of an Ethernet/IPv4 TCP, UDP or ICMP frame; undefined for any other frame. */
export function quickSummary(d: Uint8Array, linktype: number): string | undefined {
  if (linktype !== LINKTYPE.ethernet) return undefined;
  const end = d.length;
  const ip = ETH_HEADER;
  if (end < ip + IPV4_HEADER || u16(d, 12) !== ETHERTYPE_IPV4) return undefined;
  // Version 4 and no options (the decoder reads a source route from them); a later fragment's line differs.
  if (d[ip] !== 0x45 || (u16(d, ip + 6) & 0x1fff) !== 0) return undefined;
  // A total length of 0 is segmentation offload: the captured length stands for it, as in the decoder.
  const totalField = u16(d, ip + 2);
  const total = totalField === 0 ? end - ip : totalField;
  if (total < IPV4_HEADER) return undefined;
  const l4 = ip + IPV4_HEADER;
  const l4End = Math.min(end, ip + total);
  const proto = d[ip + 9];
  let what: string;
  if (proto === 6) {
    if (l4 + 14 > l4End) return undefined;
    what = tcpText(u16(d, l4), u16(d, l4 + 2), tcpFlagNames(u16(d, l4 + 12) & 0x0fff));
  } else if (proto === 17) {
    if (l4 + 8 > l4End) return undefined;
    const sport = u16(d, l4);
    const dport = u16(d, l4 + 2);
    if (udpPorts.has(sport) || udpPorts.has(dport)) return undefined;
    what = udpText(sport, dport);
  } else if (proto === 1) {
    if (l4 + 4 > l4End || ICMP_QUOTING.has(d[l4])) return undefined;
    what = icmpText(d[l4], d[l4 + 1]);
  } else {
    return undefined;
  }
  // Nothing here can hold a character escapeText would escape.
  return `${endpointsText(ipv4Str(d, ip + 12), ipv4Str(d, ip + 16))} ${what}`;
}
