import { describe, expect, it } from "vitest";
import { FLOOD_ORDER_NOTE, floodOrderNote } from "../../src/explain/flood-note.js";
import { newFlowKey } from "../../src/model/layout.js";
import type { TracePass, TraceResult } from "../../src/pipeline/trace.js";
import type { TraceNode } from "../../src/pipeline/trace-tree.js";

const node = (text: string, subs: TraceNode[] = []): TraceNode => ({
  type: "action",
  text,
  subs,
  step: undefined,
  key: undefined,
});

function result(nodes: TraceNode[], outputs: number): TraceResult {
  const flow = newFlowKey();
  return {
    host: "h",
    bridge: "br-int",
    verdict: "output",
    passes: [
      {
        flow,
        finalFlow: flow,
        nodes,
        datapathActions: "",
        outputs: Array.from({ length: outputs }, () => ({}) as TracePass["outputs"][number]),
        learned: [],
      },
    ],
  };
}

describe("floodOrderNote", () => {
  it.each([
    [
      "NORMAL flooding to three ports",
      [node("NORMAL", [node("no learned MAC for destination, flooding")])],
      3,
      true,
    ],
    ["FLOOD action to two ports", [node("FLOOD")], 2, true],
    ["output:ALL", [node("output:ALL")], 2, true],
    ["a flood reaching one port only", [node("FLOOD")], 1, false],
    ["two plain outputs", [node("output:2"), node("output:3")], 2, false],
  ])("%s", (_name, nodes, outputs, noted) => {
    expect(floodOrderNote(result(nodes, outputs))).toBe(noted ? FLOOD_ORDER_NOTE : undefined);
  });
});
