import { describe, expect, it } from "vitest";
import { isPartial } from "../../src/explain/branches.js";
import { ReplayAggregate } from "../../src/explain/conversations.js";
import type { FrameVerdict, VerdictBranch } from "../../src/explain/types.js";
import { K, newFlowKey } from "../../src/model/layout.js";

/** A TCP flow key from a.b.c.d:port to e.f.g.h:port. */
function tcp(src: string, sport: number, dst: string, dport: number) {
  const key = newFlowKey();
  const v4 = (s: string) => s.split(".").reduce((n, o) => n * 256 + Number(o), 0) | 0;
  key[K.dlType] = 0x0800;
  key[K.nwProto] = 6;
  key[K.nwSrc] = v4(src);
  key[K.nwDst] = v4(dst);
  key[K.tpSrc] = sport;
  key[K.tpDst] = dport;
  return key;
}

function verdict(frame: number, summary: string, branches: VerdictBranch[]): FrameVerdict {
  const kind = branches.some((b) => b.kind === "delivered") ? "delivered" : "dropped";
  const drop = branches.find((b) => b.drop)?.drop;
  return {
    frame,
    verdict: kind,
    branches,
    partial: isPartial(branches),
    summary,
    hops: [],
    traces: [],
    cached: false,
    ...(drop ? { drop } : {}),
  };
}

const ok: VerdictBranch = { kind: "delivered", host: "c1", text: "c1:tap" };
const lost: VerdictBranch = {
  kind: "dropped",
  host: "c2",
  text: "dropped c2",
  drop: { host: "c2", bridge: "br-tun", table: 4, reason: "unknown-tunnel-id", detail: "d", nearMisses: [] },
};

