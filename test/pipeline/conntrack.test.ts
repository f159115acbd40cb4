import { describe, expect, it } from "vitest";
import { CS, type FlowKey, K, newFlowKey } from "../../src/model/layout.js";
import { ConntrackTable } from "../../src/pipeline/conntrack.js";
import { ctStateValue } from "../../src/pipeline/ct-state.js";

const SYN = 0x02;
const ACK = 0x10;
const RST = 0x04;

function tcp(src: number, dst: number, sport: number, dport: number, flags: number): FlowKey {
  const k = newFlowKey();
  k[K.dlType] = 0x0800;
  k[K.nwProto] = 6;
  k[K.nwSrc] = src;
  k[K.nwDst] = dst;
  k[K.tpSrc] = sport;
  k[K.tpDst] = dport;
  k[K.tcpFlags] = flags;
  return k;
}

function icmp(src: number, dst: number, type: number): FlowKey {
  const k = newFlowKey();
  k[K.dlType] = 0x0800;
  k[K.nwProto] = 1;
  k[K.nwSrc] = src;
  k[K.nwDst] = dst;
  k[K.tpSrc] = type;
  return k;
}

const A = 0x0a000001;
const B = 0x0a000002;
const state = (s: string) => ctStateValue(s) as number;

describe("the replay's connection tracker answers as Linux conntrack", () => {
  // Each step: the frame, whether ct() commits, the ct_state expected.
  const steps: Array<[string, FlowKey, boolean, string]> = [
    ["SYN, not yet committed", tcp(A, B, 40000, 22, SYN), false, "trk,new"],
    ["SYN again, committed", tcp(A, B, 40000, 22, SYN), true, "trk,new"],
    ["SYN-ACK in reply", tcp(B, A, 22, 40000, SYN | ACK), false, "trk,est,rpl"],
    ["ACK in the original direction", tcp(A, B, 40000, 22, ACK), false, "trk,est"],
    ["another zone knows nothing of it", tcp(A, B, 40000, 22, ACK), false, "trk,new"],
    ["a SYN-ACK without a connection", tcp(B, A, 23, 40001, SYN | ACK), false, "trk,inv"],
    ["an RST without a connection", tcp(A, B, 40002, 22, RST), false, "trk,inv"],
    ["an echo reply without a request", icmp(B, A, 0), false, "trk,inv"],
    ["an echo request, committed", icmp(A, B, 8), true, "trk,new"],
    ["its reply", icmp(B, A, 0), false, "trk,est,rpl"],
  ];
  it("carries state from frame to frame", () => {
    const ct = new ConntrackTable();
    const got = steps.map(([name, k, commit], i) => [name, ct.execute(i === 4 ? 7 : 1, k, commit).state]);
    expect(got).toEqual(steps.map(([name, , , s]) => [name, state(s)]));
  });

  it("keeps the mark a commit set, and counts changes for cache invalidation", () => {
    const ct = new ConntrackTable();
    const v0 = ct.version;
    ct.execute(1, tcp(A, B, 1, 2, SYN), true, 0x2a);
    expect(ct.version).toBeGreaterThan(v0);
    expect(ct.execute(1, tcp(B, A, 2, 1, SYN | ACK), false).mark).toBe(0x2a);
    expect(ct.size).toBe(1);
  });

  it("marks non-IP frames invalid and never commits them", () => {
    const ct = new ConntrackTable();
    const arp = newFlowKey();
    arp[K.dlType] = 0x0806;
    expect(ct.execute(1, arp, true).state).toBe(CS.trk | CS.inv);
    expect(ct.size).toBe(0);
  });
});

describe("a tentative run (the per-pass megaflow cache's) is undone by rollback, kept by commit", () => {
  // Each case: what the tentative run does; then the states a SYN and its reply see afterwards.
  const label = Uint32Array.of(0, 0, 0, 7);
  const commitNew = (ct: ConntrackTable) => ct.execute(1, tcp(A, B, 1, 2, SYN), true);
  const seeReply = (ct: ConntrackTable) => ct.execute(1, tcp(B, A, 2, 1, ACK), false);
  it.each<[string, (ct: ConntrackTable) => void, "rollback" | "commit", string, string]>([
    ["a new connection committed, rolled back", commitNew, "rollback", "trk,new", "trk,inv"],
    ["a new connection committed, kept", commitNew, "commit", "trk,new", "trk,est,rpl"],
    ["a reply seen, rolled back", seeReply, "rollback", "trk,new", "trk,est,rpl"],
    ["a reply seen, kept", seeReply, "commit", "trk,est", "trk,est,rpl"],
  ])("%s", (name, run, end, syn, reply) => {
    const ct = new ConntrackTable();
    if (!name.startsWith("a new")) ct.execute(1, tcp(A, B, 1, 2, SYN), true);
    ct.begin();
    run(ct);
    ct[end]();
    expect(ct.execute(1, tcp(A, B, 1, 2, SYN), false).state).toBe(state(syn));
    // A SYN-ACK: invalid without a connection, the reply of one with it.
    expect(ct.execute(1, tcp(B, A, 2, 1, SYN | ACK), false).state).toBe(state(reply));
  });

  it("mark and label changes are undone", () => {
    const ct = new ConntrackTable();
    ct.execute(1, tcp(A, B, 1, 2, SYN), true, 5);
    ct.begin();
    ct.execute(1, tcp(A, B, 1, 2, SYN), true, 9, label);
    ct.rollback();
    const a = ct.execute(1, tcp(A, B, 1, 2, SYN), false);
    expect([a.mark, Array.from(a.label)]).toEqual([5, [0, 0, 0, 0]]);
  });
});
