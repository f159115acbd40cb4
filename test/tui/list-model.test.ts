import { describe, expect, it } from "vitest";
import type { CaptureSource } from "../../src/tui/data/capture-source.js";
import { U32List } from "../../src/tui/data/growable.js";
import { ListModel } from "../../src/tui/list-model.js";

/** A capture of `count` frames: the list model reads nothing else of it. */
const source = (count: number) => ({ count }) as CaptureSource;
const matches = { label: "m", list: U32List.of([3, 5, 9]) };

describe("ListModel", () => {
  it.each([
    ["all frames", false, { rows: 10, frameAt2: 3, rowOf9: 8, marked: [3, 5, 9] }],
    ["the matches only", true, { rows: 3, frameAt2: 9, rowOf9: 2, marked: [] }],
  ] as const)("%s", (_name, filtered, want) => {
    const m = new ListModel(source(10), { matches, filtered });
    expect(m.rows).toBe(want.rows);
    expect(m.frameAt(2)).toBe(want.frameAt2);
    expect(m.rowOf(9)).toBe(want.rowOf9);
    expect([1, 3, 5, 9].filter((f) => m.isMarked(f))).toEqual(want.marked);
  });

  it("frameOfRow clamps to the rows there are; none without a capture", () => {
    expect(new ListModel(source(4), { matches: null, filtered: false }).frameOfRow(10)).toBe(4);
    expect(new ListModel(undefined, { matches: null, filtered: false }).frameOfRow(0)).toBeUndefined();
  });

  it.each([
    ["forward from row 0", 0, 1, 4],
    ["backward from row 9", 9, -1, 6],
    ["backward from row 4", 4, -1, -1],
    ["forward past the last", 7, 1, -1],
  ] as const)("findRow %s", (_name, row, dir, want) => {
    const m = new ListModel(source(10), { matches: null, filtered: false });
    // Frames 5 and 7 were dropped.
    expect(m.findRow(row, dir, (f) => f === 5 || f === 7)).toBe(want);
  });
});
