import { escapeText } from "../util/escape.js";
import type { DecodedFrame, FieldValue } from "./types.js";

const TITLES: Record<string, string> = {
  eth: "Ethernet II",
  sll: "Linux cooked capture",
  vlan: "802.1Q Virtual LAN",
  mpls: "MultiProtocol Label Switching",
  arp: "Address Resolution Protocol",
  ipv4: "Internet Protocol Version 4",
  ipv6: "Internet Protocol Version 6",
  icmp: "Internet Control Message Protocol",
  icmpv6: "Internet Control Message Protocol v6",
  tcp: "Transmission Control Protocol",
  udp: "User Datagram Protocol",
  sctp: "Stream Control Transmission Protocol",
  gre: "Generic Routing Encapsulation",
  erspan: "Encapsulated Remote Switch Packet ANalysis",
  vxlan: "Virtual eXtensible Local Area Network",
  geneve: "Generic Network Virtualization Encapsulation",
};

const show = (v: FieldValue): string => (v === null ? "(none)" : escapeText(String(v)));

/** A layer tree in the manner of `tshark -V`: a title per layer, its fields indented; tunnels nest. */
export function formatLayerTree(frame: DecodedFrame): string[] {
  const lines: string[] = [];
  for (const l of frame.layers) {
    const pad = "    ".repeat(l.depth);
    lines.push(
      `${pad}${TITLES[l.proto] ?? l.proto} [${l.proto}, bytes ${l.offset}-${l.offset + l.length - 1}]`,
    );
    for (const [k, v] of Object.entries({ ...l.fields, ...(l.detail ?? {}) }))
      lines.push(`${pad}    ${k}: ${show(v)}`);
    if (l.note !== undefined) lines.push(`${pad}    [note: ${escapeText(l.note)}]`);
  }
  if (frame.stop !== undefined) lines.push(`    [decoding stopped: ${escapeText(frame.stop)}]`);
  if (frame.truncated) lines.push("    [frame truncated by the capture's snaplen]");
  return lines;
}
