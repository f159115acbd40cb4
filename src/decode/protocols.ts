/** Every decoder, registered into the dispatch tables in this one place. */
import { LINKTYPE_PCAPNG_CUSTOM } from "../capture/types.js";
import { ARP_PROTOCOL, decodeArp } from "./arp.js";
import { decodeErspan, ERSPAN_PROTOCOL } from "./erspan.js";
import { decodeEthernet, ETHERNET_PROTOCOL } from "./ethernet.js";
import type { ProtocolDecl } from "./filter-decl.js";
import { decodeGeneve, GENEVE_PROTOCOL } from "./geneve.js";
import { decodeGre, GRE_PROTOCOL, greInner } from "./gre.js";
import { decodeIcmp, decodeIcmpv6, ICMP_PROTOCOL, ICMPV6_PROTOCOL } from "./icmp.js";
import { decodeIpv4, IPV4_PROTOCOL } from "./ipv4.js";
import { decodeIpv6, IPV6_PROTOCOL } from "./ipv6.js";
import { decodeNull, decodeRawIp, decodeSll, decodeSll2, SLL_PROTOCOL } from "./linktype.js";
import { decodeMpls, decodeMplsOverUdp, MPLS_PROTOCOL } from "./mpls.js";
import { decodePcapngCustom } from "./pcapng-custom.js";
import {
  ethertypes,
  greProtocols,
  ipProtocols,
  linktypes,
  udpPorts,
  udpProtocolsByName,
} from "./registry.js";
import { decodeSctp, SCTP_PROTOCOL } from "./sctp.js";
import { decodeTcp, TCP_PROTOCOL } from "./tcp.js";
import { decodeUdp, UDP_PROTOCOL } from "./udp.js";
import { DOT1AD_PROTOCOL, DOT1Q_PROTOCOL, decodeDot1ad, decodeDot1q } from "./vlan.js";
import { decodeVxlan, VXLAN_PROTOCOL } from "./vxlan.js";
import { decodeWccp } from "./wccp.js";

export const ETH_TYPE = {
  ipv4: 0x0800,
  arp: 0x0806,
  rarp: 0x8035,
  dot1q: 0x8100,
  dot1ad: 0x88a8,
  qinq9100: 0x9100,
  ipv6: 0x86dd,
  mpls: 0x8847,
  mplsMulticast: 0x8848,
  transparentEthernet: 0x6558,
  erspan2: 0x88be,
  erspan3: 0x22eb,
  wccp: 0x883e,
} as const;

ethertypes.set(ETH_TYPE.ipv4, decodeIpv4);
ethertypes.set(ETH_TYPE.ipv6, decodeIpv6);
ethertypes.set(ETH_TYPE.arp, decodeArp);
ethertypes.set(ETH_TYPE.rarp, decodeArp);
ethertypes.set(ETH_TYPE.dot1q, decodeDot1q);
ethertypes.set(ETH_TYPE.qinq9100, decodeDot1q);
ethertypes.set(ETH_TYPE.dot1ad, decodeDot1ad);
ethertypes.set(ETH_TYPE.mpls, decodeMpls);
ethertypes.set(ETH_TYPE.mplsMulticast, decodeMpls);
// Reached only from tunnels: an inner Ethernet frame.
ethertypes.set(ETH_TYPE.transparentEthernet, decodeEthernet);

ipProtocols.set(1, decodeIcmp);
ipProtocols.set(6, decodeTcp);
ipProtocols.set(17, decodeUdp);
ipProtocols.set(47, decodeGre);
ipProtocols.set(58, decodeIcmpv6);
ipProtocols.set(132, decodeSctp);
ipProtocols.set(4, decodeIpv4);
ipProtocols.set(41, decodeIpv6);

for (const t of [ETH_TYPE.transparentEthernet, ETH_TYPE.ipv4, ETH_TYPE.ipv6, ETH_TYPE.mpls])
  greProtocols.set(t, greInner(t));
// ARP straight in GRE, as Suricata's decoder tests send it.
greProtocols.set(ETH_TYPE.arp, greInner(ETH_TYPE.arp));
greProtocols.set(ETH_TYPE.erspan2, decodeErspan);
greProtocols.set(ETH_TYPE.wccp, decodeWccp);
greProtocols.set(ETH_TYPE.erspan3, decodeErspan);

udpProtocolsByName.set("vxlan", decodeVxlan);
udpProtocolsByName.set("geneve", decodeGeneve);
udpPorts.set(4789, decodeVxlan);
udpPorts.set(8472, decodeVxlan);
udpPorts.set(6081, decodeGeneve);
udpPorts.set(6635, decodeMplsOverUdp);
// GRE in UDP (RFC 8086).
udpPorts.set(4754, decodeGre);

export const LINKTYPE = {
  null: 0,
  ethernet: 1,
  raw: 101,
  sll: 113,
  ipv4: 228,
  ipv6: 229,
  sll2: 276,
} as const;

linktypes.set(LINKTYPE.ethernet, decodeEthernet);
linktypes.set(LINKTYPE.sll, decodeSll);
linktypes.set(LINKTYPE.sll2, decodeSll2);
linktypes.set(LINKTYPE.null, decodeNull);
linktypes.set(LINKTYPE_PCAPNG_CUSTOM, decodePcapngCustom);
for (const raw of [LINKTYPE.raw, LINKTYPE.ipv4, LINKTYPE.ipv6, 12, 14]) linktypes.set(raw, decodeRawIp);

/**
 * The display-filter protocols and fields every decoder declares beside its layer, in the order
 * `--filter '?'` lists them. A new decoder's `ProtocolDecl` is named here.
 */
export const FILTER_PROTOCOLS: readonly ProtocolDecl[] = [
  ETHERNET_PROTOCOL,
  SLL_PROTOCOL,
  DOT1Q_PROTOCOL,
  DOT1AD_PROTOCOL,
  MPLS_PROTOCOL,
  ARP_PROTOCOL,
  IPV4_PROTOCOL,
  IPV6_PROTOCOL,
  ICMP_PROTOCOL,
  ICMPV6_PROTOCOL,
  TCP_PROTOCOL,
  UDP_PROTOCOL,
  SCTP_PROTOCOL,
  GRE_PROTOCOL,
  VXLAN_PROTOCOL,
  GENEVE_PROTOCOL,
  ERSPAN_PROTOCOL,
];
