/**
 * commitActions checks first whether the flow and the datapath's copy differ in any word a commit reads
 * or writes, and does nothing when they do not. That check must never skip a commit: for every word of
 * the flow key, changed alone, on packets of each kind a commit treats apart, the checked commit must
 * emit the same actions and leave the same datapath copy as the full one (commitChanges).
 */
import { describe, expect, it } from "vitest";
import { copyFlowKey, FLOW_WORDS, type FlowKey, K, newFlowKey } from "../../src/model/layout.js";
import { commitActions, commitChanges } from "../../src/pipeline/commit.js";

function packet(fields: Array<[number, number]>): FlowKey {
  const k = newFlowKey();
  for (const [w, v] of fields) k[w] = v;
  return k;
}

const MAC: Array<[number, number]> = [
  [K.dlDst, 0xfa16],
  [K.dlDst + 1, 0x3e11a101],
  [K.dlSrc, 0xfa16],
  [K.dlSrc + 1, 0x3e22a201],
];

/** Packets of each kind a commit handles apart: the keys it compares depend on the type and protocol. */
const PACKETS: Array<[string, FlowKey]> = [
  [
    "IPv4 UDP",
    packet([
      ...MAC,
      [K.dlType, 0x0800],
      [K.nwProto, 17],
      [K.nwSrc, 0xc0a8640b],
      [K.nwTtl, 64],
      [K.tpDst, 53],
    ]),
  ],
  ["IPv4 ICMP, VLAN-tagged", packet([...MAC, [K.dlType, 0x0800], [K.nwProto, 1], [K.vlanTci, 0x1001]])],
  ["IPv6 TCP", packet([...MAC, [K.dlType, 0x86dd], [K.nwProto, 6], [K.ipv6Src + 3, 1], [K.tpSrc, 22]])],
  ["IPv6 ICMPv6", packet([...MAC, [K.dlType, 0x86dd], [K.nwProto, 58], [K.tpSrc, 135]])],
  ["ARP", packet([...MAC, [K.dlType, 0x0806], [K.nwProto, 1], [K.nwSrc, 0x0a000001]])],
  ["MPLS", packet([...MAC, [K.dlType, 0x8847], [K.mplsLse, (100 << 12) | 0x100 | 64]])],
];

describe("commitActions: its first check never skips a commit the full commit would make", () => {
  it.each(PACKETS)("%s: each word of the key changed alone", (_name, base) => {
    for (let w = 0; w < FLOW_WORDS; w++) {
      for (const value of [1, 0x5a5a5a5a]) {
        const flow = copyFlowKey(base);
        flow[w] = flow[w] === value ? value + 1 : value;
        const fullBase = copyFlowKey(base);
        const fullOdp: string[] = [];
        commitChanges(flow, fullBase, fullOdp);
        const checkedBase = copyFlowKey(base);
        const checkedOdp: string[] = [];
        commitActions(flow, checkedBase, checkedOdp);
        expect({ word: w, odp: checkedOdp }).toEqual({ word: w, odp: fullOdp });
        expect(Array.from(checkedBase)).toEqual(Array.from(fullBase));
      }
    }
  });

  it("commits what changed (a sanity check that the packets above exercise commits)", () => {
    const base = PACKETS[0][1];
    const flow = copyFlowKey(base);
    flow[K.nwTtl] = 63;
    const odp: string[] = [];
    commitActions(flow, copyFlowKey(base), odp);
    expect(odp).toEqual(["set(ipv4(ttl=63))"]);
  });
});
