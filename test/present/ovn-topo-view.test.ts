import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { OvnTopology } from "../../src/ovn/topology.js";
import { ovnTopoDot, ovnTopoMermaid, ovnTopoText } from "../../src/present/ovn-topo-view.js";

const T: OvnTopology = {
  datapaths: [
    {
      kind: "switch",
      name: "ls1",
      tunnelKey: 1,
      ports: [
        {
          name: "vm1",
          type: "",
          tunnelKey: 1,
          addresses: ["fa:16:3e:00:01:01 10.0.1.11"],
          chassis: "hv1",
          plugged: { host: "hv1", bridge: "br-int", interface: "vm1", ofport: 1 },
        },
        { name: "evil\u001b[31m", type: "", addresses: [] },
        { name: "ls1-lr1", type: "router", addresses: [], peer: "lr1-ls1" },
      ],
    },
    {
      kind: "router",
      name: "lr1",
      ports: [
        { name: "lr1-ls1", type: "router", addresses: ["fa:16:3e:00:ff:01", "10.0.1.1/24"], peer: "ls1-lr1" },
      ],
    },
  ],
  chassis: [
    {
      name: "hv1",
      hostname: "hv1",
      host: "hv1",
      encaps: [{ type: "geneve", ip: "192.168.0.11", csum: true }],
      tunnels: [{ port: "ovn-hv2-0", remote: "192.168.0.12", chassis: "hv2" }],
      bound: ["vm1"],
    },
    {
      name: "hv2",
      hostname: "hv2",
      encaps: [{ type: "geneve", ip: "192.168.0.12", csum: false }],
      tunnels: [],
      bound: [],
    },
  ],
  findings: [
    {
      severity: "warning",
      kind: "port-unbound",
      message: "logical port evil\u001b[31m is bound to no chassis",
      evidence: [{ file: "nb.db", line: 7 }],
    },
  ],
};

describe("ovn-topo-view", () => {
  it("text: datapaths, ports with binding and plug, chassis with tunnels, findings; input escaped", () => {
    const text = ovnTopoText(T).join("\n");
    expect(text).toContain(
      "    vm1  key 1, fa:16:3e:00:01:01 10.0.1.11, on chassis hv1, plugged: hv1 br-int vm1 (ofport 1)",
    );
    expect(text).toContain("    ls1-lr1  router, ↔ lr1-ls1");
    expect(text).toContain("  chassis hv1 (host hv1): geneve 192.168.0.11 (csum)");
    expect(text).toContain("    tunnel ovn-hv2-0 → chassis hv2 (192.168.0.12)");
    expect(text).toContain("  chassis hv2 (not loaded): geneve 192.168.0.12");
    expect(text).toContain("bound to no chassis");
    expect(text).toContain("      nb.db:7");
    expect(text).not.toContain("\u001b");
  });
  it("DOT renders with Graphviz; Mermaid has the same edges", () => {
    const dot = ovnTopoDot(T);
    const r = spawnSync("dot", ["-Tsvg"], { input: dot, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const m = ovnTopoMermaid(T);
    expect(m.split("\n")[0]).toBe("flowchart LR");
    expect(m.split("\n").filter((l) => l.includes("-->")).length).toBe(
      dot.split("\n").filter((l) => l.includes(" -> ")).length,
    );
    expect(dot).toContain('switch_ls1 -> router_lr1 [label="ls1-lr1 ↔ lr1-ls1"]');
    expect(dot).not.toContain("\u001b");
  });
});
