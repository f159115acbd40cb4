/**
 * `replay CAPTURE[@HOST:PORT]... HOST...`: captures told from hosts by content, several merged by
 * timestamp so that conntrack sees both directions in order. vm1 (demo host, SSH-only group) opens a
 * connection to vm2 (captured at vm1's tap); vm2's SYN/ACK is captured on vm1's qvb, heading to vm1
 * through vm1's ingress rules: ESTABLISHED (accepted) after the SYN, INVALID (dropped) alone.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writePcap } from "../../src/capture/index.js";
import { isCaptureFile, MergedCaptures, splitReplayArgs } from "../../src/cli/commands/replay-inputs.js";
import { REPO_ROOT } from "../support/shared.js";

const HOSTS = "fixtures/demo/hosts";

function ovspath(...args: string[]) {
  const res = spawnSync(process.execPath, [join(REPO_ROOT, "bin", "ovspath.js"), ...args], {
    encoding: "utf8",
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** An Ethernet/IPv4/TCP frame (checksums left 0: the firewall does not check them). */
function tcp(
  smac: string,
  dmac: string,
  src: string,
  dst: string,
  sport: number,
  dport: number,
  flags: number,
) {
  const mac = (m: string) => m.split(":").map((x) => Number.parseInt(x, 16));
  const ip = (a: string) => a.split(".").map(Number);
  const be16 = (n: number) => [n >> 8, n & 255];
  return Uint8Array.from([
    ...mac(dmac),
    ...mac(smac),
    0x08,
    0x00,
    0x45,
    0,
    ...be16(40),
    0,
    1,
    0,
    0,
    64,
    6,
    0,
    0,
    ...ip(src),
    ...ip(dst),
    ...be16(sport),
    ...be16(dport),
    0,
    0,
    0,
    1,
    0,
    0,
    0,
    0,
    0x50,
    flags,
    0xff,
    0xff,
    0,
    0,
    0,
    0,
  ]);
}

const VM1 = ["fa:16:3e:11:a1:01", "192.168.100.11"] as const;
const VM2 = ["fa:16:3e:11:a1:02", "192.168.100.12"] as const;
const dir = mkdtempSync(join(tmpdir(), "ovspath-merge-"));
const syn = join(dir, "vm1-tap.pcap");
const synack = join(dir, "vm1-qvb.pcap");
writeFileSync(
  syn,
  writePcap([{ data: tcp(VM1[0], VM2[0], VM1[1], VM2[1], 41000, 22, 0x02), tsSec: 100, tsFrac: 0 }]),
);
writeFileSync(
  synack,
  writePcap([{ data: tcp(VM2[0], VM1[0], VM2[1], VM1[1], 22, 41000, 0x12), tsSec: 100, tsFrac: 500000 }]),
);

describe("arguments", () => {
  it("tells captures from hosts by content, and reads @HOST:PORT pins", () => {
    expect(isCaptureFile(syn)).toBe(true);
    expect(isCaptureFile(HOSTS)).toBe(false);
    expect(splitReplayArgs([`${synack}@compute1:qvb8c2d4e6f-1a`, syn, HOSTS])).toEqual({
      captures: [{ path: synack, at: "compute1:qvb8c2d4e6f-1a" }, { path: syn }],
      hosts: [HOSTS],
    });
  });

  it("merges by timestamp whatever the argument order, and the pin names the entry port", () => {
    const m = new MergedCaptures(
      [{ path: synack, at: "compute1:qvb8c2d4e6f-1a" }, { path: syn }],
      (pin) => pin.split(":")[1],
    );
    const order: Array<[number, string, string | undefined]> = [];
    for (let r = m.next(); r; m.advance(r), r = m.next()) order.push([r.frame, r.capture, r.ifName]);
    m.close();
    expect(order).toEqual([
      [1, "vm1-tap.pcap", undefined],
      [2, "vm1-qvb.pcap", "qvb8c2d4e6f-1a"],
    ]);
  });
});

describe("ovspath replay with two captures", () => {
  it("the SYN/ACK after vm1's SYN is ESTABLISHED: delivered to vm1 through its ingress rules", () => {
    const r = ovspath(
      "replay",
      `${syn}@compute1:tap8c2d4e6f-1a`,
      `${synack}@compute1:qvb8c2d4e6f-1a`,
      HOSTS,
      "--json",
    );
    expect(r.stderr).toBe("");
    const frames = JSON.parse(r.stdout).frames;
    expect(frames.map((f: { capture: string; verdict: string }) => [f.capture, f.verdict])).toEqual([
      ["vm1-tap.pcap", "delivered"],
      ["vm1-qvb.pcap", "delivered"],
    ]);
    expect(frames[1].hops.find((h: { kind: string }) => h.kind === "firewall")).toMatchObject({
      kind: "firewall",
      bridge: "qbr8c2d4e6f-1a",
      verdict: "ACCEPT",
    });
  });

  it("the same SYN/ACK alone is INVALID: dropped by vm1's INVALID rule, exit 1", () => {
    const r = ovspath("replay", `${synack}@compute1:qvb8c2d4e6f-1a`, HOSTS, "--json");
    expect(r.status).toBe(1);
    const f = JSON.parse(r.stdout).frames[0];
    expect(f.verdict).toBe("dropped");
    expect(f.drop).toMatchObject({ reason: "security-group", chain: "neutron-openvswi-i8c2d4e6f-1" });
    expect(f.drop.rule).toMatch(/--state INVALID .* -j DROP$/);
    expect(typeof f.drop.line).toBe("number");
  });

  it("--at and pins together are a usage error", () => {
    const r = ovspath("replay", `${syn}@compute1:tap8c2d4e6f-1a`, HOSTS, "--at", "compute1:tap8c2d4e6f-1a");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/do not go together/);
  });
});

describe("the security-group drops as a display filter", () => {
  it("--filter 'reason == \"security-group\"' keeps the HTTP frames vm1's group dropped", () => {
    const r = ovspath(
      "replay",
      "fixtures/demo/compute1-tap9d3e5f70-2b-rx.pcap@compute1:tap9d3e5f70-2b",
      HOSTS,
      "--filter",
      'reason == "security-group"',
      "--json",
    );
    const frames = JSON.parse(r.stdout).frames;
    expect(frames.map((f: { frame: number; drop: { reason: string } }) => [f.frame, f.drop.reason])).toEqual([
      [2, "security-group"],
      [4, "security-group"],
    ]);
  });
});
