/**
 * The per-pass megaflow cache: how a frame's packet is rebuilt where a cached pass left it, and on every
 * recorded OVN capture (the OVN lab's injected frames across three chassis, the demo's OVN pair, the big
 * chassis; and the ML2/OVS native firewall lab's compute3, frames built from its traces) replayed in
 * rounds with their replies, so that connections go from +new to +est: the same verdicts with the
 * cache as without it, and recirculating frames answered by it.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openCapture, recordData } from "../../src/capture/index.js";
import { LINKTYPE } from "../../src/decode/protocols.js";
import { loadHosts } from "../../src/dumps/host/load.js";
import { Replayer } from "../../src/explain/replay.js";
import type { FrameVerdict } from "../../src/explain/types.js";
import { newFlowKey } from "../../src/model/layout.js";
import { switchesOf } from "../../src/pipeline/index.js";
import { rebuild } from "../../src/pipeline/pass-cache.js";
import { LAB } from "../support/lab.js";
import { loadOvnLab, type OvnLab, ovnDemoLab, ovnLab } from "../support/ovn-lab.js";
import { NEEDS, REPO_ROOT, skipWithoutShared } from "../support/shared.js";

describe("rebuild: the frame's packet where a cached pass left it", () => {
  const key = (words: number[]) => {
    const k = newFlowKey();
    k.set(words);
    return k;
  };
  it.each([
    ["nothing changed: the frame as it is", [1, 2, 3], [9, 2, 3], [9, 2, 3], [1, 2, 3]],
    ["a written word: the pass's value", [1, 2, 3], [1, 2, 3], [1, 7, 3], [1, 7, 3]],
    ["a word the pass did not touch keeps the frame's", [5, 2, 8], [1, 2, 3], [1, 7, 3], [5, 7, 8]],
    ["changed bits only: the others are the frame's", [0xf1, 0, 0], [0x0f, 0, 0], [0x0e, 0, 0], [0xf0, 0, 0]],
  ])("%s", (_, frame, input, target, want) => {
    expect(Array.from(rebuild(key(frame), key(input), key(target)).slice(0, 3))).toEqual(want);
  });
});

interface Frame {
  data: Uint8Array;
  ifName: string;
}

function readFrames(path: string, ifName: string): Array<Frame & { ts: number }> {
  const r = openCapture(path);
  if (!r.ok) throw new Error(r.error.message);
  const out: Array<Frame & { ts: number }> = [];
  for (let rec = r.value.next(); rec; rec = r.value.next())
    out.push({ data: recordData(rec).slice(), ifName, ts: rec.tsSec + rec.tsNsec / 1e9 });
  r.value.close();
  return out;
}

/**
 * The answer a peer would send to an IPv4 frame: MACs, addresses and ports swapped, a TCP SYN answered
 * by SYN-ACK and anything else by ACK, an ICMP echo request by its reply. Undefined for other frames.
 */
function reply(frame: Uint8Array): Uint8Array | undefined {
  if (frame.length < 34 || frame[12] !== 0x08 || frame[13] !== 0x00) return undefined;
  const r = frame.slice();
  const ihl = (r[14] & 0x0f) * 4;
  const swap = (a: number, b: number, n: number) => {
    const t = r.slice(a, a + n);
    r.copyWithin(a, b, b + n);
    r.set(t, b);
  };
  swap(0, 6, 6);
  swap(26, 30, 4);
  const l4 = 14 + ihl;
  const proto = r[23];
  if (proto === 6 || proto === 17) swap(l4, l4 + 2, 2);
  if (proto === 6) r[l4 + 13] = r[l4 + 13] & 0x02 ? 0x12 : 0x10;
  else if (proto === 1 && r[l4] === 8) r[l4] = 0;
  else if (proto !== 17) return undefined;
  return r;
}

