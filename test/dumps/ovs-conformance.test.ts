/**
 * Every OVS and Linux dump of the shared labs and of our own recorded host (fixtures/hosts/linux-host,
 * scripts/record-ovs-dumps.sh): zero unparsed lines, and the dumps agree with each other the way one
 * switch's views must (ports by number and name across ofctl show, dump-ports-desc, OF1.3 show,
 * dpif/show, OVSDB; Linux bridges across brctl, ip link and bridge link).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { classify, KINDS, type KindName, type KindSpec } from "../../src/dumps/host/kinds.js";
import { loadHosts } from "../../src/dumps/host/load.js";
import { asNumber, asString } from "../../src/dumps/vsctl/ovsdb-value.js";
import { labHosts } from "../support/lab.js";
import { REPO_ROOT } from "../support/shared.js";

const hostDirs = [...labHosts(), join(REPO_ROOT, "fixtures/hosts/linux-host")];

function dumpFiles(host: string): string[] {
  const out: string[] = [];
  for (const sub of ["openvswitch", "networking"]) {
    const dir = join(host, "sos_commands", sub);
    if (existsSync(dir)) for (const f of readdirSync(dir).sort()) out.push(join(dir, f));
  }
  return out;
}

describe("every dump file is recognised by its name and parses without a diagnostic", () => {
  const files = hostDirs.flatMap(dumpFiles);
  it("finds the files", () => expect(files.length).toBeGreaterThan(40));
  it.each(files.map((f) => [f.split("/").slice(-4).join("/"), f] as const))("%s", (_n, f) => {
    const text = readFileSync(f, "utf8");
    const c = classify(basename(f), text);
    expect(c, "recognised").toBeDefined();
    if (!c) return;
    expect(c.by).toBe("name");
    const parsed = (KINDS[c.kind] as KindSpec<unknown>).parse(text, f);
    expect(parsed.diagnostics).toEqual([]);
  });
});

describe("content sniffing recognises each dump without its sosreport name", () => {
  const sniffable: KindName[] = [
    "flows",
    "ports",
    "portStats",
    "groups",
    "vsctlShow",
    "vsctlList",
    "dpctlShow",
    "dpifShow",
    "dpFlows",
    "fdb",
    "tnlPorts",
    "routes",
    "brctl",
    "ipAddr",
    "ipLink",
  ];
  const files = hostDirs.flatMap(dumpFiles);
  for (const kind of sniffable) {
    it(kind, () => {
      let seen = 0;
      for (const f of files) {
        const text = readFileSync(f, "utf8");
        const byName = classify(basename(f), text);
        if (byName?.kind !== kind || text.trim() === "" || /^(OFPST|NXST)_GROUP_DESC reply.*:\n?$/.test(text))
          continue;
        expect(classify("pasted.txt", text)?.kind, f).toBe(kind);
        seen++;
      }
      expect(seen).toBeGreaterThan(0);
    });
  }
});

describe.each(hostDirs.map((h) => [h.split("/").slice(-2).join("/"), h] as const))("host %s", (_n, dir) => {
  it("loads with every view of a port agreeing", async () => {
    const [host] = await loadHosts(dir);
    expect(host.diagnostics).toEqual([]);
    const vsctl = host.dumps.vsctlShow[0].value;
    expect(host.bridges.map((b) => b.name)).toEqual(vsctl.bridges.map((b) => b.name).sort());
    const ifaces = host.dumps.vsctlList.find((l) => l.table === "interface")!.value;
    const ofportOf = new Map(
      ifaces.map((r) => [asString(r.columns.get("name")), asNumber(r.columns.get("ofport"))]),
    );
    for (const b of host.bridges) {
      // Every ofctl show / dump-ports-desc of this bridge, in any OpenFlow version, lists the same ports.
      const views = host.dumps.ports
        .filter((p) => p.bridge === b.name)
        .map((p) => p.value.ports.map((x) => `${x.ofport}:${x.name}:${x.mac}`).sort());
      expect(views.length).toBeGreaterThan(0);
      for (const v of views) expect(v).toEqual(views[0]);
      // The OVSDB agrees on the numbers.
      for (const [n, name] of b.portNames) expect(ofportOf.get(name), name).toBe(n);
      // And so does dpif/show (LOCAL is 65534 there).
      const dpif = host.dumps.dpifShow[0]?.value.datapaths
        .flatMap((d) => d.bridges)
        .find((x) => x.name === b.name);
      if (dpif)
        for (const p of dpif.ports)
          expect(p.ofport === 65534 ? p.name : b.portNames.get(p.ofport)).toBe(p.name);
      // Counters exist only for known ports.
      for (const s of host.dumps.portStats.filter((p) => p.bridge === b.name).flatMap((p) => p.value))
        if (s.ofport !== null) expect(b.portNames.has(s.ofport)).toBe(true);
      // The simulator's dump is the OpenFlow 1.3 one when there is one.
      if (host.dumps.flows.some((f) => f.bridge === b.name && f.ofVersion === "1.3"))
        expect(b.flows?.ofVersion).toBe("1.3");
    }
    // The datapath's ports are the dpif/show ports with a datapath number; tunnel ports share their
    // type's one datapath port (vxlan_sys_4789, gre_sys).
    const dp = host.dumps.dpctlShow[0]?.value[0];
    const dpif = host.dumps.dpifShow[0]?.value.datapaths[0];
    if (dp && dpif) {
      const dpPorts = new Map(dp.ports.map((p) => [p.dpPort, p.name]));
      for (const p of dpif.bridges.flatMap((b) => b.ports)) {
        if (p.dpPort === null) continue;
        if (["vxlan", "gre", "geneve"].includes(p.type))
          expect(dpPorts.get(p.dpPort), p.name).toMatch(/_sys/);
        else expect(dpPorts.get(p.dpPort), p.name).toBe(p.name);
      }
    }
    // Linux side: brctl's members are links; a qvb's veth peer is its qvo; bridge link agrees on masters.
    const links = host.dumps.ipLink[0]?.value ?? [];
    const byName = new Map(links.map((l) => [l.name, l]));
    for (const br of host.dumps.brctl[0]?.value ?? []) {
      for (const i of br.interfaces) expect(byName.get(i)?.master, i).toBe(br.name);
    }
    for (const l of links.filter((x) => x.name.startsWith("qvb")))
      expect(l.peer).toBe(`qvo${l.name.slice(3)}`);
    for (const p of host.dumps.bridgeLink[0]?.value ?? []) expect(byName.get(p.name)?.master).toBe(p.master);
  });
});

describe("the real-host fixture has what the dummy labs lack", () => {
  it("system ports without a type, groups with buckets, datapath flows after traffic", async () => {
    const [host] = await loadHosts(join(REPO_ROOT, "fixtures/hosts/linux-host"));
    const dp = host.dumps.dpctlShow[0].value[0];
    expect(dp.name).toBe("netdev@ovs-netdev");
    expect(dp.ports.find((p) => p.name === "tap0")?.type).toBe("");
    const vsTap = host.dumps.vsctlShow[0].value.bridges
      .flatMap((b) => b.ports)
      .find((p) => p.name === "tap0");
    expect(vsTap?.tag).toBe(3);
    expect(vsTap?.interfaces[0].type).toBe("");
    const groups = host.dumps.groups.filter((g) => g.bridge === "br-int" && g.ofVersion === "1.5")[0].value;
    expect(groups.map((g) => [g.groupId, g.type, g.buckets.length])).toEqual([
      [1, "all", 2],
      [2, "select", 2],
      [3, "ff", 2],
    ]);
    expect(groups[1].buckets[0].props).toEqual({ bucket_id: "0", weight: "100" });
    expect(groups[1].buckets[1].actions).toEqual([{ type: "output", port: { number: 6 } }]);
    expect(host.dumps.dpFlows[0].value.length).toBeGreaterThan(0);
    const iface = host.dumps.vsctlList
      .find((l) => l.table === "interface")!
      .value.find((r) => r.columns.get("name") === "tap0")!;
    const ext = iface.columns.get("external_ids") as Map<string, unknown>;
    expect(ext.get("attached-mac")).toBe("fa:16:3e:aa:bb:01");
    expect(ext.get("iface-id")).toBe("5f1c0a2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b");
    const eth1 = host.dumps.ipLink
      .find((l) => l.file.endsWith("ip_-s_-d_link"))!
      .value.find((l) => l.name === "eth1")!;
    expect([eth1.mtu, eth1.kind, eth1.peer]).toEqual([9000, "veth", "eth1-peer"]);
    expect(eth1.stats.RX?.packets).toBeGreaterThan(0n);
  });
});
