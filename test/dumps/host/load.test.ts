import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Host, lineCount, loadHosts } from "../../../src/dumps/host/load.js";
import { LAB } from "../../support/lab.js";
import { NEEDS, REPO_ROOT, skipWithoutShared } from "../../support/shared.js";

const NO_LABS = skipWithoutShared(NEEDS.labs);
const HOST = join(REPO_ROOT, "fixtures/hosts/linux-host");
const OVS = join(HOST, "sos_commands/openvswitch");
const tmp = mkdtempSync(join(tmpdir(), "ovspath-load-"));
afterAll(() => spawnSync("rm", ["-rf", tmp]));

/** What a loaded host says, in a form two loads can be compared on. */
function summary(h: Host) {
  return {
    name: h.name,
    bridges: h.bridges.map((b) => ({
      name: b.name,
      flows: b.flows?.value.flows.map((f) => f.text),
      ofVersion: b.flows?.ofVersion,
      ports: [...b.portNames],
    })),
    kinds: Object.fromEntries(Object.entries(h.dumps).map(([k, v]) => [k, v.length])),
    diagnostics: h.diagnostics,
  };
}

/** Packs the fixture host as sosreport does: one top directory inside the archive. */
function archive(ext: string, flag: string): string {
  const top = join(tmp, `src-${ext}`);
  mkdirSync(top, { recursive: true });
  spawnSync("cp", ["-r", HOST, join(top, "sosreport-linux-host-2026")]);
  const path = join(tmp, `sosreport.${ext}`);
  const r = spawnSync("tar", [flag, "-f", path, "-C", top, "sosreport-linux-host-2026"]);
  expect(r.status).toBe(0);
  return path;
}

describe("loadHosts", () => {
  it("reads a sosreport directory: name from hostname, bridges, the OpenFlow 1.3 dump preferred", async () => {
    const [h] = await loadHosts(HOST);
    expect(h.name).toBe("linux-host");
    expect(h.bridges.map((b) => b.name)).toEqual(["br-ex", "br-int", "br-tun"]);
    const brInt = h.bridges.find((b) => b.name === "br-int")!;
    expect(brInt.flows?.file).toMatch(/ovs-ofctl_-O_OpenFlow13_dump-flows_br-int$/);
    expect(brInt.portNames.get(5)).toBe("tap0");
    expect(h.diagnostics).toEqual([]);
  });

  it.each([
    ["tar.gz", "-cz"],
    ["tar.xz", "-cJ"],
    ["tar", "-c"],
  ])("streams a .%s archive to the same model as the directory", async (ext, flag) => {
    const path = archive(ext, flag);
    const [fromDir] = await loadHosts(HOST);
    const hosts = await loadHosts(path);
    expect(hosts).toHaveLength(1);
    expect(hosts[0].source).toBe(`${path}!sosreport-linux-host-2026`);
    expect(hosts[0].files[0].file).toMatch(/sosreport\.tar(\.gz|\.xz)?!sosreport-linux-host-2026\//);
    expect(summary(hosts[0])).toEqual(summary(fromDir));
  });

  it("names the archive and the member when the archive is damaged", async () => {
    const good = readFileSync(archive("tar.gz", "-cz"));
    const bad = join(tmp, "damaged.tar.gz");
    writeFileSync(bad, good.subarray(0, Math.floor(good.length / 2)));
    await expect(loadHosts(bad)).rejects.toThrow(/damaged\.tar\.gz: damaged archive( in member \S+)?: /);
    const text = join(tmp, "not-gzip.tar.gz");
    writeFileSync(text, "hello");
    await expect(loadHosts(text)).rejects.toThrow(/not-gzip\.tar\.gz: damaged archive/);
  });

  it("recognises pasted dumps by content; the bridge comes from the file name, the ports' LOCAL, or --bridge", async () => {
    const dir = join(tmp, "pasted");
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(OVS, "ovs-ofctl_-O_OpenFlow13_dump-flows_br-int"), join(dir, "flows.txt"));
    copyFileSync(join(OVS, "ovs-ofctl_-O_OpenFlow13_dump-flows_br-tun"), join(dir, "br-tun-flows.log"));
    copyFileSync(join(OVS, "ovs-ofctl_show_br-int"), join(dir, "ports.out"));
    copyFileSync(join(OVS, "ovs-vsctl_-t_5_show"), join(dir, "vsctl"));
    writeFileSync(join(dir, "notes.md"), "# what happened\n");
    const withoutBridge = (await loadHosts(dir))[0];
    const flowsReport = withoutBridge.files.find((f) => f.file.endsWith("flows.txt"))!;
    expect(flowsReport.note).toMatch(/pass --bridge/);
    expect(withoutBridge.diagnostics.some((d) => d.file.endsWith("flows.txt"))).toBe(true);
    expect(withoutBridge.bridges.find((b) => b.name === "br-tun")?.flows?.value.flows.length).toBe(11);
    expect(withoutBridge.bridges.find((b) => b.name === "br-int")?.portNames.get(5)).toBe("tap0");
    expect(withoutBridge.files.find((f) => f.file.endsWith("notes.md"))?.note).toMatch(/not a dump/);
    const [h] = await loadHosts(dir, { bridge: "br-int" });
    const brInt = h.bridges.find((b) => b.name === "br-int")!;
    expect(brInt.flows?.value.flows.length).toBe(14);
    expect(
      h.files
        .filter((f) => f.by === "content")
        .map((f) => f.kind)
        .sort(),
    ).toEqual(["flows", "flows", "ports", "vsctlShow"]);
  });

  it.skipIf(NO_LABS)("finds every host of a lab directory", async () => {
    const hosts = await loadHosts(join(LAB, "neutron-lab-native"));
    expect(hosts.map((h) => h.name)).toEqual(["compute1", "compute2", "network"]);
    for (const h of hosts) expect(h.diagnostics).toEqual([]);
  });

  it("keeps a damaged line's diagnostic and still loads the rest of the file", async () => {
    const dir = join(tmp, "damaged");
    mkdirSync(join(dir, "sos_commands/openvswitch"), { recursive: true });
    const text = readFileSync(join(OVS, "ovs-ofctl_-O_OpenFlow13_dump-flows_br-tun"), "utf8").replace(
      "tun_id=0x64",
      "tun_id=0xzz",
    );
    writeFileSync(join(dir, "sos_commands/openvswitch/ovs-ofctl_-O_OpenFlow13_dump-flows_br-tun"), text);
    const [h] = await loadHosts(dir);
    expect(h.diagnostics).toHaveLength(1);
    expect(h.diagnostics[0]).toMatchObject({ line: 7, field: "tun_id" });
    expect(h.diagnostics[0].message).toMatch(/tun_id: expected a number, got "0xzz"/);
    expect(h.bridges[0].flows?.value.flows.length).toBe(10);
  });
});

describe("lineCount", () => {
  it.each(["", "a", "a\n", "a\nb", "\n\n\n", "a\r\nb\r\n", "x".repeat(100) + "\n".repeat(7)])(
    "counts %j as split would",
    (text) => expect(lineCount(text)).toBe(text.split("\n").length),
  );
});
