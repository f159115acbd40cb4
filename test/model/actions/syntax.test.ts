import { describe, expect, it } from "vitest";
import { closingParen, splitTopLevel } from "../../../src/model/actions/syntax.js";

describe("splitTopLevel", () => {
  it.each([
    // [text, column of the text, pieces as [text, column] or the error's column and message]
    ["output:1", 5, [["output:1", 5]]],
    [
      "a,b",
      1,
      [
        ["a", 1],
        ["b", 3],
      ],
    ],
    [
      "ct(commit,exec(load:0x1->NXM_NX_CT_MARK[])),2",
      10,
      [
        ["ct(commit,exec(load:0x1->NXM_NX_CT_MARK[]))", 10],
        ["2", 54],
      ],
    ],
    [
      'output:"a,b",3',
      1,
      [
        ['output:"a,b"', 1],
        ["3", 14],
      ],
    ],
    [
      'output:"a\\",(b",3',
      1,
      [
        ['output:"a\\",(b"', 1],
        ["3", 17],
      ],
    ],
    [
      "a,",
      1,
      [
        ["a", 1],
        ["", 3],
      ],
    ],
    ["", 7, [["", 7]]],
    ["a),b", 4, { error: 5, message: 'unbalanced ")"' }],
    ["ct(commit", 1, { error: 10, message: 'missing ")"' }],
    ['output:"tap', 1, { error: 12, message: "unterminated quoted name" }],
  ] as const)("%j at column %d", (text, column, want) => {
    const got = splitTopLevel(text, column);
    if ("error" in want) expect(got).toEqual(want);
    else expect(got).toEqual(want.map(([t, c]) => ({ text: t, column: c })));
  });
});

describe("closingParen", () => {
  it.each([
    ["(a)", 2],
    ["(a(b)c)d", 6],
    ['(")")', 4],
    ['("\\")")', 6],
    ["(a", -1],
    ["(a))", 2],
  ] as const)("%j → %d", (text, want) => {
    expect(closingParen(text)).toBe(want);
  });
});
