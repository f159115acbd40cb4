/**
 * What ofproto/trace does to a packet resumed after ct(nat(...)): there is no connection tracker to ask,
 * so it assumes the first address and port of the range were chosen, rewrites the resumed flow with
 * them, and prints the IP part of the flow before and after ("Replacing src/dst IP/ports to simulate
 * NAT"). A plain `nat` (no range) rewrites nothing and prints empty flows.
 */

import type { NatAction } from "../model/actions/types.js";
import { ipv4Of, ipv6Of, parseIpv4, parseIpv6 } from "../model/field-value.js";
import { FIELD, readField, writeField } from "../model/fields.js";
import { type FlowKey, K } from "../model/layout.js";

export interface NatSimulation {
  initial: string;
  modified: string;
}

const IPV6_SRC = FIELD.ipv6_src;
const IPV6_DST = FIELD.ipv6_dst;

function family(nat: NatAction): "v4" | "v6" | undefined {
  if (!nat.addrMin) return undefined;
  return nat.addrMin.includes(":") ? "v6" : "v4";
}

function ipFlowText(flow: FlowKey, af: "v4" | "v6" | undefined): string {
  if (af === "v4")
    return `nw_src=${ipv4Of(BigInt(flow[K.nwSrc]))},tp_src=${flow[K.tpSrc]},nw_dst=${ipv4Of(BigInt(flow[K.nwDst]))},tp_dst=${flow[K.tpDst]}`;
  if (af === "v6")
    return `ipv6_src=[${ipv6Of(readField(flow, IPV6_SRC))}],tp_src=${flow[K.tpSrc]},ipv6_dst=[${ipv6Of(readField(flow, IPV6_DST))}],tp_dst=${flow[K.tpDst]}`;
  return "";
}

/** Rewrites `flow` (the resumed pass's) as ofproto/trace does and says what it did. */
export function simulateNat(flow: FlowKey, nat: NatAction): NatSimulation {
  const af = family(nat);
  const initial = ipFlowText(flow, af);
  const addr = nat.addrMin?.replace(/^\[|\]$/g, "");
  const apply = (src: boolean) => {
    if (af === "v4") {
      const v = addr ? parseIpv4(addr) : null;
      if (v !== null) flow[src ? K.nwSrc : K.nwDst] = Number(v);
    } else if (af === "v6") {
      const v = addr ? parseIpv6(addr) : null;
      if (v !== null) writeField(flow, src ? IPV6_SRC : IPV6_DST, v);
    }
    if (af !== undefined && nat.portMin) flow[src ? K.tpSrc : K.tpDst] = nat.portMin;
  };
  if (nat.kind === "src") apply(true);
  if (nat.kind === "dst") apply(false);
  return { initial, modified: ipFlowText(flow, af) };
}
