import { describe, expect, it } from "vitest";
import type { CaptureSource } from "../../src/tui/data/capture-source.js";
import type { ReplayRunner } from "../../src/tui/data/replay-runner.js";
import type { TuiData } from "../../src/tui/data/tui-data.js";
import { type EffectEnv, isEffect, nextHitLine, runEffect } from "../../src/tui/effects.js";
import { ListModel } from "../../src/tui/list-model.js";
import { type Action, initialState } from "../../src/tui/state.js";

/** An environment over a 10-frame capture whose frames `dropped` had a dropped branch. */
function env(dropped: number[], selected: number, replayDone = true) {
  const actions: Action[] = [];
  const messages: string[] = [];
  const replay = {
    failedAt: (f: number) => dropped.includes(f),
    done: replayDone,
  } as unknown as ReplayRunner;
  const data = { hosts: [], title: "t", replay, compileFilter: () => ({ ok: false }) } as unknown as TuiData;
  const view = { matches: null, filtered: false };
  const e: EffectEnv = {
    data,
    list: () => new ListModel({ count: 10 } as CaptureSource, view),
    view: () => view,
    setView: () => {},
    state: () => ({ ...initialState(), selected }),
    dispatch: (a) => actions.push(a),
    message: (t) => messages.push(t),
    background: () => null,
    groups: [],
    flowKeys: [],
    hits: new Set(),
  };
  return { e, actions, messages };
}

describe("effects", () => {
  it.each([
    ["d from frame 1 to the first drop", [4, 8], 0, 1, { type: "select", row: 3 }, undefined],
    ["d from a drop to the next", [4, 8], 3, 1, { type: "select", row: 7 }, undefined],
    ["D back", [4, 8], 7, -1, { type: "select", row: 3 }, undefined],
    ["d after the last", [4, 8], 7, 1, undefined, "no later dropped frame"],
    ["D before the first", [4], 2, -1, undefined, "no earlier dropped frame"],
  ] as const)("next-drop: %s", (_name, dropped, selected, dir, action, message) => {
    const { e, actions, messages } = env([...dropped], selected);
    runEffect({ type: "next-drop", dir }, e);
    expect(actions).toEqual(action ? [action] : []);
    expect(messages).toEqual(message ? [message] : []);
  });

  it("next-drop while the replay runs says the drop may come", () => {
    const { e, messages } = env([], 0, false);
    runEffect({ type: "next-drop", dir: 1 }, e);
    expect(messages).toEqual(["no later dropped frame (yet)"]);
  });

  it.each([
    ["the first hit after the cursor", 1, 3],
    ["wrapping around", 5, 1],
  ] as const)("nextHitLine: %s", (_name, from, want) => {
    const keys = [undefined, "a:1", undefined, "b:2", "c:3", undefined];
    expect(nextHitLine(keys, new Set(["a:1", "b:2"]), from)).toBe(want);
  });

  it("nextHitLine: -1 when the frame hit none of the flows", () => {
    expect(nextHitLine(["a:1"], new Set(["z:9"]), 0)).toBe(-1);
  });

  it("isEffect tells the data commands from the reducer's actions", () => {
    expect(isEffect({ type: "next-drop" })).toBe(true);
    expect(isEffect({ type: "move" })).toBe(false);
  });
});
