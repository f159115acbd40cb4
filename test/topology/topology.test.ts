import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadHosts } from "../../src/dumps/host/load.js";
import { topoDot, topoMermaid } from "../../src/present/topo-view.js";
import { buildTopology, selectPaths, type Topology, type VmPath } from "../../src/topology/index.js";
import { LAB } from "../support/lab.js";
import { NEEDS, REPO_ROOT, skipWithoutShared } from "../support/shared.js";

const NO_LABS = skipWithoutShared(NEEDS.labs);
const fixture = (name: string) => join(REPO_ROOT, "fixtures/hosts", name);
const load = async (...dirs: string[]): Promise<Topology> =>
  buildTopology((await Promise.all(dirs.map((d) => loadHosts(d)))).flat());
const names = (p: VmPath) => p.hops.map((h) => `${h.kind}:${h.name}`);
const exits = (p: VmPath) =>
  p.exits
    .map((e) =>
      e
        .slice(-2)
        .map((h) => h.name)
        .join(">"),
    )
    .sort();

describe.skipIf(NO_LABS)("neutron-lab: three hosts stitched", () => {
  let t: Topology;
  beforeAll(async () => {
    t = await load(join(LAB, "neutron-lab"));
  });

  it("rebuilds every VM's hybrid-plug path hop by hop", () => {
    const vm = t.paths.find((p) => p.port === "qvo1a2b3c4d-5e")!;
    expect(names(vm)).toEqual([
      "vm:c0ffee00-0000-4000-8000-000016300001",
      "tap:tap1a2b3c4d-5e",
      "linux-bridge:qbr1a2b3c4d-5e",
      "veth:qvb1a2b3c4d-5e",
      "ovs-port:qvo1a2b3c4d-5e",
      "ovs-bridge:br-int",
    ]);
    expect([vm.mac, vm.ifaceId, vm.localVlan]).toEqual([
      "fa:16:3e:0a:00:01",
      "1a2b3c4d-5e6f-4a1b-8c2d-000000000a01",
      1,
    ]);
    expect(vm.exits[0].map((h) => `${h.kind}:${h.name}`).slice(0, 3)).toEqual([
      "patch:patch-tun",
      "patch:patch-int",
      "ovs-bridge:br-tun",
    ]);
    expect(exits(vm)).toEqual(["vxlan-0a00000c>compute2", "vxlan-0a000015>network"]);
    const vms = t.paths.filter((p) => p.role === "vm-hybrid").map((p) => `${p.host}/${p.port}`);
    expect(vms).toEqual([
      "compute1/qvo1a2b3c4d-5e",
      "compute1/qvo5a6b7c8d-9e",
      "compute1/qvo2b3c4d5e-6f",
      "compute2/qvo3c4d5e6f-70",
      "compute2/qvo4d5e6f70-81",
    ]);
    for (const p of t.paths.filter((x) => x.role === "vm-hybrid")) {
      expect(p.hops.map((h) => h.kind)).toEqual([
        "vm",
        "tap",
        "linux-bridge",
        "veth",
        "ovs-port",
        "ovs-bridge",
      ]);
      expect(p.exits.length).toBe(2);
    }
  });

  it("maps each host's local VLANs to the segmentation ids (VXLAN 100 and GRE 1001, the flat provider)", () => {
    const table = Object.fromEntries(
      t.hosts.map((h) => [
        h.host,
        h.segments.map((s) => `${s.localVlan}:${s.type}:${s.segmentationId ?? "-"}`),
      ]),
    );
    expect(table).toEqual({
      compute1: ["1:vxlan:100", "2:gre:1001"],
      compute2: ["1:gre:1001", "3:vxlan:100"],
      network: ["1:vxlan:100", "2:gre:1001", "3:flat:-"],
    });
  });

  it("stitches tunnels to the host owning remote_ip and finds the same network across hosts", () => {
    const vm = t.paths.find((p) => p.port === "qvo3c4d5e6f-70")!;
    expect(exits(vm)).toEqual(["vxlan-0a00000b>compute1", "vxlan-0a000015>network"]);
    expect(vm.peers.map((p) => `${p.host}/${p.port}`).sort()).toEqual([
      "compute1/qvo1a2b3c4d-5e",
      "compute1/qvo5a6b7c8d-9e",
      "network/qr-6f708192-a3",
      "network/tap5e6f7081-92",
    ]);
    expect(vm.peers[0].via).toBe("vxlan 100");
  });

  it("sends the router gateway out through br-ex to its NIC (flat provider network)", () => {
    const qg = t.paths.find((p) => p.port === "qg-8192a3b4-c5")!;
    expect(qg.exits.map((e) => e.map((h) => h.name))).toEqual([["int-br-ex", "phy-br-ex", "br-ex", "eth2"]]);
  });

  it("has no findings", () => expect(t.findings).toEqual([]));

  it("selects a VM by device name, port id prefix, MAC, VM uuid and IP", () => {
    const pick = (q: string) => selectPaths(t, q).map((p) => p.port);
    expect(pick("tap1a2b3c4d-5e")).toEqual(["qvo1a2b3c4d-5e"]);
    expect(pick("qbr1a2b3c4d-5e")).toEqual(["qvo1a2b3c4d-5e"]);
    expect(pick("1a2b3c4d-5e6f")).toEqual(["qvo1a2b3c4d-5e"]);
    expect(pick("FA:16:3E:0A:00:02")).toEqual(["qvo3c4d5e6f-70"]);
    expect(pick("192.168.10.5")).toEqual(["qvo1a2b3c4d-5e"]);
    expect(pick("c0ffee00-0000-4000-8000-000016300001")).toEqual(["qvo1a2b3c4d-5e", "qvo2b3c4d5e-6f"]);
  });
});

