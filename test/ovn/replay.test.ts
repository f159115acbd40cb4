/**
 * Replay across chassis against what OVS did: every frame the lab injected into a VM port (OVS's rx
 * pcaps), replayed over the dumps of all three chassis, is delivered to the VM ports whose tx pcaps
 * (written by OVS) show it — across Geneve, through the router, flooded — and to no other.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openCapture, recordData } from "../../src/capture/index.js";
import { writePcapng } from "../../src/capture/writer.js";
import { REPO_ROOT } from "../support/shared.js";

const LAB = join(REPO_ROOT, "fixtures/ovn-lab");
const CAPTURES = join(LAB, "captures");
const VMS = ["hv1:vm1", "hv1:vm4", "hv1:vm5", "hv2:vm2", "hv3:vm3"];

/** What identifies a frame across hops (routing rewrites MACs and TTL, the load balancer the destination). */
function frameKeys(pcap: string): string[] {
  const r = spawnSync(
    "tshark",
    [
      "-r",
      pcap,
      "-T",
      "fields",
      "-E",
      "separator=|",
      "-e",
      "ip.src",
      "-e",
      "ip.dst",
      "-e",
      "ip.proto",
      "-e",
      "tcp.srcport",
      "-e",
      "udp.srcport",
      "-e",
      "icmp.type",
      "-e",
      "arp.opcode",
      "-e",
      "arp.src.proto_ipv4",
      "-e",
      "arp.dst.proto_ipv4",
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      // A Geneve frame has two of each: the inner one is last.
      const [src, dst, proto, tsport, usport, icmp, op, spa, tpa] = l
        .split("|")
        .map((f) => f.split(",").at(-1) ?? "");
      if (op) return `arp ${op} ${spa} ${tpa}`;
      if (icmp) return `icmp ${src} ${dst} ${icmp}`;
      return `ip ${proto} ${src}:${proto === "6" ? tsport : usport}`;
    });
}

/** An ARP request's answer: what the requester's tx shows when the request was answered. */
const answer = (key: string) => key.replace(/^arp 1 (\S+) (\S+)$/, "arp 2 $2 $1");

/**
 * All injected frames in the order OVS received them, in one pcapng whose interfaces are named after
 * the VM ports (replay resolves the ingress by interface name): conntrack sees requests before replies.
 */
function mergedCapture(): { path: string; keys: string[] } {
  const frames: Array<{ iface: number; ts: bigint; data: Uint8Array; key: string }> = [];
  VMS.forEach((vm, iface) => {
    const path = join(CAPTURES, `${vm.replace(":", "-")}-rx.pcap`);
    const keys = frameKeys(path);
    const r = openCapture(path);
    if (!r.ok) throw new Error(r.error.message);
    for (let rec = r.value.next(), i = 0; rec; rec = r.value.next(), i++)
      frames.push({
        iface,
        ts: BigInt(rec.tsSec) * 1_000_000n + BigInt(Math.floor(rec.tsNsec / 1000)),
        data: recordData(rec).slice(),
        key: keys[i],
      });
    r.value.close();
  });
  frames.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  const bytes = writePcapng([
    {
      blocks: [
        ...VMS.map((vm) => ({ kind: "idb" as const, iface: { linktype: 1, name: vm.split(":")[1] } })),
        ...frames.map((f) => ({ kind: "epb" as const, interfaceId: f.iface, ts: f.ts, data: f.data })),
      ],
    },
  ]);
  const dir = mkdtempSync(join(tmpdir(), "ovspath-ovn-replay-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "injected.pcapng");
  writeFileSync(path, bytes);
  return { path, keys: frames.map((f) => f.key) };
}

function replay(capture: string): Array<{ frame: number; result: string }> {
  const r = spawnSync(
    process.execPath,
    [join(REPO_ROOT, "bin/ovspath.js"), "replay", capture, LAB, "--json"],
    {
      encoding: "utf8",
    },
  );
  return JSON.parse(r.stdout).frames;
}

const delivered = (result: string) =>
  new Set(
    [...result.matchAll(/delivered ([^;]+)/g)]
      .flatMap((m) => m[1].split(", ").map((s) => s.trim()))
      .filter((d) => VMS.includes(d)),
  );

/** lb_web's first SYN: which backend a dp_hash bucket picks follows the datapath's own packet hash. */
const LB_BACKENDS = new Set(["hv2:vm2", "hv3:vm3"]);

describe("replay of the OVN lab's injected frames across chassis", () => {
  const tx = new Map(
    VMS.map((vm) => [vm, new Set(frameKeys(join(CAPTURES, `${vm.replace(":", "-")}-tx.pcap`)))]),
  );
  const { path, keys } = mergedCapture();
  const frames = replay(path);
  it("every injected frame replayed", () => {
    expect(keys).toHaveLength(14);
    expect(frames).toHaveLength(keys.length);
  });
  it.each(keys.map((k, i) => [i + 1, k]))(
    "frame %i (%s): delivered where OVS's tx pcaps show it",
    (n, key) => {
      const f = frames[n - 1];
      const want = new Set(VMS.filter((v) => tx.get(v)?.has(key) || tx.get(v)?.has(answer(key))));
      const got = delivered(f.result);
      if (key.includes(":40001") && [...want].every((w) => LB_BACKENDS.has(w)))
        expect(got.size === 1 && [...got].every((g) => LB_BACKENDS.has(g)), `${key}: ${f.result}`).toBe(true);
      else expect({ key, got: [...got].sort() }).toEqual({ key, got: [...want].sort() });
    },
  );
});

describe("replay of the Geneve frames OVS received on the underlay NICs of hv2 and hv3", () => {
  // hv1's holds only replies (to requests sent before): alone, conntrack rightly finds them invalid.
  const tx = new Map(
    VMS.map((vm) => [vm, new Set(frameKeys(join(CAPTURES, `${vm.replace(":", "-")}-tx.pcap`)))]),
  );
  /** The chassis a Geneve frame is for: the one whose encap IP (192.168.0.1N) is its outer destination. */
  const chassisOf = (pcap: string) =>
    spawnSync("tshark", ["-r", pcap, "-T", "fields", "-e", "ip.dst"], { encoding: "utf8" })
      .stdout.split("\n")
      .filter(Boolean)
      .map((l) => `hv${l.split(",")[0].split(".")[3].slice(-1)}`);
  it.each(["hv2", "hv3"])(
    "%s-eth1-rx.pcap: each inner frame delivered on its chassis where OVS's tx pcaps show it",
    (hv) => {
      const capture = join(CAPTURES, `${hv}-eth1-rx.pcap`);
      const keys = frameKeys(capture);
      const chassis = chassisOf(capture);
      const frames = replay(capture);
      expect(frames).toHaveLength(keys.length);
      for (const [i, f] of frames.entries()) {
        const want = VMS.filter((v) => v.startsWith(`${chassis[i]}:`) && tx.get(v)?.has(keys[i]));
        expect({ key: keys[i], got: [...delivered(f.result)].sort() }).toEqual({
          key: keys[i],
          got: want.sort(),
        });
      }
    },
  );
});
