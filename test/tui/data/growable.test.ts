import { describe, expect, it } from "vitest";
import { U32List } from "../../../src/tui/data/growable.js";

describe("U32List", () => {
  it("grows as it fills and finds the first element at or after a value", () => {
    const l = new U32List(16);
    for (let i = 1; i <= 1000; i++) l.push(i * 3);
    expect(l.length).toBe(1000);
    expect(l.at(999)).toBe(3000);
    expect(l.lowerBound(3)).toBe(0);
    expect(l.lowerBound(4)).toBe(1);
    expect(l.lowerBound(3001)).toBe(1000);
    expect(U32List.of([5, 9]).lowerBound(6)).toBe(1);
  });
});
