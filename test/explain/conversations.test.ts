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
});
