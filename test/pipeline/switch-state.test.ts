/**
 * The count of switch-state changes a replay compares before and after a frame: one shared counter,
 * bumped by whatever changes a table (NORMAL's MAC learning here; learn() in execute.test.ts), and only
 * when something changed.
 */
import { describe, expect, it } from "vitest";
import { MacTable } from "../../src/pipeline/mac-table.js";
import { switchState, switchStateChanged } from "../../src/pipeline/switch-state.js";

describe("switch-state changes", () => {
  it("one counter for every switch: two MAC tables' changes count in it, a relearned MAC does not", () => {
    const before = switchState.changes;
    const a = new MacTable();
    const b = new MacTable();
    a.learn(0xfa163e11a101, 1, 4);
    b.learn(0xfa163e11a101, 1, 4);
    a.learn(0xfa163e11a101, 1, 4);
    expect(switchState.changes).toBe(before + 2);
    switchStateChanged();
    expect(switchState.changes).toBe(before + 3);
  });
});
