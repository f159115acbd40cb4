import { describe, expect, it } from "vitest";
import { Lru } from "../../../src/tui/data/lru.js";

describe("Lru", () => {
  it("evicts the least recently used entry beyond its capacity", () => {
    const l = new Lru<number, string>(2);
    l.set(1, "a");
    l.set(2, "b");
    expect(l.get(1)).toBe("a");
    l.set(3, "c");
    expect(l.has(2)).toBe(false);
    expect(l.get(1)).toBe("a");
    expect(l.get(3)).toBe("c");
    expect(l.size).toBe(2);
    l.clear();
    expect(l.size).toBe(0);
    expect(() => new Lru(0)).toThrow();
  });
});