describe("ReplayAggregate", () => {
  it("names a conversation by the side that sent its first frame; → that way, ← back; ordered by first frame", () => {
    const agg = new ReplayAggregate();
    // 9.9.9.9 sorts after 10.0.0.1 as text: the name must still follow the first frame.
    agg.add(tcp("10.0.0.5", 1000, "10.0.0.1", 22), verdict(1, "first", [ok]));
    agg.add(tcp("9.9.9.9", 53, "10.0.0.1", 4000), verdict(2, "a", [ok]));
    agg.add(tcp("10.0.0.1", 22, "10.0.0.5", 1000), verdict(3, "reply", [ok]));
    expect(agg.conversations().map((c) => [c.name, c.paths])).toEqual([
      ["tcp 10.0.0.5:1000 ⇄ 10.0.0.1:22", ["→ first", "← reply"]],
      ["tcp 9.9.9.9:53 ⇄ 10.0.0.1:4000", ["→ a"]],
    ]);
  });

  it("a frame dropped on one branch counts in the drops and as partly dropped, once per drop place", () => {
    const agg = new ReplayAggregate();
    agg.add(tcp("10.0.0.5", 1, "10.0.0.1", 2), verdict(1, "s", [ok, lost, lost]));
    agg.add(tcp("10.0.0.5", 1, "10.0.0.1", 2), verdict(2, "s", [ok]));
    expect(agg.partlyDropped).toBe(1);
    expect(agg.conversations()[0]).toMatchObject({ frames: 2, partlyDropped: 1, verdicts: { delivered: 2 } });
    expect(agg.dropGroups()).toEqual([expect.objectContaining({ host: "c2", table: 4, frames: [1] })]);
  });

  type End = [number[], number];
  /** A flow key of one ethertype and protocol between two ends (address words, port). */
  function keyOf(dlType: number, proto: number, src: End, dst: End) {
    const key = newFlowKey();
    key[K.dlType] = dlType;
    key[K.nwProto] = proto;
    const [s, d] =
      dlType === 0x86dd
        ? [K.ipv6Src, K.ipv6Dst]
        : dlType === 0x0800 || dlType === 0x0806
          ? [K.nwSrc, K.nwDst]
          : [K.dlSrc, K.dlDst];
    src[0].forEach((w, i) => {
      key[s + i] = w;
    });
    dst[0].forEach((w, i) => {
      key[d + i] = w;
    });
    key[K.tpSrc] = src[1];
    key[K.tpDst] = dst[1];
    return key;
  }
  const A4: End = [[0xc0a8640b], 40000];
  const B4: End = [[0xc0a86415], 80];
  const A6: End = [[0xfe800000, 0, 0, 1], 5000];
  const B6: End = [[0xfe800000, 0, 0, 2], 53];
  const MA: End = [[0xfa16, 0x3e11a101], 0];
  const MB: End = [[0xfa16, 0x3e11a102], 0];
  /** A frame from `a` to `b` and its answer (`answer` the reply's nw_proto, ARP's opcode). */
  const bothWays = (t: number, p: number, a: End, b: End, answer = p): Array<[number, number, End, End]> => [
    [t, p, a, b],
    [t, answer, b, a],
  ];
  it.each([
    // [case, frames as [dlType, proto, src, dst], expected [name, paths] per conversation]
    [
      "tcp both ways",
      bothWays(0x0800, 6, A4, B4),
      [["tcp 192.168.100.11:40000 ⇄ 192.168.100.21:80", ["→ s", "← s"]]],
    ],
    [
      "tcp reply first",
      bothWays(0x0800, 6, B4, A4),
      [["tcp 192.168.100.21:80 ⇄ 192.168.100.11:40000", ["→ s", "← s"]]],
    ],
    [
      "same addresses, other ports",
      [
        [0x0800, 6, A4, B4],
        [0x0800, 6, [A4[0], 40001], B4],
      ],
      [
        ["tcp 192.168.100.11:40000 ⇄ 192.168.100.21:80", ["→ s"]],
        ["tcp 192.168.100.11:40001 ⇄ 192.168.100.21:80", ["→ s"]],
      ],
    ],
    [
      "tcp and udp apart",
      [
        [0x0800, 6, A4, B4],
        [0x0800, 17, A4, B4],
      ],
      [
        ["tcp 192.168.100.11:40000 ⇄ 192.168.100.21:80", ["→ s"]],
        ["udp 192.168.100.11:40000 ⇄ 192.168.100.21:80", ["→ s"]],
      ],
    ],
    [
      "icmp ignores ports",
      [
        [0x0800, 1, A4, B4],
        [0x0800, 1, [B4[0], 7], [A4[0], 9]],
      ],
      [["icmp 192.168.100.11 ⇄ 192.168.100.21", ["→ s", "← s"]]],
    ],
    ["ipv6 both ways", bothWays(0x86dd, 17, A6, B6), [["udp fe80::1:5000 ⇄ fe80::2:53", ["→ s", "← s"]]]],
    [
      "arp both ways",
      bothWays(0x0806, 1, A4, B4, 2),
      [["arp 192.168.100.11 ⇄ 192.168.100.21", ["→ s", "← s"]]],
    ],
    [
      "other ethertype by MAC",
      bothWays(0x88cc, 0, MA, MB),
      [["eth 0x88cc fa:16:3e:11:a1:01 ⇄ fa:16:3e:11:a1:02", ["→ s", "← s"]]],
    ],
    [
      "an end to itself",
      bothWays(0x0800, 6, A4, A4),
      [["tcp 192.168.100.11:40000 ⇄ 192.168.100.11:40000", ["→ s"]]],
    ],
  ] as Array<[string, Array<[number, number, End, End]>, Array<[string, string[]]>]>)(
    "conversations: %s",
    (_, frames, expected) => {
      const agg = new ReplayAggregate();
      frames.forEach(([t, p, s, d], i) => {
        agg.add(keyOf(t, p, s, d), verdict(i + 1, "s", [ok]));
      });
      expect(agg.conversations().map((c) => [c.name, c.paths])).toEqual(expected);
    },
  );
});
