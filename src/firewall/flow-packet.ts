/**
 * A firewall packet from an OpenFlow flow key (`ovspath trace` has a flow, not always a frame): the
 * fields netfilter's matches read, taken from the one field registry. ICMP ids and the IP length are
 * not in a flow: they come from the frame when one is given, else 0 and the Ethernet length given.
 */
import { FIELD, type FieldName, readField } from "../model/fields.js";
import type { FlowKey } from "../model/layout.js";
import { type FwPacket, fwPacketOf, PROTO } from "./packet.js";

const read = (key: FlowKey, name: FieldName): bigint => readField(key, FIELD[name]);

export function fwPacketOfFlow(key: FlowKey, frame?: Uint8Array): FwPacket {
  const fromFrame = frame ? fwPacketOf(frame) : undefined;
  const type = Number(read(key, "dl_type"));
  const family = type === 0x0800 ? "ipv4" : type === 0x86dd ? "ipv6" : null;
  const proto = family ? Number(read(key, "nw_proto")) : 0;
  const icmp = proto === PROTO.icmp || proto === PROTO.icmpv6;
  const tpSrc = family ? Number(read(key, "tp_src")) : 0;
  const tpDst = family ? Number(read(key, "tp_dst")) : 0;
  return {
    family,
    srcMac: read(key, "dl_src"),
    dstMac: read(key, "dl_dst"),
    src: family === "ipv4" ? read(key, "nw_src") : family === "ipv6" ? read(key, "ipv6_src") : 0n,
    dst: family === "ipv4" ? read(key, "nw_dst") : family === "ipv6" ? read(key, "ipv6_dst") : 0n,
    proto,
    sport: icmp ? 0 : tpSrc,
    dport: icmp ? 0 : tpDst,
    tcpFlags: proto === PROTO.tcp ? Number(read(key, "tcp_flags")) & 0x3f : 0,
    icmpType: icmp ? tpSrc : 0,
    icmpCode: icmp ? tpDst : 0,
    icmpId: fromFrame?.icmpId ?? 0,
    length: fromFrame?.length ?? 0,
    fragment: family ? (Number(read(key, "nw_frag")) & 2) !== 0 : false,
  };
}
