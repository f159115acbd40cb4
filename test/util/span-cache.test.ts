import { describe, expect, it } from "vitest";
import { SpanCache, sameChars } from "../../src/util/span-cache.js";

/** Where `token` is in `line`, as the loader gives a span: [from, to). */
const spanOf = (line: string, token: string): [number, number] => {
  const from = line.indexOf(token);
  if (from < 0) throw new Error(`${token} not in ${line}`);
  return [from, from + token.length];
};

describe("SpanCache", () => {
  const line = "priority=70,ct_state=+new-est,ip,reg5=0xa,reg5=0xab,reg5=0xa";

  it.each([
    // [kept span, span looked up, found]
    ["reg5=0xa", "reg5=0xa", true],
    ["reg5=0xa", "reg5=0xab", false], // a longer key with the same start
    ["reg5=0xab", "reg5=0xa", false], // a shorter one
    ["ct_state=+new-est", "ct_state=+new-est", true],
    ["ip", "ct_state=+new-est", false],
  ])("keeps %s; looking up %s finds it: %s", (kept, asked, found) => {
    const c = new SpanCache<string>(8);
    const [kf, kt] = spanOf(line, kept);
    expect(c.get(line, kf, kt)).toBeUndefined();
    c.set(line, kf, kt, kept);
    const [af, at] = spanOf(line, asked);
    expect(c.get(line, af, at)).toBe(found ? kept : undefined);
  });

  it("finds a span by its text wherever it lies, in whatever string", () => {
    const c = new SpanCache<number>(8);
    const last = line.lastIndexOf("reg5=0xa");
    c.set(line, last, last + 8, 1);
    const [f, t] = spanOf(line, "reg5=0xa");
    expect(c.get(line, f, t)).toBe(1);
    expect(c.get("reg5=0xa", 0, 8)).toBe(1);
    expect(c.get(" actions=reg5=0xa\n", 9, 17)).toBe(1);
  });

  it("keeps many entries apart (probing past taken slots, wrapping round the table)", () => {
    const c = new SpanCache<number>(64);
    const keys = Array.from({ length: 64 }, (_, i) => `in_port=${i}`);
    for (const [i, k] of keys.entries()) {
      expect(c.get(k, 0, k.length)).toBeUndefined();
      c.set(k, 0, k.length, i);
    }
    expect(c.size).toBe(64);
    for (const [i, k] of keys.entries()) expect(c.get(`,${k},`, 1, k.length + 1)).toBe(i);
    expect(c.get("in_port=64", 0, 10)).toBeUndefined();
  });

  it("tells apart two spans of one length whose hashes are equal", () => {
    // Found by search: equal FNV-1a hashes, so the second is placed in the slot after the first.
    const [a, b] = ["reg5=0x46a19", "reg5=0xf55e6"];
    const c = new SpanCache<string>(8);
    c.set(a, 0, a.length, a);
    expect(c.get(b, 0, b.length)).toBeUndefined();
    c.set(b, 0, b.length, b);
    expect([c.get(a, 0, a.length), c.get(b, 0, b.length)]).toEqual([a, b]);
  });

  it("is emptied when full, then keeps what comes next", () => {
    const c = new SpanCache<number>(2);
    for (const [i, k] of ["a=1", "a=2", "a=3"].entries()) c.set(k, 0, 3, i);
    expect(c.size).toBe(1);
    expect([c.get("a=1", 0, 3), c.get("a=2", 0, 3), c.get("a=3", 0, 3)]).toEqual([undefined, undefined, 2]);
  });

  it("empties itself once early (after 64 entries), then keeps up to its bound", () => {
    const c = new SpanCache<number>(1000);
    const keys = Array.from({ length: 1000 }, (_, i) => `reg5=${i}`);
    for (const [i, k] of keys.entries()) c.set(k, 0, k.length, i);
    expect(c.size).toBe(1000 - 64);
    expect(keys.map((k) => c.get(k, 0, k.length) !== undefined).indexOf(true)).toBe(64);
    c.set("reg6=1", 0, 6, 1);
    expect(c.size).toBe(1000 - 64 + 1);
  });

  it("sets right whatever was looked up between the miss and the set (a nested list's actions)", () => {
    const c = new SpanCache<string>(8);
    const outer = "clone(output:1),output:2";
    expect(c.get(outer, 0, 15)).toBeUndefined();
    // Parsing clone(...) looks up and keeps its own actions before clone(...) is kept.
    expect(c.get(outer, 6, 14)).toBeUndefined();
    c.set(outer, 6, 14, "output:1");
    c.set(outer, 0, 15, "clone");
    c.set(outer, 16, 24, "output:2"); // never looked up
    expect([c.get(outer, 0, 15), c.get(outer, 6, 14), c.get(outer, 16, 24)]).toEqual([
      "clone",
      "output:1",
      "output:2",
    ]);
    expect(c.size).toBe(3);
  });

  it("clear() forgets everything", () => {
    const c = new SpanCache<number>(4);
    c.set("x=1", 0, 3, 1);
    c.clear();
    expect([c.size, c.get("x=1", 0, 3)]).toEqual([0, undefined]);
  });
});

describe("sameChars", () => {
  const line = " cookie=0x4e8b7a1c2d3f5061, duration=0.5s, table=0";
  it.each([
    // [a, aFrom, b, bFrom, n, same]
    [line, 8, "0x4e8b7a1c2d3f5061", 0, 18, true],
    [line, 8, "0x4e8b7a1c2d3f5062", 0, 18, false], // the last character differs
    [line, 8, "1x4e8b7a1c2d3f5061", 0, 18, false], // the first one
    [line, 8, "x0x4e8b7a1c2d3f5061", 1, 18, true], // b read from an offset too
    [line, 0, "", 0, 0, true],
  ] as const)("%#: %s[%i] against %s[%i], %i characters → %s", (a, af, b, bf, n, same) => {
    expect(sameChars(a, af, b, bf, n)).toBe(same);
  });
});