/**
 * What a verdict says, and of its traces what every frame of a megaflow shares: each pass's ct_state
 * and datapath actions (a cached verdict shows the trace of the frame its passes were cached from; its
 * Flow: lines are that frame's).
 */
const said = (v: FrameVerdict) =>
  JSON.stringify({
    passes: v.traces.map((t) => t.passes.map((p) => `${p.recirc?.ctState ?? 0} ${p.datapathActions}`)),
    verdict: v.verdict,
    summary: v.summary,
    partial: v.partial,
    drop: v.drop && { reason: v.drop.reason, host: v.drop.host, bridge: v.drop.bridge, table: v.drop.table },
    hops: v.hops.map((h) => `${h.kind} ${h.host} ${h.bridge ?? ""} ${h.port} ${h.segment ?? ""}`),
  });

/**
 * The frames in rounds: each frame, then (when it was delivered to a VM port of a loaded host) its
 * reply entering there; the later rounds find the connections the earlier ones committed.
 */
function replayRounds(lab: Pick<OvnLab, "hosts">, frames: Frame[], cache: boolean, lean = false, rounds = 3) {
  const replayer = new Replayer(switchesOf(lab.hosts), { cache, lean });
  const out: string[] = [];
  let n = 0;
  let recirculatedHits = 0;
  const meta = { linkType: LINKTYPE.ethernet, ifName: "" };
  const run = (f: Frame) => {
    meta.ifName = f.ifName;
    const v = replayer.replayFrame(++n, f.data, meta);
    out.push(`${n} ${f.ifName} ${said(v)}`);
    if (v.cached && v.traces.some((t) => t.passes.length > 1)) recirculatedHits++;
    return v;
  };
  for (let round = 0; round < rounds; round++)
    for (const f of frames) {
      const v = run(f);
      const back = reply(f.data);
      const to = v.verdict === "delivered" ? v.hops.at(-1)?.port : undefined;
      if (back && to && to !== f.ifName) run({ data: back, ifName: to });
    }
  return { out, stats: replayer.stats, recirculatedHits };
}

const SYN = 0x02;

/**
 * An Ethernet + IPv4 frame from `a` to `b` (ICMP echo request, TCP with `flags`, or UDP), with correct
 * lengths (checksums are not read by the replay).
 */
function ipv4Frame(
  a: { mac: number; ip: string },
  b: { mac: number; ip: string },
  l4: { proto: 1 | 6 | 17; sport?: number; dport?: number; flags?: number },
): Uint8Array {
  const l4len = l4.proto === 6 ? 20 : 8;
  const f = new Uint8Array(14 + 20 + l4len);
  const v = new DataView(f.buffer);
  const mac = (at: number, m: number) => f.set([0xfa, 0x16, 0x3e, 0xf1, 0x00, m], at);
  mac(0, b.mac);
  mac(6, a.mac);
  v.setUint16(12, 0x0800);
  f.set([0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, l4.proto], 14);
  v.setUint16(16, 20 + l4len);
  f.set(a.ip.split(".").map(Number), 26);
  f.set(b.ip.split(".").map(Number), 30);
  if (l4.proto === 1) f[34] = 8;
  else {
    v.setUint16(34, l4.sport ?? 0);
    v.setUint16(36, l4.dport ?? 0);
  }
  if (l4.proto === 6) {
    f[46] = 0x50;
    f[47] = l4.flags ?? SYN;
  } else if (l4.proto === 17) v.setUint16(38, 8);
  return f;
}

const OVSFW = join(LAB, "neutron-lab-ovsfw");

/** compute3's VMs in the ML2/OVS native-firewall lab (their ports, MACs and addresses as its traces use them). */
const VM5 = { mac: 5, ip: "192.168.10.15" };
const VM6 = { mac: 6, ip: "192.168.10.16" };
const VM7 = { mac: 7, ip: "192.168.30.17" };

