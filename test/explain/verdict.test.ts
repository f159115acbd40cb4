import { beforeAll, describe, expect, it } from "vitest";
import { openCapture } from "../../src/capture/index.js";
import { loadHosts } from "../../src/dumps/host/load.js";
import { Replayer } from "../../src/explain/replay.js";
import type { FrameVerdict } from "../../src/explain/types.js";
import { type SimHost, switchesOf } from "../../src/pipeline/index.js";
import { resolveAt } from "../../src/pipeline/ingress.js";

/** vm1 (fa:16:3e:0a:00:01, 192.168.10.5) pinging 192.168.10.6 behind the tunnels, `size` bytes on the wire. */
function ping(size: number): Uint8Array {
  const f = new Uint8Array(size);
  f.set([0xfa, 0x16, 0x3e, 0x0a, 0x00, 0x02, 0xfa, 0x16, 0x3e, 0x0a, 0x00, 0x01, 0x08, 0x00]);
  const ipLen = size - 14;
  f.set([0x45, 0, ipLen >> 8, ipLen & 255, 0, 1, 0x40, 0, 64, 1, 0, 0, 192, 168, 10, 5, 192, 168, 10, 6], 14);
  f.set([8, 0, 0, 0, 0, 1, 0, 1], 34);
  return f;
}

describe("MTU: fixtures/hosts/mtu-problem (a 1500-byte VM behind VXLAN on a 1500-byte underlay)", () => {
  let hosts: SimHost[];
  beforeAll(async () => {
    hosts = switchesOf(await loadHosts("fixtures/hosts/mtu-problem"));
  });
  const replayer = () => {
    const at = resolveAt(hosts, "qvo1a2b3c4d-5e");
    if (typeof at === "string") throw new Error(at);
    return new Replayer(hosts, { at });
  };

  it("a small ping is flooded (unknown destination); a full-size one fits neither the underlay nor qvo5's MTU", () => {
    const r = replayer();
    const small = r.replayFrame(1, ping(98), { linkType: 1 });
    expect(small.verdict).toBe("delivered");
    expect(small.summary).toBe(
      "delivered mtu-problem:qvo5a6b7c8d-9e, mtu-problem:br-int; tunneled mtu-problem → 10.0.0.12 (not loaded)",
    );
    // Same flow key as the small one: the cache must not answer for it (its verdict held up to 1464 bytes).
    const big = r.replayFrame(2, ping(1514), { linkType: 1 });
    // Only the bridge's own internal port (MTU 1500) takes it.
    expect(big.summary).toMatch(/^delivered mtu-problem:br-int; dropped/);
    expect(big.cached).toBe(false);
    expect(big.drop?.reason).toBe("mtu-exceeded");
    expect(big.drop?.detail).toMatch(
      /1514-byte frame plus 50 bytes of vxlan headers exceeds the underlay MTU 1500/,
    );
    expect(big.summary).toMatch(/1514-byte frame exceeds qvo5a6b7c8d-9e's MTU 1450/);
    // The largest frame that fits both: 1500 - 50 + 14 = 1450 + 14.
    expect(r.replayFrame(3, ping(1464), { linkType: 1 }).drop).toBeUndefined();
    expect(r.replayFrame(4, ping(1465), { linkType: 1 }).drop?.reason).toBe("mtu-exceeded");
  });
});

/** Every frame of a capture, as the replay reads them. */
function framesOf(path: string): Array<{ data: Uint8Array; linkType: number }> {
  const opened = openCapture(path);
  if (!opened.ok) throw new Error(opened.error.message);
  const out: Array<{ data: Uint8Array; linkType: number }> = [];
  for (let r = opened.value.next(); r; r = opened.value.next())
    out.push({ data: r.bytes.slice(r.offset, r.offset + r.caplen), linkType: r.linktype });
  opened.value.close();
  return out;
}

describe("a translated verdict's path (hops and tree) is laid out when first read, as it was at its frame", () => {
  const DEMO = ["fixtures/demo/hosts/compute1"];
  const OVN = ["hv1", "hv2", "hv3"].map((h) => `fixtures/ovn-lab/${h}`);
  const CASES: Array<[string, string[], string, string | undefined]> = [
    [
      "vm1's port (delivered, tunneled)",
      DEMO,
      "fixtures/demo/compute1-qvo8c2d4e6f-1a-rx.pcap",
      "compute1:qvo8c2d4e6f-1a",
    ],
    ["vm2's tap", DEMO, "fixtures/demo/compute1-tap9d3e5f70-2b-rx.pcap", "compute1:qvo9d3e5f70-2b"],
    ["OVN: Geneve into hv3 (an ACL's drop)", OVN, "fixtures/ovn-lab/captures/hv3-eth1-rx.pcap", undefined],
    ["OVN: vm1 across hosts", OVN, "fixtures/ovn-lab/captures/hv1-vm1-tx.pcap", undefined],
  ];
  it.each(CASES)("%s", async (_, dirs, capture, atText) => {
    const hosts = switchesOf((await Promise.all(dirs.map((d) => loadHosts(d)))).flat());
    const replayer = () => {
      const at = atText === undefined ? undefined : resolveAt(hosts, atText);
      if (typeof at === "string") throw new Error(at);
      return new Replayer(hosts, { cache: false, lean: true, ...(at ? { at } : {}) });
    };
    const frames = framesOf(capture);
    const path = (v: FrameVerdict) => JSON.stringify({ hops: v.hops, tree: v.tree });
    const atOnce = replayer();
    const readAtOnce = frames.map((f, i) => path(atOnce.replayFrame(i + 1, f.data, f)));
    const late = replayer();
    const verdicts = frames.map((f, i) => late.replayFrame(i + 1, f.data, f));
    expect(verdicts.map(path)).toEqual(readAtOnce);
    expect(verdicts.some((v) => v.hops.length > 1)).toBe(true);
  });
});
