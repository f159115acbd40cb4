import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/shared.js";

function ovspath(...args: string[]) {
  const res = spawnSync(process.execPath, [join(REPO_ROOT, "bin", "ovspath.js"), ...args], {
    encoding: "utf8",
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

const HOST = join(REPO_ROOT, "fixtures/hosts/linux-host");

describe("ovspath flows", () => {
  it("lists a bridge's flows by table with port names, from the OpenFlow 1.3 dump", () => {
    const r = ovspath("flows", HOST, "--bridge", "br-int", "--table", "0");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /bridge br-int: 3 of 14 flows, from .*ovs-ofctl_-O_OpenFlow13_dump-flows_br-int \(OpenFlow 1\.3\)/,
    );
    expect(r.stdout).toContain(
      'priority=100,in_port="tap0",dl_src=fa:16:3e:aa:bb:01 actions=set_field:0x5->reg5',
    );
    expect(r.stdout).not.toMatch(/table 60/);
  });

  it("--filter keeps the flows a packet with those fields could match (wildcards included)", () => {
    const r = ovspath("flows", HOST, "--bridge", "br-tun", "--filter", "tun_id=0x64", "--json");
    expect(r.status).toBe(0);
    const table4 = JSON.parse(r.stdout).hosts[0].bridges[0].tables.find(
      (t: { table: number }) => t.table === 4,
    );
    expect(table4.flows.map((f: { match: string }) => f.match)).toEqual([
      "priority=1,tun_id=0x64",
      "priority=0",
    ]);
    const other = JSON.parse(
      ovspath("flows", HOST, "--bridge", "br-tun", "--filter", "tun_id=0x65", "--json").stdout,
    );
    const t4 = other.hosts[0].bridges[0].tables.find((t: { table: number }) => t.table === 4);
    expect(t4.flows.map((f: { match: string }) => f.match)).toEqual(["priority=0"]);
  });

  it("--filter takes port names", () => {
    const r = ovspath(
      "flows",
      HOST,
      "--bridge",
      "br-int",
      "--table",
      "0",
      "--filter",
      'in_port="qvo0"',
      "--json",
    );
    const flows = JSON.parse(r.stdout).hosts[0].bridges[0].tables[0].flows;
    expect(flows.map((f: { priority: number }) => f.priority)).toEqual([10, 1]);
  });

  it.each([
    ["a bad filter", ["flows", HOST, "--filter", "nw_src=1.2.3"], /--filter: column 8: .*IPv4/],
    ["a bad table", ["flows", HOST, "--table", "300"], /table number/],
    ["a missing host", ["flows", "/nonexistent"], /no such file/],
    ["an unknown bridge", ["flows", HOST, "--bridge", "br-nope"], /no bridge br-nope/],
  ])("exits 2 on %s", (_n, args, message) => {
    const r = ovspath(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it("exits 1 when lines could not be parsed, after listing the rest; show names file, line and column", () => {
    const dir = mkdtempSync(join(tmpdir(), "ovspath-cli-"));
    mkdirSync(join(dir, "sos_commands/openvswitch"), { recursive: true });
    const text = readFileSync(
      join(HOST, "sos_commands/openvswitch/ovs-ofctl_-O_OpenFlow13_dump-flows_br-tun"),
      "utf8",
    );
    writeFileSync(
      join(dir, "sos_commands/openvswitch/ovs-ofctl_-O_OpenFlow13_dump-flows_br-tun"),
      text.replace("tun_id=0x64", "tun_id=0xzz"),
    );
    const flows = ovspath("flows", dir);
    expect(flows.status).toBe(1);
    expect(flows.stdout).toMatch(/10 of 10 flows/);
    expect(flows.stderr).toMatch(/1 line\(s\) could not be parsed/);
    const show = ovspath("show", dir);
    expect(show.status).toBe(1);
    expect(show.stdout).toMatch(
      /ovs-ofctl_-O_OpenFlow13_dump-flows_br-tun:7:\d+: error: tun_id: expected a number, got "0xzz"/,
    );
    expect(show.stdout).toMatch(/\n {8}\s*\^/);
  });

  it("escapes control characters from dumps", () => {
    const dir = mkdtempSync(join(tmpdir(), "ovspath-esc-"));
    writeFileSync(join(dir, "br-x.flows"), ' priority=1,in_port="evil\u001b[31m" actions=drop\n');
    const r = ovspath("flows", dir);
    expect(r.stdout).toContain("\\e[31m");
    expect(r.stdout).not.toContain("\u001b");
  });
});

describe("ovspath show", () => {
  it("summarises bridges, ports with their OVSDB details, Linux bridges and files", () => {
    const r = ovspath("show", HOST);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/host linux-host/);
    expect(r.stdout).toMatch(/datapaths: netdev@ovs-netdev/);
    expect(r.stdout).toMatch(
      /bridge br-int \(fail_mode secure\)\n {4}flows: 14 {2}\[table:count 0:3 60:3 72:6 73:2\]/,
    );
    expect(r.stdout).toMatch(/port 5: tap0 \(system\) {2}tag 3/);
    expect(r.stdout).toMatch(
      /port 2: vxlan-0a000020 \(vxlan\) {2}remote_ip=10\.0\.0\.32 local_ip=10\.0\.0\.31/,
    );
    expect(r.stdout).toMatch(/problems: none/);
  });

  it("--json carries the same model", () => {
    const j = JSON.parse(ovspath("show", HOST, "--json").stdout);
    expect(j.hosts[0].bridges.map((b: { name: string }) => b.name)).toEqual(["br-ex", "br-int", "br-tun"]);
  });
});

describe("ovspath topo", () => {
  it("prints each VM's path and exits 0 without findings; --dot renders", () => {
    const r = ovspath("topo", join(REPO_ROOT, "fixtures/hosts/provider"), "--vm", "qg-8192a3b4-c5");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("qg-8192a3b4-c5 [port, br-int port 6, tag 3] → br-int [bridge, local VLAN 3]");
    expect(r.stdout).toMatch(
      /↳ int-br-ex \[patch, br-int port \d+\] ⇄ phy-br-ex \[patch, br-ex port \d+\] → br-ex \[bridge\] → eth2 \[NIC/,
    );
    expect(ovspath("topo", join(REPO_ROOT, "fixtures/hosts/provider"), "--dot").stdout).toMatch(
      /^digraph ovspath \{/,
    );
  });

  it("exits 1 when there are error findings, 2 for an unknown VM or exclusive formats", () => {
    expect(ovspath("topo", join(REPO_ROOT, "fixtures/hosts/mtu-problem")).status).toBe(1);
    const r = ovspath("topo", join(REPO_ROOT, "fixtures/hosts/mtu-problem"), "--vm", "nope");
    expect([r.status, r.stderr.trim()]).toEqual([2, "ovspath: error: no VM port matches nope"]);
    expect(ovspath("topo", HOST, "--dot", "--json").status).toBe(2);
  });
});

describe("ovspath demo", () => {
  it("shows the demo host's VM path, then decodes the captures, exit 0", () => {
    const r = ovspath("demo");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /qvo8c2d4e6f-1a \[port, br-int port 4, tag 1\] → br-int \[bridge, local VLAN 1\]/,
    );
    expect(r.stdout).toMatch(/local VLAN 1 ↔ vxlan 1010/);
    expect(r.stdout).toMatch(
      /== compute1-eth1-tx\.pcap\n +1 +0\.000000 ARP who has 10\.0\.0\.12\? tell 10\.0\.0\.11/,
    );
  });
});

describe("ovspath flows --filter: a display filter when it holds an operator, else an OVS match", () => {
  const matches = (stdout: string) =>
    (
      JSON.parse(stdout) as {
        hosts: Array<{ bridges: Array<{ tables: Array<{ flows: Array<{ match: string }> }> }> }>;
      }
    ).hosts.flatMap((h) => h.bridges.flatMap((b) => b.tables.flatMap((t) => t.flows.map((f) => f.match))));

  it.each<[string, string[]]>([
    ["tun_id == 0x64", ["priority=1,tun_id=0x64"]],
    ["tun_id == 100 || dl_vlan == 3", ["priority=1,tun_id=0x64", "priority=1,dl_vlan=3"]],
    ['table == 0 && in_port == "patch-int"', ['priority=1,in_port="patch-int"']],
    ["table == 0 and in_port == 2", ['priority=1,in_port="vxlan-0a000020"']],
    ['actions contains "learn(" ', ["priority=1"]],
    ['actions matches "^DROP$" && table in {0 4}', ["priority=0", "priority=0"]],
    ["dl_dst == ff:ff:ff:ff:ff:ff", ["priority=0,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00"]],
    ["not tun_id && table == 4", ["priority=0"]],
  ])("%s", (expr, expected) => {
    const r = ovspath("flows", HOST, "--bridge", "br-tun", "--filter", expr, "--json");
    expect(r.status).toBe(0);
    expect(matches(r.stdout)).toEqual(expected);
  });

  it("--filter '?' lists the flow fields", () => {
    const r = ovspath("flows", HOST, "--filter", "?");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^n_packets +packets counted$/m);
    expect(r.stdout).toMatch(/^tun_id +match field/m);
  });

  it("without an operator it is still an OVS match (wildcarding flows kept)", () => {
    const r = ovspath(
      "flows",
      HOST,
      "--bridge",
      "br-tun",
      "--table",
      "4",
      "--filter",
      "tun_id=0x65",
      "--json",
    );
    expect(matches(r.stdout)).toEqual(["priority=0"]);
  });

  it("text output counts the flows shown; a bad expression exits 2 with a caret", () => {
    const r = ovspath("flows", HOST, "--bridge", "br-tun", "--filter", "priority == 1 && table >= 10");
    expect(r.stdout).toMatch(/bridge br-tun: 2 of 11 flows/);
    const bad = ovspath("flows", HOST, "--filter", "tun_id == 0x64 && tun_idd");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(
      /^ovspath: error: --filter: column 19: unknown field "tun_idd" \(`--filter '\?'` lists the fields\)\n {4}tun_id == 0x64 && tun_idd\n {22}\^/,
    );
  });
});