const CASES: Array<[string, () => Promise<{ lab: Pick<OvnLab, "hosts">; frames: Frame[] }>]> = [
  [
    "the OVN lab's injected frames (three chassis, Geneve between them)",
    async () => {
      const lab = await ovnLab();
      const dir = join(REPO_ROOT, "fixtures/ovn-lab/captures");
      const frames = readdirSync(dir)
        .filter((f) => /^hv\d-vm\d-rx\.pcap$/.test(f))
        .flatMap((f) => readFrames(join(dir, f), f.split("-")[1]))
        .sort((a, b) => a.ts - b.ts);
      return { lab, frames };
    },
  ],
  [
    "the demo's OVN pair",
    async () => ({
      lab: await ovnDemoLab(),
      frames: readFrames(join(REPO_ROOT, "fixtures/demo/ovn/hv1-vm1-rx.pcap"), "vm1"),
    }),
  ],
  [
    "the big chassis (63,737 flows on hv1's br-int)",
    async () => {
      const dir = join(REPO_ROOT, "fixtures/ovn-big");
      return {
        lab: await loadOvnLab(join(dir, "hosts.tar.xz"), join(dir, "traces")),
        frames: readFrames(join(dir, "hv1-vm1a-rx.pcap"), "vm1a"),
      };
    },
  ],
];

if (!skipWithoutShared(NEEDS.labs))
  CASES.push([
    "the ML2/OVS native firewall (ct flows in br-int: neutron-lab-ovsfw's compute3)",
    async () => {
      const hosts = await loadHosts(join(OVSFW, "compute3"));
      // Entered by source MAC (a Neutron port's): the frames of the lab's traces, and new connections.
      const frames = [
        ipv4Frame(VM5, VM6, { proto: 1 }),
        ipv4Frame(VM5, VM6, { proto: 6, sport: 40000, dport: 22 }),
        ipv4Frame(VM5, VM6, { proto: 6, sport: 40001, dport: 80 }),
        ipv4Frame(VM7, VM5, { proto: 6, sport: 40000, dport: 22 }),
        ipv4Frame(VM5, VM6, { proto: 17, sport: 5353, dport: 53 }),
      ].map((data) => ({ data, ifName: "" }));
      return { lab: { hosts }, frames };
    },
  ]);

describe.each(CASES)("the per-pass cache changes nothing but the cost: %s", (_, load) => {
  let cached: ReturnType<typeof replayRounds>;
  let uncached: ReturnType<typeof replayRounds>;
  /** As the replay verb runs: lean translations (no trace text) with the cache. */
  let cachedLean: ReturnType<typeof replayRounds>;
  beforeAll(async () => {
    const { lab, frames } = await load();
    cached = replayRounds(lab, frames, true);
    uncached = replayRounds(lab, frames, false);
    cachedLean = replayRounds(lab, frames, true, true);
  }, 60_000);

  it("the same verdicts, frame by frame, with and without the cache", () => {
    expect(cached.out).toEqual(uncached.out);
    expect(uncached.stats.cacheHits).toBe(0);
  });

  it("the same with lean translations, as the replay verb runs them; the cache still answers", () => {
    // A lean pass composes no datapath actions text (nothing of the replay verb prints it): the rest agrees.
    const withoutActions = (out: string[]) => out.map((l) => l.replace(/"(\d+) [^"]*"/g, '"$1"'));
    expect(withoutActions(cachedLean.out)).toEqual(withoutActions(uncached.out));
    expect(cachedLean.stats).toEqual(cached.stats);
    expect(cachedLean.recirculatedHits).toBe(cached.recirculatedHits);
  });

  it("frames whose path recirculates through conntrack are answered by the cache", () => {
    expect(cached.recirculatedHits).toBeGreaterThan(0);
    expect(cached.stats.cacheHits).toBeGreaterThanOrEqual(cached.recirculatedHits);
    expect(cached.stats.translated + cached.stats.cacheHits).toBe(cached.stats.frames);
  });
});
