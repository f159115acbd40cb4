/** topo on the demo host: each hybrid port's security group (rules, zone) and the firewall findings. */
import { describe, expect, it } from "vitest";
import { loadHosts } from "../../src/dumps/host/load.js";
import { buildTopology } from "../../src/topology/index.js";

describe("the demo host's security groups in the topology", async () => {
  const t = buildTopology(await loadHosts("fixtures/demo/hosts"));
  it("every hybrid port has its chains and its own zone", () => {
    const hybrid = t.paths.filter((p) => p.role === "vm-hybrid");
    expect(hybrid.length).toBe(5);
    expect(hybrid.map((p) => [p.port, p.firewall?.mode, p.firewall?.zone]).sort()).toEqual([
      ["qvo8c2d4e6f-1a", "security-groups", 4097],
      ["qvo9d3e5f70-2b", "security-groups", 4098],
      ["qvoae4f6071-3c", "security-groups", 4099],
      ["qvobf507182-4d", "security-groups", 4100],
      ["qvoc0618293-5e", "security-groups", 4101],
    ]);
    const vm1 = hybrid.find((p) => p.port === "qvo8c2d4e6f-1a")!;
    expect(vm1.firewall?.ingress.map((r) => r.rule)).toContain(
      "-A neutron-openvswi-i8c2d4e6f-1 -p tcp -m tcp --dport 22 -j RETURN",
    );
  });
  it("the drops the recording left in the counters are a finding with file:line", () => {
    const f = t.findings.filter((x) => x.kind.startsWith("fw-"));
    expect(f.map((x) => [x.kind, x.severity])).toEqual([["fw-drops-counted", "warning"]]);
    expect(f[0].message).toMatch(/^2 packets already dropped by the security groups' fallback/);
    expect(f[0].evidence[0].file).toMatch(/firewall_tables\/iptables-save_-c$/);
  });
});
