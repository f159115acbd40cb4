/** The TUI's path and trace panes on a security-group drop: the firewall hops, the rule, the near miss. */
import { describe, expect, it } from "vitest";
import type { FrameVerdict } from "../../src/explain/types.js";
import { type Line, pathLines, traceLines } from "../../src/tui/view.js";

const text = (l: Line): string => l.map((s) => s.text).join("");

const DROP: FrameVerdict = {
  frame: 2,
  verdict: "dropped",
  branches: [],
  partial: false,
  summary: "dropped compute1 qbr8c2d4e6f-1a: security group (ingress of tap8c2d4e6f-1a)",
  hops: [
    { host: "compute1", bridge: "br-int", port: "qvo8c2d4e6f-1a", kind: "out" },
    {
      host: "compute1",
      bridge: "qbr8c2d4e6f-1a",
      port: "tap8c2d4e6f-1a",
      kind: "firewall",
      chain: "neutron-openvswi-sg-fallback",
      verdict: "DROP",
    },
    { host: "compute1", bridge: "qbr8c2d4e6f-1a", port: "tap8c2d4e6f-1a", kind: "drop" },
  ],
  drop: {
    host: "compute1",
    bridge: "qbr8c2d4e6f-1a",
    reason: "security-group",
    detail: "dropped by iptables on qbr8c2d4e6f-1a",
    nearMisses: [],
    iptablesTable: "filter",
    chain: "neutron-openvswi-sg-fallback",
    rule: "-A neutron-openvswi-sg-fallback -j DROP",
    file: "hosts/compute1/sos_commands/firewall_tables/iptables-save_-c",
    line: 167,
    firewallNearMisses: [
      {
        rule: "-A neutron-openvswi-i8c2d4e6f-1 -p tcp -m tcp --dport 22 -j RETURN",
        file: "x/iptables-save_-c",
        line: 51,
        failed: ["tcp dport 22 allowed, frame has dport 80"],
      },
    ],
  },
  traces: [],
  cached: false,
};

describe("security-group drops in the TUI", () => {
  it("the path pane shows the firewall hop with its chain and verdict", () => {
    expect(pathLines(DROP, "dropped", false).map(text)).toContain(
      "  ↓ fw  qbr8c2d4e6f-1a tap8c2d4e6f-1a iptables neutron-openvswi-sg-fallback → DROP",
    );
  });
  it("the trace pane shows the dropping rule, its file:line and the near miss", () => {
    const lines = traceLines(DROP, "dropped", false).map(text);
    expect(lines).toContain("dropping rule: iptables-save_-c:167 (filter neutron-openvswi-sg-fallback)");
    expect(lines).toContain("  -A neutron-openvswi-sg-fallback -j DROP");
    expect(lines).toContain(
      "  iptables-save_-c:51: -A neutron-openvswi-i8c2d4e6f-1 -p tcp -m tcp --dport 22 -j RETURN: tcp dport 22 allowed, frame has dport 80",
    );
    expect(lines).toContain("── iptables on compute1 qbr8c2d4e6f-1a: neutron-openvswi-sg-fallback → DROP");
  });
});
