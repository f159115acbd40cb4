import { describe, expect, it } from "vitest";
import type { GroupDesc } from "../../src/dumps/ofctl/groups.js";
import { dpHashGroup } from "../../src/pipeline/dp-hash-group.js";

function group(props: Record<string, string>, weights: number[], type = "select"): GroupDesc {
  return {
    groupId: 1,
    type,
    props,
    buckets: weights.map((w) => ({ props: { weight: String(w) }, actions: [], actionsText: "" })),
    line: 1,
  };
}

describe("dpHashGroup", () => {
  it("OVN's load balancer group (selection_method=dp_hash, two buckets of weight 100): hash(l4(0)), 16 values alternating", () => {
    const g = dpHashGroup(group({ selection_method: "dp_hash" }, [100, 100]));
    expect(g?.algorithm).toBe("l4");
    expect(g?.basis).toBe(0);
    expect(g?.map).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
  });
  it("no method: OVS's default is dp_hash with a symmetric L4 hash", () => {
    expect(dpHashGroup(group({}, [1, 1, 1]))?.algorithm).toBe("sym_l4");
  });
  it("weights give shares: 1:3 over 16 values is 4:12", () => {
    const map = dpHashGroup(group({}, [1, 3]))?.map ?? [];
    expect([map.filter((b) => b === 0).length, map.filter((b) => b === 1).length]).toEqual([4, 12]);
  });
  it.each([
    ["another method", group({ selection_method: "hash" }, [1, 1])],
    ["not a select group", group({}, [1, 1], "all")],
    ["no weight at all", group({}, [0, 0])],
    ["more than 64 values without a method", group({}, [1, 100])],
  ])("%s: not dp_hash", (_, g) => expect(dpHashGroup(g)).toBeUndefined());
  it("the basis comes from selection_method_param's low 32 bits", () => {
    expect(
      dpHashGroup(group({ selection_method: "dp_hash", selection_method_param: "7" }, [1, 1]))?.basis,
    ).toBe(7);
  });
});
