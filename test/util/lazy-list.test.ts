import { describe, expect, it } from "vitest";
import { noItems, withItem } from "../../src/util/lazy-list.js";

describe("lazy lists: one shared empty list, a list of its own on the first entry", () => {
  it("the first entry makes a new list of one and leaves the shared empty list empty", () => {
    const empty = noItems<number>();
    const one = withItem(empty, 7);
    expect(one).toEqual([7]);
    expect(one).not.toBe(empty);
    expect(noItems<number>()).toEqual([]);
    expect(noItems<number>()).toBe(empty);
  });

  it("later entries go onto the list itself, in order", () => {
    let list = noItems<string>();
    for (const x of ["a", "b", "c"]) list = withItem(list, x);
    const same = withItem(list, "d");
    expect(same).toBe(list);
    expect(same).toEqual(["a", "b", "c", "d"]);
  });

  it("the shared empty list cannot be written in place (frozen)", () => {
    expect(() => noItems<number>().push(1)).toThrow(TypeError);
  });
});
