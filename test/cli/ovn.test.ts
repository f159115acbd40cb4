/**
 * `ovspath trace --ovn` on the recorded OVN lab: every dropped packet of the lab is named as ovn-detrace
 * named it — the ACL (direction, priority, match) of its last step, or the logical stage.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readRecordedTrace } from "../support/ovs-trace.js";
import { REPO_ROOT } from "../support/shared.js";

const LAB = join(REPO_ROOT, "fixtures/ovn-lab");

function ovspath(...args: string[]) {
  const res = spawnSync(process.execPath, [join(REPO_ROOT, "bin", "ovspath.js"), ...args], {
    encoding: "utf8",
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

const index = readFileSync(join(LAB, "traces/INDEX.tsv"), "utf8")
  .trim()
  .split("\n")
  .slice(1)
  .map((l) => l.split("\t"));
const drops = index
  .filter(([, , category]) => /drop$/.test(category))
  .map(([file, host, category]) => [file, host, category]);

/** What ovn-detrace printed last: the last logical flow's stage and the last ACL line. */
function detraceVerdict(file: string): { stage?: string; acl?: string } {
  const lines = readFileSync(join(LAB, "traces", file.replace(/\.txt$/, ".detrace.txt")), "utf8").split("\n");
  const stage = lines.filter((l) => l.includes("* Logical flow:")).at(-1);
  const acl = lines.filter((l) => l.includes("* ACL:")).at(-1);
  return {
    stage: stage && /\((\w+)\)/.exec(stage)?.[1],
    acl: acl?.replace(/^\s*\* ACL: /, "").replace(/ \(log\)$/, ""),
  };
}

function traceArgs(file: string, host: string): string[] {
  const rec = readRecordedTrace(readFileSync(join(LAB, "traces", file), "utf8"));
  return ["trace", LAB, rec.bridge, rec.flow, "--host", host, ...rec.ctNext.flatMap((c) => ["--ct-next", c])];
}

describe("ovspath trace --ovn: drops named as ovn-detrace named them", () => {
  it("the lab has its drop cases", () => expect(drops.length).toBeGreaterThanOrEqual(8));
  it.each(drops)("%s on %s (%s)", (file, host) => {
    const want = detraceVerdict(file);
    const r = ovspath(...traceArgs(file, host), "--ovn", "--json");
    expect(r.stderr).toBe("");
    const j = JSON.parse(r.stdout);
    expect(j.ovnDrop.stage).toBe(want.stage);
    if (want.acl) {
      const a = j.ovnDrop.acl;
      expect(`${a.direction}, priority=${a.priority}, match=(${a.match}), ${a.action}`).toBe(want.acl);
    } else expect(j.ovnDrop.acl).toBeUndefined();
    // Every step with a cookie is explained (OVN gives its fixed physical flows cookie 0).
    expect(
      j.steps.filter(
        (s: { cookie?: string; ovn: unknown[] }) => s.cookie && s.cookie !== "0x0" && s.ovn.length === 0,
      ),
    ).toEqual([]);
  });
  it("text: the logical flow and ACL under the OpenFlow step, the verdict at the end", () => {
    const r = ovspath(...traceArgs("014-hv1.txt", "hv1"), "--ovn");
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      /16\. ip,reg0=0x200\/0x200,reg14=0x2,metadata=0x2, priority 2001, cookie 0x[0-9a-f]+\n {4}drop\n {4}\* Logical flow: "ls\d", "ls\d" ingress table=8 \(ls_in_acl\), priority=2001, match=\(reg0\[9\] == 1 && \(inport == @pg_drop && ip\)\), actions=\(\/\* drop \*\/\)\n {7}\* ACL: from-lport, priority=1001, match=\(inport == @pg_drop && ip\), drop\n/,
    );
    expect(r.stdout.split("\n").find((l) => l.startsWith("OVN:"))).toBe(
      'OVN: dropped in "ls2" ingress stage ls_in_acl by ACL: from-lport, priority=1001, match=(inport == @pg_drop && ip), drop (inport "vm4")',
    );
  });
  it("near misses: the allow ACL that failed on one condition", () => {
    const r = ovspath(...traceArgs("017-hv3.txt", "hv3"), "--ovn");
    expect(r.stdout).toContain(
      "  near miss: ACL to-lport priority 1002 allow-related (outport == @pg_web && ip4 && ip4.src == $as_admin && tcp && tcp.dst == 22): tcp.dst == 22, frame has 80",
    );
  });
  it.each([
    ["0x2", "nat(dst=10.0.1.12:8080)", "using bucket 0"],
    ["0x1", "nat(dst=10.0.2.13:8080)", "using bucket 1"],
  ])("--dp-hash %s follows the load balancer's select group to %s", (hash, nat, bucket) => {
    const r = ovspath(...traceArgs("027-hv1.txt", "hv1"), "--dp-hash", hash);
    expect(r.stdout).toContain(`recirc(0x2) - resume the select group with dp_hash=${hash} (--dp-hash)`);
    expect(r.stdout).toContain(bucket);
    expect(r.stdout).toMatch(
      new RegExp(`Datapath actions: ct\\(commit,zone=\\d+,mark=0x2/0x2,${nat.replace(/[()]/g, "\\$&")}\\)`),
    );
  });
  it("--dp-hash refuses zero", () => {
    expect(ovspath(...traceArgs("027-hv1.txt", "hv1"), "--dp-hash", "0").status).toBe(2);
  });
  it("the central node's sosreport named apart: --ovn CENTRAL", () => {
    const r = ovspath(
      "trace",
      join(LAB, "hv1"),
      ...traceArgs("014-hv1.txt", "hv1").slice(2),
      "--ovn",
      join(LAB, "central"),
    );
    expect(r.stdout).toContain('OVN: dropped in "ls2" ingress stage ls_in_acl');
  });
  it("replay --ovn: a dropped frame's logical flow and ACL (the Geneve frame vm4 sent to vm3's port 80)", () => {
    const r = ovspath("replay", join(LAB, "captures/hv3-eth1-rx.pcap"), LAB, "--ovn");
    expect(r.stdout).toContain(
      "         ovn:   ACL: to-lport, priority=1001, match=(outport == @pg_drop && ip), drop",
    );
    const j = JSON.parse(
      ovspath("replay", join(LAB, "captures/hv3-eth1-rx.pcap"), LAB, "--ovn", "--json").stdout,
    );
    const dropped = j.frames.filter((f: { verdict: string }) => f.verdict === "dropped");
    expect(dropped).toHaveLength(1);
    expect(dropped[0].ovn[0].flow.stage).toBe("ls_out_acl");
    expect(dropped[0].ovn[0].nb[0]).toMatchObject({ kind: "acl", direction: "to-lport", priority: 1001 });
  });
  it("a chassis without the central node's databases: a usage error that says what to load", () => {
    const r = ovspath("trace", join(LAB, "hv1"), "br-int", "in_port=vm1", "--ovn");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--ovn: no OVN southbound database/);
  });
});