describe.skipIf(NO_LABS)("neutron-lab-broken", () => {
  it("reports compute2's missing VNI 100 flow in br-tun table 4, with the evidence line", async () => {
    const t = await load(join(LAB, "neutron-lab-broken"));
    expect(t.findings.map((f) => [f.host, f.kind, f.message])).toEqual([
      [
        "compute2",
        "segment-missing-flow",
        "segmentation id 100 (vxlan, local VLAN 3) has no br-tun table 4 flow: traffic arriving for it is dropped",
      ],
    ]);
    expect(t.findings[0].evidence[0].file).toMatch(
      /compute2\/sos_commands\/openvswitch\/ovs-ofctl_-O_OpenFlow13_dump-flows_br-tun$/,
    );
    expect(t.findings[0].evidence[0].line).toBe(24);
  });
});

describe("own fixtures", () => {
  it("OVS-firewall plugging: the tap is the br-int port", async () => {
    const t = await load(fixture("ovsfw"));
    const p = t.paths.find((x) => x.port === "tapa1b2c3d4-e5")!;
    expect(names(p)).toEqual(["vm:fa:16:3e:f1:00:05", "tap:tapa1b2c3d4-e5", "ovs-bridge:br-int"]);
    expect(p.hops[1]).toMatchObject({ bridge: "br-int", tag: 1 });
    expect(exits(p)).toEqual(["vxlan-0a00000b>10.0.0.11"]);
    expect(p.exits[0][p.exits[0].length - 1].detail).toBe("10.0.0.11 (not loaded)");
  });

  it("an MTU too large for VXLAN on the underlay is a finding with both pieces of evidence", async () => {
    const t = await load(fixture("mtu-problem"));
    const mtu = t.findings.filter((f) => f.kind === "mtu");
    expect(mtu.map((f) => f.message)).toEqual([
      "tap1a2b3c4d-5e MTU 1500 + VXLAN/IPv4: 50 = 1550 > underlay MTU 1500 on eth1 (10.0.0.11): full-size packets will not fit through vxlan tunnels",
    ]);
    expect(mtu[0].evidence.map((e) => `${e.file.split("/").pop()}:${e.line}`)).toEqual([
      "ip_-s_-d_link:36",
      "ip_-o_addr:1",
    ]);
  });

  it("provider network alone: gateway via br-ex, tunnels to hosts that are not loaded", async () => {
    const t = await load(fixture("provider"));
    expect(t.paths.find((p) => p.port === "qg-8192a3b4-c5")?.exits.map((e) => e[e.length - 1].name)).toEqual([
      "eth2",
    ]);
    expect(t.findings).toEqual([]);
  });

  it("the recorded netdev host: system tap port, hybrid qvo, patch and tunnel wiring", async () => {
    const t = await load(fixture("linux-host"));
    expect(t.paths.map((p) => `${p.port}:${p.role}:${p.localVlan}`)).toEqual([
      "qvo0:vm-hybrid:4",
      "tap0:vm:3",
    ]);
  });

  it("finds a missing veth peer, a patch port without its peer and an untagged VM port", () => {
    const host: Topology["hosts"][number] = {
      host: "h",
      bridges: [
        {
          name: "br-int",
          ports: [
            {
              bridge: "br-int",
              name: "patch-tun",
              type: "patch",
              role: "patch",
              peer: "patch-int",
              trunks: [],
              neutron: {},
              evidence: { file: "show", line: 3 },
            },
            {
              bridge: "br-int",
              name: "qvo11111111-11",
              type: "",
              role: "vm-hybrid",
              trunks: [],
              neutron: {},
              evidence: { file: "show", line: 5 },
            },
          ],
        },
      ],
      linux: new Map([
        [
          "qvb11111111-11",
          {
            name: "qvb11111111-11",
            peer: "qvo11111111-11",
            up: true,
            flags: ["UP"],
            evidence: { file: "link", line: 7 },
          },
        ],
      ]),
      linuxBridges: [],
      localIps: new Set(),
      addresses: new Map(),
      segments: [],
      ipHints: [],
    };
    return import("../../src/topology/findings.js").then(({ findings }) => {
      const f = findings([host], []);
      expect(f.map((x) => [x.kind, x.evidence[0].line])).toEqual([
        ["veth-peer-missing", 7],
        ["patch-peer-missing", 3],
        ["port-untagged", 5],
      ]);
    });
  });
});

describe.skipIf(NO_LABS)("diagram output", () => {
  it("DOT renders with Graphviz, Mermaid has every node and edge", async () => {
    const t = await load(join(LAB, "neutron-lab"));
    const dot = topoDot(t.paths);
    if (spawnSync("dot", ["-V"]).status !== 0)
      spawnSync("apt-get", ["install", "-y", "graphviz"], { stdio: "ignore" });
    const r = spawnSync("dot", ["-Tsvg"], { input: dot, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/<svg/);
    const m = topoMermaid(t.paths);
    expect(m.split("\n")[0]).toBe("flowchart LR");
    const edges = dot.split("\n").filter((l) => l.includes(" -> ")).length;
    expect(m.split("\n").filter((l) => l.includes(" -->")).length).toBe(edges);
  });
});
