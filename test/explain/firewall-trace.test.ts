/**
 * `trace`'s firewall sections on the demo host: vm2's flow to vm1 crosses vm2's qbr (egress, accepted
 * by the open group) and vm1's qbr (ingress): SSH accepted, HTTP dropped by the fallback chain, as the
 * kernel did for the same frames (fixtures/firewall/demo-frames.json).
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { loadHosts } from "../../src/dumps/host/load.js";
import { firewallsOf } from "../../src/dumps/netfilter/firewall.js";
import { crossingJson, crossingLines, traceCrossings } from "../../src/explain/firewall-trace.js";
import { parseTraceFlow, type SimHost, switchesOf, trace } from "../../src/pipeline/index.js";

/** The line of the fallback DROP rule in the demo host's iptables-save (the kernel's own dump). */
const FALLBACK_LINE =
  readFileSync("fixtures/demo/hosts/compute1/sos_commands/firewall_tables/iptables-save_-c", "utf8")
    .split("\n")
    .findIndex((l) =>
      l.endsWith(
        '-A neutron-openvswi-sg-fallback -m comment --comment "Default drop rule for unmatched traffic." -j DROP',
      ),
    ) + 1;

let sw: SimHost;
let fws: ReturnType<typeof firewallsOf>;
beforeAll(async () => {
  const hosts = await loadHosts("fixtures/demo/hosts");
  sw = switchesOf(hosts)[0];
  fws = firewallsOf(hosts);
});

function crossings(dport: number) {
  const br = sw.bridges.get("br-int");
  const text = `in_port=qvo9d3e5f70-2b,tcp,dl_src=fa:16:3e:11:a1:02,dl_dst=fa:16:3e:11:a1:01,nw_src=192.168.100.12,nw_dst=192.168.100.11,tp_src=5000,tp_dst=${dport},tcp_flags=syn`;
  const parsed = parseTraceFlow(text, (n) => br?.byName.get(n)?.ofport);
  if (!parsed.ok) throw new Error(parsed.message);
  const r = trace({ host: sw, bridge: "br-int", flow: parsed.flow, withPacket: false, ctNext: [] });
  return traceCrossings(fws, sw, r, parsed.flow);
}

describe("trace through the hybrid plugs", () => {
  it("SSH: both crossings accept", () => {
    const c = crossings(22);
    expect(c.before.map((x) => [x.plug.bridge, x.direction, x.result.verdict.kind, x.result.zone])).toEqual([
      ["qbr9d3e5f70-2b", "egress", "accept", 4098],
    ]);
    expect(c.after.map((x) => [x.plug.bridge, x.direction, x.result.verdict.kind, x.result.zone])).toEqual([
      ["qbr8c2d4e6f-1a", "ingress", "accept", 4097],
    ]);
  });

  it("HTTP: dropped on vm1's qbr, printed as ofproto/trace prints a bridge, and as JSON", () => {
    const c = crossings(80).after[0];
    const lines = crossingLines(c);
    expect(lines[1]).toBe(
      'iptables("qbr8c2d4e6f-1a"): ingress of tap8c2d4e6f-1a, qvb8c2d4e6f-1a -> tap8c2d4e6f-1a',
    );
    expect(lines).toContain(" conntrack: zone 4097, NEW");
    expect(lines).toContain(
      ' filter -A neutron-openvswi-sg-fallback -m comment --comment "Default drop rule for unmatched traffic." -j DROP  -> DROP',
    );
    expect(lines.find((l) => l.startsWith(" Verdict:"))).toMatch(
      new RegExp(
        `^ Verdict: DROP in filter neutron-openvswi-sg-fallback \\(.*iptables-save_-c:${FALLBACK_LINE}\\)$`,
      ),
    );
    expect(lines.at(-1)).toMatch(/near miss .*: tcp dport 22 allowed, frame has dport 80$/);
    expect(crossingJson(c)).toMatchObject({
      kind: "firewall",
      bridge: "qbr8c2d4e6f-1a",
      direction: "ingress",
      verdict: { kind: "drop", chain: "neutron-openvswi-sg-fallback", line: FALLBACK_LINE },
    });
  });
});
