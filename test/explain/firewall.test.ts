/**
 * Security groups in a replay: the demo host's vm2 sends to vm1 through both hybrid plugs (vm2's egress
 * rules on its qbr, br-int, vm1's ingress rules on its qbr). The recorder sent the same frames through
 * the same rules in the kernel (fixtures/firewall/demo-frames.json): the replay must deliver what the
 * kernel delivered and drop, with the kernel's dropping rule, what it dropped.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { openCapture, recordData } from "../../src/capture/index.js";
import { loadHosts } from "../../src/dumps/host/load.js";
import { firewallsOf } from "../../src/dumps/netfilter/firewall.js";
import { plugOfQvo } from "../../src/explain/firewall.js";
import { Replayer } from "../../src/explain/replay.js";
import type { FrameVerdict } from "../../src/explain/types.js";
import { type SimHost, switchesOf } from "../../src/pipeline/index.js";
import { type PortRef, resolveAt } from "../../src/pipeline/ingress.js";
import type { KernelFrame } from "../firewall/support.js";

const kernel: KernelFrame[] = JSON.parse(readFileSync("fixtures/firewall/demo-frames.json", "utf8"));

function replay(
  hosts: SimHost[],
  fw: ReturnType<typeof firewallsOf>,
  at: PortRef,
  opts: { cache?: boolean; times?: number } = {},
): FrameVerdict[] {
  const r = new Replayer(hosts, { at, firewalls: fw, cache: opts.cache ?? true });
  const c = openCapture("fixtures/demo/compute1-tap9d3e5f70-2b-rx.pcap");
  if (!c.ok) throw new Error(c.error.message);
  const out: FrameVerdict[] = [];
  for (let rec = c.value.next(); rec; rec = c.value.next())
    for (let i = 0; i < (opts.times ?? 1); i++)
      out.push(r.replayFrame(rec.frame, recordData(rec), { linkType: rec.linktype }));
  c.value.close();
  return out;
}

describe("vm2 → vm1 on the demo host, through both security groups", () => {
  let verdicts: FrameVerdict[];
  let switches: SimHost[];
  let firewalls: ReturnType<typeof firewallsOf>;
  let hosts: Awaited<ReturnType<typeof loadHosts>>;
  beforeAll(async () => {
    hosts = await loadHosts("fixtures/demo/hosts");
    switches = switchesOf(hosts);
    firewalls = firewallsOf(hosts);
    const at = resolveAt(switches, "compute1:tap9d3e5f70-2b");
    if (typeof at === "string") throw new Error(at);
    verdicts = replay(switches, firewalls, at);
  });

  it("finds the hybrid plugs behind the qvo ports", () => {
    expect(plugOfQvo(switches[0], "qvo8c2d4e6f-1a")).toEqual({
      bridge: "qbr8c2d4e6f-1a",
      tap: "tap8c2d4e6f-1a",
      qvb: "qvb8c2d4e6f-1a",
    });
    expect(plugOfQvo(switches[0], "patch-tun")).toBeUndefined();
  });

  it.each(kernel.map((k) => [k.frame, k.what, k] as const))("frame %i: %s", (n, _what, k) => {
    const v = verdicts[n - 1];
    expect(v.verdict).toBe(k.delivered ? "delivered" : "dropped");
    const fwHops = v.hops.filter((h) => h.kind === "firewall");
    // vm2's egress crossing, then vm1's ingress crossing.
    expect(fwHops.map((h) => [h.bridge, h.verdict])).toEqual([
      ["qbr9d3e5f70-2b", "ACCEPT"],
      ["qbr8c2d4e6f-1a", k.delivered ? "ACCEPT" : "DROP"],
    ]);
    if (!k.delivered) {
      const moved = k.moved.find((m) => m.table === "filter" && m.chain.endsWith("sg-fallback"));
      expect(moved).toBeDefined();
      expect(v.drop).toMatchObject({
        reason: "security-group",
        host: "compute1",
        bridge: "qbr8c2d4e6f-1a",
        chain: moved?.chain,
        rule: '-A neutron-openvswi-sg-fallback -m comment --comment "Default drop rule for unmatched traffic." -j DROP',
        port: "8c2d4e6f-1a3b-4c5d-9e7f-0123456789a1",
      });
      expect(v.drop?.file).toMatch(/firewall_tables\/iptables-save_-c$/);
      expect(v.drop?.firewallNearMisses?.map((x) => x.failed)).toEqual([
        ["tcp dport 22 allowed, frame has dport 80"],
      ]);
    }
  });

  it("without firewall dumps the same frames are all delivered (qbr as a wire)", () => {
    const at = resolveAt(switches, "compute1:tap9d3e5f70-2b");
    if (typeof at === "string") throw new Error(at);
    expect(replay(switches, new Map(), at).map((v) => v.verdict)).toEqual(kernel.map(() => "delivered"));
  });

  it("entering at vm2's qvo, each frame thrice: with the megaflow cache as without it (spliced verdicts reused)", () => {
    const at = resolveAt(switches, "compute1:qvo9d3e5f70-2b");
    if (typeof at === "string") throw new Error(at);
    const seen = (v: FrameVerdict) => ({
      verdict: v.verdict,
      summary: v.summary,
      hops: v.hops.map((h) => `${h.kind} ${h.bridge} ${h.port} ${h.verdict ?? ""}`),
      branches: v.branches.map((b) => `${b.kind} ${b.text}`),
      rule: v.drop?.rule,
      tree: JSON.stringify(v.tree ?? null),
    });
    const cached = replay(switches, firewallsOf(hosts), at, { times: 3 });
    const uncached = replay(switches, firewallsOf(hosts), at, { cache: false, times: 3 });
    expect(cached.map(seen)).toEqual(uncached.map(seen));
    expect(cached.filter((v) => v.cached).length).toBeGreaterThan(kernel.length);
    expect(cached.map((v) => v.verdict)).toEqual(
      kernel.flatMap((k) => Array(3).fill(k.delivered ? "delivered" : "dropped")),
    );
  });
});
