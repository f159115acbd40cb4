import { describe, expect, it } from "vitest";
import { memoize } from "../../src/util/memo.js";

describe("memoize", () => {
  it("computes once per argument, undefined results included", () => {
    let calls = 0;
    const f = memoize((s: string) => {
      calls++;
      return s === "none" ? undefined : s.length;
    });
    expect([f("abc"), f("abc"), f("none"), f("none")]).toEqual([3, 3, undefined, undefined]);
    expect(calls).toBe(2);
  });

  it("answers a repeated argument from the last answer, alternating ones from the Map: computed once each", () => {
    let calls = 0;
    const f = memoize((n: number) => {
      calls++;
      return { n };
    });
    const one = f(1);
    expect(f(1)).toBe(one);
    expect(f(2)).toEqual({ n: 2 });
    expect(f(1)).toBe(one);
    expect(f(2)).toBe(f(2));
    expect(calls).toBe(2);
  });

  it("past its bound it still answers, computing each time", () => {
    let calls = 0;
    const f = memoize((n: number) => {
      calls++;
      return n * 2;
    }, 2);
    for (const n of [1, 2, 3, 3, 1]) expect(f(n)).toBe(n * 2);
    expect(calls).toBe(4);
  });
});
