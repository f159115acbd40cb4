/**
 * Conntrack as Linux keeps it with its default sysctls (nf_conntrack_tcp_loose=1): the states the
 * recorded kernel showed (a lone ACK is NEW, a lone SYN/ACK or FIN/ACK INVALID, ND untracked), replies,
 * zones kept apart, and entries read from `conntrack -L`.
 */
import { describe, expect, it } from "vitest";
import { parseConntrackList } from "../../src/dumps/netfilter/conntrack-list.js";
import { FwConntrack } from "../../src/firewall/conntrack.js";
import type { FwPacket } from "../../src/firewall/packet.js";

const A = 0x0a000064n; // 10.0.0.100
const B = 0x0a000005n; // 10.0.0.5
const F = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16 };

function pkt(p: Partial<FwPacket>): FwPacket {
  return {
    family: "ipv4",
    srcMac: 0n,
    dstMac: 0n,
    src: A,
    dst: B,
    proto: 6,
    sport: 40000,
    dport: 22,
    tcpFlags: F.SYN,
    icmpType: 0,
    icmpCode: 0,
    icmpId: 0,
    length: 40,
    fragment: false,
    ...p,
  };
}

const reply = (p: FwPacket, more: Partial<FwPacket>): FwPacket =>
  pkt({ ...p, src: p.dst, dst: p.src, sport: p.dport, dport: p.sport, ...more });

describe("first packets of a connection", () => {
  it.each([
    ["SYN", { tcpFlags: F.SYN }, "NEW"],
    ["lone ACK (tcp_loose picks it up)", { tcpFlags: F.ACK }, "NEW"],
    ["lone PSH/ACK", { tcpFlags: F.ACK | F.PSH }, "NEW"],
    ["lone SYN/ACK", { tcpFlags: F.SYN | F.ACK }, "INVALID"],
    ["lone FIN/ACK", { tcpFlags: F.FIN | F.ACK }, "INVALID"],
    ["lone RST", { tcpFlags: F.RST }, "INVALID"],
    ["SYN/FIN (no valid combination)", { tcpFlags: F.SYN | F.FIN }, "INVALID"],
    ["no flags", { tcpFlags: 0 }, "INVALID"],
    ["UDP", { proto: 17, tcpFlags: 0 }, "NEW"],
    ["ICMP echo request", { proto: 1, icmpType: 8 }, "NEW"],
    ["ICMP echo reply", { proto: 1, icmpType: 0 }, "INVALID"],
    ["ICMP unreachable, no connection", { proto: 1, icmpType: 3 }, "INVALID"],
    ["ICMPv6 neighbour solicitation", { family: "ipv6", proto: 58, icmpType: 135 }, "UNTRACKED"],
    ["ICMPv6 echo request", { family: "ipv6", proto: 58, icmpType: 128 }, "NEW"],
    ["GRE", { proto: 47 }, "NEW"],
  ] as const)("%s → %s", (_name, p, want) => {
    expect(new FwConntrack().lookup(1, pkt(p)).state).toBe(want);
  });
});

describe("a connection's life", () => {
  it("SYN, SYN/ACK, ACK: NEW then ESTABLISHED both ways; only confirmed frames count", () => {
    const ct = new FwConntrack();
    const syn = pkt({});
    const l1 = ct.lookup(7, syn);
    expect(l1.state).toBe("NEW");
    // Not confirmed (the frame was dropped): the next SYN/ACK finds nothing.
    expect(ct.lookup(7, reply(syn, { tcpFlags: F.SYN | F.ACK })).state).toBe("INVALID");
    ct.confirm(7, syn, l1);
    expect(ct.lookup(7, syn).state).toBe("NEW");
    const synack = reply(syn, { tcpFlags: F.SYN | F.ACK });
    const l2 = ct.lookup(7, synack);
    expect([l2.state, l2.dir]).toEqual(["ESTABLISHED", "reply"]);
    ct.confirm(7, synack, l2);
    expect(ct.lookup(7, pkt({ tcpFlags: F.ACK })).state).toBe("ESTABLISHED");
    // Zones are separate tables (Neutron's one zone per port).
    expect(ct.lookup(8, synack).state).toBe("INVALID");
    expect(ct.size).toBe(1);
  });

  it("ICMP: the echo reply of a confirmed request is ESTABLISHED, an error about it RELATED", () => {
    const ct = new FwConntrack();
    const echo = pkt({ proto: 1, icmpType: 8, icmpId: 7, sport: 0, dport: 0 });
    ct.confirm(1, echo, ct.lookup(1, echo));
    expect(ct.lookup(1, reply(echo, { icmpType: 0, icmpId: 7, sport: 0, dport: 0 })).state).toBe(
      "ESTABLISHED",
    );
    expect(ct.lookup(1, reply(echo, { icmpType: 3, icmpId: 0, sport: 0, dport: 0 })).state).toBe("RELATED");
  });

  it("seeded from conntrack -L: pre-existing entries answer replies", () => {
    const dump = parseConntrackList(
      "ipv4     2 tcp      6 431994 ESTABLISHED src=10.0.0.100 dst=10.0.0.5 sport=40000 dport=22 src=10.0.0.5 dst=10.0.0.100 sport=22 dport=40000 [ASSURED] mark=0 zone=4097 use=1",
      "c",
    );
    const ct = new FwConntrack();
    for (const e of dump.value) ct.add(e);
    const l = ct.lookup(4097, reply(pkt({}), { tcpFlags: F.ACK }));
    expect(l.state).toBe("ESTABLISHED");
    expect(l.entry?.preexisting).toBe(true);
    expect(l.entry?.source).toBe("c:1");
  });
});
