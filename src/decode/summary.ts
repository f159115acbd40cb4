import { escapeText } from "../util/escape.js";
import type { DecodedFrame, FieldValue, Layer } from "./types.js";

const TUNNELS = new Set(["vxlan", "geneve", "gre", "erspan"]);

const ICMP_TYPES: Record<number, string> = {
  0: "echo reply",
  3: "destination unreachable",
  5: "redirect",
  8: "echo request",
  11: "time exceeded",
};
const ICMPV6_TYPES: Record<number, string> = {
  1: "destination unreachable",
  2: "packet too big",
  3: "time exceeded",
  128: "echo request",
  129: "echo reply",
  133: "router solicitation",
  134: "router advertisement",
  135: "neighbor solicitation",
  136: "neighbor advertisement",
};
const TCP_FLAGS = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "NS"];

const s = (v: FieldValue | undefined): string => (v === undefined || v === null ? "?" : String(v));

function tcpFlags(hex: FieldValue | undefined): string {
  if (typeof hex !== "string") return "";
  return tcpFlagNames(Number.parseInt(hex, 16));
}

/** A TCP header's flags word (its low 12 bits) as the summary names them. */
export function tcpFlagNames(v: number): string {
  // tshark's Info column for a segment with no flag set.
  if (v === 0) return "<None>";
  return TCP_FLAGS.filter((_, i) => v & (1 << i)).join(",");
}

/** The summary's pieces that the fast path (summary-fast.ts) writes too: one format for both. */
export const endpointsText = (src: string | number, dst: string | number): string => `${src} → ${dst}`;
export const tcpText = (sport: string | number, dport: string | number, flags: string): string =>
  `TCP ${endpointsText(sport, dport)} [${flags}]`;
export const udpText = (sport: string | number, dport: string | number): string =>
  `UDP ${endpointsText(sport, dport)}`;

/** An ICMP message as the summary names it. */
export function icmpText(type: FieldValue | undefined, code: FieldValue | undefined): string {
  return `ICMP ${ICMP_TYPES[Number(type)] ?? `type ${s(type)} code ${s(code)}`}`;
}

function tunnelLabel(l: Layer): string {
  switch (l.proto) {
    case "vxlan":
      return `VXLAN ${s(l.fields.vni)}`;
    case "geneve":
      return `Geneve ${s(l.fields.vni)}`;
    case "gre":
      return l.fields.key === null ? "GRE" : `GRE key ${s(l.fields.key)}`;
    default:
      return `ERSPAN ${s(l.fields.sessionId)}`;
  }
}

/** What the innermost layers of one segment say: "192.168.10.5 → 192.168.10.6 ICMP echo request". */
function describe(segment: Layer[]): string {
  let addr = "";
  let what = "";
  for (const l of segment) {
    const f = l.fields;
    switch (l.proto) {
      case "eth":
        addr = endpointsText(s(f.src), s(f.dst));
        what = f.type === undefined ? "802.3" : `ethertype ${s(f.type)}`;
        break;
      case "sll":
        what = `ethertype ${s(f.type)}`;
        break;
      case "vlan":
        what = `VLAN ${s(f.vid)}`;
        break;
      case "mpls":
        what = `MPLS ${s(f.label)}`;
        break;
      case "arp":
        addr = "";
        what =
          f.op === 1
            ? `ARP who has ${s(f.tpa)}? tell ${s(f.spa)}`
            : f.op === 2
              ? `ARP ${s(f.spa)} is at ${s(l.detail?.sha)}`
              : `ARP op ${s(f.op)}`;
        break;
      case "ipv4":
      case "ipv6":
        addr = endpointsText(s(f.src), s(f.dst));
        what = `${l.proto === "ipv4" ? "IPv4" : "IPv6"} proto ${s(f.ipProto ?? f.nextHeader)}`;
        if (f.fragOffset !== undefined && f.fragOffset !== 0)
          what = `IPv4 fragment offset ${s(f.fragOffset)}`;
        break;
      case "icmp":
        what = icmpText(f.type, f.code);
        break;
      case "icmpv6":
        what = `ICMPv6 ${ICMPV6_TYPES[Number(f.type)] ?? `type ${s(f.type)} code ${s(f.code)}`}`;
        break;
      case "tcp":
        what = tcpText(s(f.sport), s(f.dport), tcpFlags(f.flags));
        break;
      case "udp":
        what = udpText(s(f.sport), s(f.dport));
        break;
      case "sctp":
        what = `SCTP ${endpointsText(s(f.sport), s(f.dport))}`;
        break;
    }
  }
  return [addr, what].filter((x) => x !== "").join(" ");
}

/** One line per frame, outer → inner: `10.0.0.11 → 10.0.0.12 VXLAN 100 | 192.168.10.5 → ... ICMP echo request`. */
export function summarizeFrame(frame: DecodedFrame): string {
  const parts: string[] = [];
  let segment: Layer[] = [];
  for (const l of frame.layers) {
    if (TUNNELS.has(l.proto)) {
      const outer = segment.filter((x) => x.proto === "ipv4" || x.proto === "ipv6").pop();
      const addr = outer ? `${endpointsText(s(outer.fields.src), s(outer.fields.dst))} ` : "";
      parts.push(`${addr}${tunnelLabel(l)}`);
      segment = [];
    } else {
      segment.push(l);
    }
  }
  if (segment.length > 0 || parts.length === 0) parts.push(describe(segment) || "(no decodable header)");
  return escapeText(parts.join(" | "));
}
