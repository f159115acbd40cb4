import { describe, expect, it } from "vitest";
import { HEAP_CEILING, heapCap, holdYoungWhileLoading, v8Gc, YOUNG_CEILING } from "../../src/cli/heap-cap.js";

describe("heapCap", () => {
  it.each([
    // [case, frames ticked, old generation in use, full collections expected]
    ["below the ceiling: never", 100_000, HEAP_CEILING - 1, 0],
    ["live data at the ceiling: once, then the bar stands above it", 3 * 4096, HEAP_CEILING, 1],
    ["above, but fewer frames than one look", 4095, 10 * HEAP_CEILING, 0],
  ] as const)("%s", (_, frames, used, expected) => {
    let gcs = 0;
    const cap = heapCap(
      HEAP_CEILING,
      () => gcs++,
      () => used,
    );
    for (let i = 0; i < frames; i++) cap.tick();
    expect(gcs).toBe(expected);
    expect(cap.collections).toBe(expected);
  });

  it("collects only while the heap stays above the ceiling (each collection brings it down)", () => {
    let used = HEAP_CEILING + 1;
    const cap = heapCap(
      HEAP_CEILING,
      () => {
        used = 1;
      },
      () => used,
    );
    for (let i = 0; i < 10 * 4096; i++) cap.tick();
    expect(cap.collections).toBe(1);
  });

  it("a large live heap (a 100k-flow host) is collected once per half ceiling of growth, not per look", () => {
    let live = 0;
    const cap = heapCap(
      HEAP_CEILING,
      () => {},
      () => live,
    );
    // Eight looks at 10, 10.25, ... 11.75 ceilings of live data: collections at 10, 10.5, 11 and 11.5
    // (garbage is let grow half a ceiling above what the last collection left).
    for (let look = 0; look < 8; look++) {
      live = (10 + 0.25 * look) * HEAP_CEILING;
      for (let i = 0; i < 4096; i++) cap.tick();
    }
    expect(cap.collections).toBe(4);
  });

  it("reaches V8's own collector and old-generation reading without a command-line flag", () => {
    expect(typeof v8Gc()).toBe("function");
    const cap = heapCap(0);
    for (let i = 0; i < 4096; i++) cap.tick();
    expect(cap.collections).toBe(1);
  });

  it.each([
    // [case, young generation's size at each look (the first at the start), look holding it (or none)]
    ["left by the load above the ceiling: held at once", [2 * YOUNG_CEILING], 0],
    [
      "grows to the ceiling during the replay: held at that look",
      [YOUNG_CEILING / 4, YOUNG_CEILING / 2, YOUNG_CEILING, YOUNG_CEILING],
      2,
    ],
    ["stays below: never held", [YOUNG_CEILING / 4, YOUNG_CEILING - 1, YOUNG_CEILING - 1], undefined],
  ] as const)("young generation %s", (_, sizes, heldAt) => {
    let look = 0;
    const holds: number[] = [];
    const cap = heapCap(
      HEAP_CEILING,
      () => {},
      () => 0,
      { size: () => sizes[Math.min(look, sizes.length - 1)], hold: () => holds.push(look) },
    );
    for (look = 1; look < sizes.length; look++) for (let i = 0; i < 4096; i++) cap.tick();
    // First held at that look; then held again at each look after it (a thread's start undoes a hold).
    expect(holds[0]).toBe(heldAt);
    if (heldAt === undefined) expect(holds).toEqual([]);
    else expect(holds.every((h) => h >= heldAt)).toBe(true);
  });

  it("looks at the young generation every 256 frames until it is held, then no more", () => {
    // A fast replay's young generation can double twice in 4,096 frames: it must be seen sooner.
    let looks = 0;
    let size = YOUNG_CEILING / 2;
    const cap = heapCap(
      HEAP_CEILING,
      () => {},
      () => 0,
      {
        size: () => {
          looks++;
          return size;
        },
        hold: () => {},
      },
    );
    const start = looks;
    for (let i = 0; i < 1024; i++) cap.tick();
    expect(looks - start).toBe(4);
    size = YOUNG_CEILING;
    for (let i = 0; i < 256; i++) cap.tick();
    const held = looks;
    for (let i = 0; i < 8192; i++) cap.tick();
    expect(looks).toBe(held);
  });

  it("holds the young generation while the hosts load, again after a thread's start, and lets it grow under the ceiling", () => {
    const calls: string[] = [];
    let size = YOUNG_CEILING / 4;
    const young = {
      size: () => size,
      hold: () => calls.push("hold"),
      release: () => calls.push("release"),
    };
    const loaded = holdYoungWhileLoading(young);
    expect(calls).toEqual(["hold"]);
    loaded();
    expect(calls).toEqual(["hold", "release"]);
    // Grown to the ceiling while loading: held again (a worker's start may have undone the hold), not
    // let grow any further.
    calls.length = 0;
    size = YOUNG_CEILING;
    holdYoungWhileLoading(young)();
    expect(calls).toEqual(["hold", "hold"]);
  });
});
