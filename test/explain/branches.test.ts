import { describe, expect, it } from "vitest";
import { dropsOf, hasFailure, hasKind, isPartial } from "../../src/explain/branches.js";
import type { DropExplanation, FrameVerdict, VerdictBranch } from "../../src/explain/types.js";

const drop = (host: string): DropExplanation => ({
  host,
  bridge: "br-tun",
  table: 4,
  reason: "unknown-tunnel-id",
  detail: "no flow",
  nearMisses: [],
});
const delivered: VerdictBranch = { kind: "delivered", host: "compute1", text: "compute1:tap1" };
const tunneled: VerdictBranch = { kind: "tunneled", host: "compute1", text: "tunneled" };
const dropped: VerdictBranch = { kind: "dropped", host: "compute2", text: "dropped", drop: drop("compute2") };
const looped: VerdictBranch = { kind: "loop", host: "network", text: "loop", drop: drop("network") };

function verdict(kind: FrameVerdict["verdict"], branches: VerdictBranch[]): FrameVerdict {
  return {
    frame: 1,
    verdict: kind,
    branches,
    partial: isPartial(branches),
    summary: "",
    hops: [],
    traces: [],
    cached: false,
  };
}

describe("verdict branches", () => {
  it.each([
    ["delivered only", "delivered", [delivered], { failure: false, partial: false, drops: [] }],
    [
      "flood delivered and dropped",
      "delivered",
      [delivered, dropped],
      { failure: true, partial: true, drops: ["compute2"] },
    ],
    [
      "tunneled and looped",
      "tunneled",
      [tunneled, looped],
      { failure: true, partial: true, drops: ["network"] },
    ],
    ["dropped only", "dropped", [dropped], { failure: true, partial: false, drops: ["compute2"] }],
    [
      "two drops",
      "dropped",
      [dropped, looped],
      { failure: true, partial: false, drops: ["compute2", "network"] },
    ],
    ["no ingress", "no-ingress", [], { failure: true, partial: false, drops: [] }],
  ] as const)("%s", (_name, kind, branches, want) => {
    const v = verdict(kind, [...branches]);
    expect(hasFailure(v)).toBe(want.failure);
    expect(v.partial).toBe(want.partial);
    expect(dropsOf(v).map((d) => d.host)).toEqual(want.drops);
  });

  it("a kind matches the frame's or any branch's", () => {
    const v = verdict("delivered", [delivered, tunneled, dropped]);
    expect(hasKind(v, ["dropped"])).toBe(true);
    expect(hasKind(v, ["tunneled"])).toBe(true);
    expect(hasKind(v, ["controller", "loop"])).toBe(false);
    expect(hasKind(verdict("no-ingress", []), ["no-ingress"])).toBe(true);
  });

  it("a verdict without branch explanations still gives its one drop", () => {
    const v = { ...verdict("dropped", [{ kind: "dropped", host: "h", text: "" }]), drop: drop("h") };
    expect(dropsOf(v).map((d) => d.host)).toEqual(["h"]);
  });
});
