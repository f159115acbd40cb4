import { describe, expect, it } from "vitest";
import { Background } from "../../../src/tui/data/background.js";

describe("Background", () => {
  it("runs jobs a slice at a time, taking turns, yielding to the event loop between slices", async () => {
    const order: string[] = [];
    let progress = 0;
    const bg = new Background(() => progress++, 1, 0);
    let a = 0;
    let b = 0;
    bg.add("a", () => {
      order.push("a");
      return ++a === 3;
    });
    bg.add("b", () => {
      order.push("b");
      return ++b === 2;
    });
    // Something else waiting on the event loop runs between two slices, not after all of them.
    setImmediate(() => order.push("other"));
    await bg.idle();
    expect(order).toEqual(["a", "other", "b", "a", "b", "a"]);
    expect(progress).toBe(5);
    expect(bg.busy).toBe(false);
  });

  it("a job added under the same name replaces the old one; cancel and stop end them", async () => {
    const bg = new Background(() => {});
    let old = 0;
    bg.add("filter", () => {
      old++;
      return false;
    });
    bg.add("filter", () => true);
    await bg.idle();
    expect(old).toBe(0);
    bg.add("x", () => false);
    bg.cancel("x");
    expect(bg.busy).toBe(false);
    bg.add("y", () => false);
    const idle = bg.idle();
    bg.stop();
    await idle;
  });
});
