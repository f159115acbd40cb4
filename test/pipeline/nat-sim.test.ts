import { describe, expect, it } from "vitest";
import type { NatAction } from "../../src/model/actions/types.js";
import { K, newFlowKey } from "../../src/model/layout.js";
import { simulateNat } from "../../src/pipeline/nat-sim.js";

const nat = (n: Partial<NatAction>): NatAction => ({
  type: "nat",
  persistent: false,
  hash: false,
  random: false,
  ...n,
});

function tcpFlow() {
  const f = newFlowKey();
  f[K.dlType] = 0x0800;
  f[K.nwProto] = 6;
  f[K.nwSrc] = 0x0a000101; // 10.0.1.1
  f[K.nwDst] = 0x0a000202; // 10.0.2.2
  f[K.tpSrc] = 1234;
  f[K.tpDst] = 80;
  return f;
}

// The texts are what ofproto-dpif-trace.c's oftrace_print_ip_flow prints (see the differential test for
// the live comparison with ovs-appctl ofproto/trace).
describe("simulateNat", () => {
  it.each([
    {
      what: "plain nat: nothing rewritten, empty flows",
      n: nat({}),
      initial: "",
      modified: "",
      src: 0x0a000101,
    },
    {
      what: "snat to the first address and port of the range",
      n: nat({ kind: "src", addrMin: "10.0.0.9", addrMax: "10.0.0.12", portMin: 1000, portMax: 2000 }),
      initial: "nw_src=10.0.1.1,tp_src=1234,nw_dst=10.0.2.2,tp_dst=80",
      modified: "nw_src=10.0.0.9,tp_src=1000,nw_dst=10.0.2.2,tp_dst=80",
      src: 0x0a000009,
    },
    {
      what: "dnat without ports leaves the ports",
      n: nat({ kind: "dst", addrMin: "192.168.1.1" }),
      initial: "nw_src=10.0.1.1,tp_src=1234,nw_dst=10.0.2.2,tp_dst=80",
      modified: "nw_src=10.0.1.1,tp_src=1234,nw_dst=192.168.1.1,tp_dst=80",
      src: 0x0a000101,
    },
  ])("$what", ({ n, initial, modified, src }) => {
    const f = tcpFlow();
    const r = simulateNat(f, n);
    expect(r).toEqual({ initial, modified });
    expect(f[K.nwSrc]).toBe(src);
  });

  it("IPv6 ranges print bracketed addresses", () => {
    const f = newFlowKey();
    f[K.dlType] = 0x86dd;
    const r = simulateNat(f, nat({ kind: "dst", addrMin: "[fe80::1]" }));
    expect(r.initial).toBe("ipv6_src=[::],tp_src=0,ipv6_dst=[::],tp_dst=0");
    expect(r.modified).toBe("ipv6_src=[::],tp_src=0,ipv6_dst=[fe80::1],tp_dst=0");
  });
});
