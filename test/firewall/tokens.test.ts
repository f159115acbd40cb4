/** iptables-save's quoting: comments in double quotes with backslash escapes, columns kept. */
import { describe, expect, it } from "vitest";
import { quoteWord, splitWords } from "../../src/firewall/tokens.js";

describe("words", () => {
  it("splits with columns, reads quotes and escapes", () => {
    const r = splitWords('-A x -m comment --comment "a \\"b\\" c" -j DROP');
    expect(r.ok && r.words.map((w) => [w.text, w.column])).toEqual([
      ["-A", 1],
      ["x", 4],
      ["-m", 6],
      ["comment", 9],
      ["--comment", 17],
      ['a "b" c', 27],
      ["-j", 39],
      ["DROP", 42],
    ]);
  });
  it("reports an unterminated quote at its word", () => {
    expect(splitWords('-A x --comment "open')).toEqual({
      ok: false,
      column: 16,
      message: "unterminated quote",
    });
  });
  it.each([
    ["plain", "plain"],
    ["two words", '"two words"'],
    ['say "hi"', '"say \\"hi\\""'],
    ["", '""'],
  ])("quotes %j as %s", (w, q) => {
    expect(quoteWord(w)).toBe(q);
    const back = splitWords(q);
    expect(back.ok && back.words[0]?.text).toBe(w === "" ? "" : w);
  });
});
