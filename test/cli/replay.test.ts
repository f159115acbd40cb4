import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openCapture, recordData } from "../../src/capture/index.js";
import { LAB } from "../support/lab.js";
import { REPO_ROOT } from "../support/shared.js";

function ovspath(...args: string[]) {
  const res = spawnSync(process.execPath, [join(REPO_ROOT, "bin", "ovspath.js"), ...args], {
    encoding: "utf8",
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

function framesOf(file: string): Array<{ hex: string; ts: string }> {
  const r = openCapture(file);
  if (!r.ok) throw new Error(r.error.message);
  const out: Array<{ hex: string; ts: string }> = [];
  for (let rec = r.value.next(); rec; rec = r.value.next())
    out.push({
      hex: Buffer.from(recordData(rec)).toString("hex"),
      ts: `${rec.tsSec}.${Math.floor(rec.tsNsec / 1000)}`,
    });
  r.value.close();
  return out;
}

const UNDERLAY = join(REPO_ROOT, "fixtures", "replay", "broken-vni100-underlay.pcap");
const BROKEN = join(LAB, "neutron-lab-broken");
const DEMO = join(REPO_ROOT, "fixtures", "demo");

describe("ovspath replay", () => {
  it("exits 2 on usage errors, naming what is wrong", () => {
    expect(ovspath("replay", UNDERLAY, join(DEMO, "hosts"), "--at", "nohost:qvo1").stderr).toMatch(
      /--at nohost:qvo1: no loaded host is called "nohost"/,
    );
    const r = ovspath("replay", UNDERLAY, join(DEMO, "hosts"), "--frames", "5-2");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/the range ends before it starts/);
    expect(ovspath("replay", UNDERLAY, join(DEMO, "hosts"), "--before", "x").status).toBe(2);
  });

  it("explains the demo VM's traffic: deliveries, the anti-spoofing drops, exit 1 for the drops", () => {
    const r = ovspath("replay", join(DEMO, "compute1-qvo8c2d4e6f-1a-rx.pcap"), join(DEMO, "hosts"));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/DROPPED dropped compute1 br-int table 25 \(anti-spoofing\)/);
    expect(r.stdout).toMatch(/near miss: br-int table 25: priority \d+ .* dl_src=fa:16:3e:11:a1:01 expected/);
    expect(r.stdout).toMatch(/== conversations/);
    expect(r.stdout).toMatch(/== drops \(\d+ frames\)/);
  });

  it.runIf(existsSync(BROKEN))("--json: every frame's verdict and the drop summary, as data", () => {
    const r = ovspath("replay", UNDERLAY, join(BROKEN, "compute2"), "--json");
    expect(r.status).toBe(1);
    const j = JSON.parse(r.stdout) as {
      frames: Array<{ verdict: string; drop: { table: number; reason: string; flow: { cookie: string } } }>;
      drops: Array<{ reason: string; frames: number[] }>;
      stats: { frames: number; cacheHits: number };
    };
    expect(j.frames.map((f) => f.verdict)).toEqual(Array(6).fill("dropped"));
    expect(j.frames[0].drop).toMatchObject({
      table: 4,
      reason: "unknown-tunnel-id",
      flow: { cookie: "0x4e8b7a1c2d3f5061" },
    });
    expect(j.drops).toEqual([
      expect.objectContaining({ reason: "unknown-tunnel-id", frames: [1, 2, 3, 4, 5, 6] }),
    ]);
  });

  it.runIf(existsSync(BROKEN))(
    "the VM's own capture: a flood delivered on compute1 and network but dropped on compute2 is in the drop summary",
    () => {
      const vm = join(BROKEN, "compute1", "captures", "qvo1a2b3c4d-5e-tx.pcap");
      const hosts = ["compute1", "compute2", "network"].map((h) => join(BROKEN, h));
      const text = ovspath("replay", vm, ...hosts);
      // A dropped branch fails the run, whatever else was delivered.
      expect(text.status).toBe(1);
      expect(text.stdout).toMatch(
        /^ {5}3 .* DELIVERED \(PARTLY DROPPED\) .*dropped compute2 br-tun table 4/m,
      );
      expect(text.stdout).toMatch(/why \(compute2, other branches got through\): no flow in br-tun table 4/);
      expect(text.stdout).toMatch(
        /== drops \(2 frames\)\n +2 {2}compute2 br-tun table 4 {2}unknown-tunnel-id: .*\(frames 3,4\)/,
      );
      expect(text.stdout).toMatch(
        /tcp 192\.168\.10\.7:40000 ⇄ 8\.8\.8\.8:443: 1 frames \(1 delivered, 1 partly dropped\)/,
      );
      const json = JSON.parse(ovspath("replay", vm, ...hosts, "--json").stdout);
      const f3 = json.frames.find((f: { frame: number }) => f.frame === 3);
      expect(f3).toMatchObject({ verdict: "delivered", partial: true });
      expect(f3.branches).toContainEqual({
        kind: "dropped",
        host: "compute2",
        text: "dropped compute2 br-tun table 4 (unknown-tunnel-id)",
      });
      expect(f3.drops).toEqual([expect.objectContaining({ host: "compute2", bridge: "br-tun", table: 4 })]);
      expect(json.partlyDropped).toBe(2);
      expect(json.drops).toEqual([expect.objectContaining({ host: "compute2", table: 4, frames: [3, 4] })]);
      const drop = JSON.parse(ovspath("replay", vm, ...hosts, "--json", "--filter", "drop").stdout);
      expect(drop.frames.map((f: { frame: number }) => f.frame)).toEqual([3, 4]);
      const onCompute2 = ovspath("replay", vm, ...hosts, "--json", "--filter", 'drop.host == "compute2"');
      expect(JSON.parse(onCompute2.stdout).frames).toHaveLength(2);
    },
  );

  it("an output the security group drops (ingress of the VM's tap) is a dropped branch, explained and counted", () => {
    const capture = `${join(DEMO, "compute1-tap9d3e5f70-2b-rx.pcap")}@compute1:tap9d3e5f70-2b`;
    const r = ovspath("replay", capture, join(DEMO, "hosts"), "--json");
    type Frame = { frame: number; branches: Array<{ kind: string }>; drops: Array<{ reason: string }> };
    const rows = JSON.parse(r.stdout).frames.map((f: Frame) => [
      f.frame,
      f.branches.map((b) => b.kind).join(","),
      f.drops.map((d) => d.reason).join(","),
    ]);
    expect(rows).toEqual([
      [1, "delivered", ""],
      [2, "dropped", "security-group"],
      [3, "delivered", ""],
      [4, "dropped", "security-group"],
    ]);
    expect(r.status).toBe(1);
  });

  it.runIf(existsSync(BROKEN))(
    "--flows: per flow the replayed frames that hit it, beside the dump's n_packets",
    () => {
      const vm = join(BROKEN, "compute1", "captures", "qvo1a2b3c4d-5e-tx.pcap");
      const hosts = ["compute1", "compute2", "network"].map((h) => join(BROKEN, h));
      const text = ovspath("replay", vm, ...hosts, "--flows").stdout;
      // compute2's table-4 default drop took frames 3 and 4 while its dump counted none.
      expect(text).toMatch(
        /\ncompute2 br-tun table 4\n +frames +first +n_packets +flow\n +2 +3 +0 {2}priority=0 actions=drop\n/,
      );
      expect(text).toMatch(
        /== flows hit by the replayed frames: \d+ of \d+ \(\d+ not hit, \d+ counted by the dump but hit by no replayed frame\)/,
      );
      expect(text).toMatch(/== flows the dump counted \(n_packets > 0\) that no replayed frame hit/);
      const json = JSON.parse(ovspath("replay", vm, ...hosts, "--flows", "--json").stdout);
      const drop4 = json.flows.find(
        (f: { host: string; bridge: string; table: number }) =>
          f.host === "compute2" && f.bridge === "br-tun" && f.table === 4,
      );
      expect(drop4).toMatchObject({ priority: 0, frames: 2, firstFrame: 3, nPackets: 0 });
      // Every flow is listed, hit or not; a flow no frame hit has no first frame.
      const unhit = json.flows.filter((f: { frames: number }) => f.frames === 0);
      expect(unhit.length).toBeGreaterThan(0);
      expect(unhit.every((f: { firstFrame?: number }) => f.firstFrame === undefined)).toBe(true);
      expect(JSON.parse(ovspath("replay", vm, ...hosts, "--json").stdout).flows).toBeUndefined();
    },
  );

  it.runIf(existsSync(BROKEN))("-v prints the path as a tree: one indented branch per fork, by host", () => {
    const vm = join(BROKEN, "compute1", "captures", "qvo1a2b3c4d-5e-tx.pcap");
    const hosts = ["compute1", "compute2", "network"].map((h) => join(BROKEN, h));
    const r = ovspath("replay", vm, ...hosts, "-v", "--frames", "3");
    const lines = r.stdout.split("\n");
    const at = lines.findIndex((l) => l.includes("path: compute1: "));
    expect(at).toBeGreaterThan(0);
    const tree = lines.slice(at + 1, at + 9).map((l) => l.trim());
    expect(tree).toContain("├─ compute1: ⇒ br-tun:vxlan-0a00000c[vxlan 100 to 10.0.0.12]");
    expect(tree).toContain(
      "│  compute2: ⇐ br-tun:vxlan-0a00000b[vxlan 100 from 10.0.0.11] → ✗ br-tun:table 4",
    );
    expect(tree).toContain("└─ compute1: ⇒ br-tun:vxlan-0a000015[vxlan 100 to 10.0.0.21]");
    // The network host's own flood forks again under its branch, indented one level deeper.
    expect(
      lines.slice(at + 1, at + 9).some((l) => /^ {15} {3}├─ network: br-int:tap5e6f7081-92$/.test(l)),
    ).toBe(true);
  });

  it.runIf(existsSync(BROKEN))(
    "--write-inner writes the inner frames, byte for byte, with their timestamps",
    () => {
      const out = join(mkdtempSync(join(tmpdir(), "ovspath-replay-")), "inner.pcap");
      ovspath("replay", UNDERLAY, join(BROKEN, "compute2"), "--write-inner", out);
      // The fixture wraps exactly the frames OVS captured on vm1's port: decapsulation gives them back.
      const original = framesOf(join(BROKEN, "compute1", "captures", "qvo1a2b3c4d-5e-rx.pcap"));
      expect(framesOf(out)).toEqual(original);
    },
  );
});

describe("ovspath replay --filter", () => {
  const VM = join(DEMO, "compute1-qvo8c2d4e6f-1a-rx.pcap");
  const HOSTS = join(DEMO, "hosts");
  type Json = {
    frames: Array<{
      frame: number;
      verdict: string;
      result: string;
      drop?: { reason: string; table: number };
    }>;
    verdicts: Record<string, number>;
    conversations: Array<{ name: string; frames: number }>;
    drops: Array<{ reason: string; frames: number[] }>;
    stats: { frames: number; reported: number; filter: string };
  };
  const run = (...args: string[]) => {
    const r = ovspath("replay", VM, HOSTS, "--at", "compute1:qvo8c2d4e6f-1a", "--json", ...args);
    return { status: r.status, json: JSON.parse(r.stdout) as Json };
  };

  it("still replays every frame (state evolves as it did), but reports only the matching ones", () => {
    const all = run();
    expect(all.status).toBe(1);
    const drop = run("--filter", "drop");
    expect(drop.status).toBe(1);
    expect(drop.json.stats.frames).toBe(all.json.stats.frames);
    expect(drop.json.stats.reported).toBe(drop.json.frames.length);
    const dropped = all.json.frames.filter((f) => f.verdict === "dropped");
    expect(dropped.length).toBeGreaterThan(0);
    // The same verdicts, frame for frame, as in the unfiltered run.
    expect(drop.json.frames.map((f) => [f.frame, f.result])).toEqual(dropped.map((f) => [f.frame, f.result]));
    expect(drop.json.drops).toEqual(all.json.drops);
    expect(drop.json.verdicts).toEqual({ dropped: dropped.length });
    // Late frames alone get the verdicts the whole capture's state gives them.
    const late = run("--filter", "frame.number >= 11");
    expect(late.json.frames.map((f) => [f.frame, f.result])).toEqual(
      all.json.frames.filter((f) => f.frame >= 11).map((f) => [f.frame, f.result]),
    );
  });

  it("verdict fields and frame fields together; exit 0 when no reported frame was dropped", () => {
    const spoof = run("--filter", 'reason == "anti-spoofing" && table == 24 && arp');
    expect(spoof.json.frames.map((f) => f.drop?.reason)).toEqual(["anti-spoofing"]);
    expect(spoof.json.drops).toEqual([expect.objectContaining({ reason: "anti-spoofing", frames: [9] })]);
    const ok = run("--filter", "!drop && (tcp || icmp)");
    expect(ok.status).toBe(0);
    expect(ok.json.frames.every((f) => f.verdict !== "dropped")).toBe(true);
    expect(ok.json.drops).toEqual([]);
    expect(ok.json.conversations.map((c) => c.name)).toEqual([
      "icmp 192.168.100.11 ⇄ 192.168.100.21",
      "tcp 192.168.100.11:40080 ⇄ 192.168.100.21:80",
      "icmp 192.168.100.11 ⇄ 8.8.8.8",
    ]);
  });

  it("text output says how many frames matched; a bad expression exits 2 with a caret", () => {
    const r = ovspath("replay", VM, HOSTS, "--at", "compute1:qvo8c2d4e6f-1a", "--filter", "tunneled");
    expect(r.status).toBe(0);
    // A flood tunneled on some of its branches is tunneled too (frames 1, 2 and 13).
    expect(r.stdout).toMatch(/14 frames replayed .*\n8 frames matched --filter tunneled\n$/);
    expect(r.stdout).not.toMatch(/DROPPED/);
    const bad = ovspath("replay", VM, HOSTS, "--filter", "reason == ");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(
      /^ovspath: error: --filter: column 11: expected a value after "==", got the end of the expression\n {4}reason == \n {14}\^/,
    );
  });

  it.runIf(existsSync(BROKEN))("--write-inner writes only the reported frames", () => {
    const out = join(mkdtempSync(join(tmpdir(), "ovspath-replay-")), "inner.pcap");
    ovspath(
      "replay",
      UNDERLAY,
      join(BROKEN, "compute2"),
      "--write-inner",
      out,
      "--filter",
      "frame.number <= 2",
    );
    const original = framesOf(join(BROKEN, "compute1", "captures", "qvo1a2b3c4d-5e-rx.pcap"));
    expect(framesOf(out)).toEqual(original.slice(0, 2));
  });
});
