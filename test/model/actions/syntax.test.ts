import { describe, expect, it } from "vitest";
import { closingParen, keywordOf, splitTopLevel } from "../../../src/model/actions/syntax.js";

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

describe("keywordOf", () => {
  it.each([
    ["NORMAL", { keyword: "NORMAL", form: "bare" }],
    ["output:3", { keyword: "output", form: "colon", arg: { text: "3", column: 18 } }],
    ["ct(commit)", { keyword: "ct", form: "paren", arg: { text: "commit", column: 14 } }],
    ["set_field:0x1->reg5", { keyword: "set_field", form: "colon", arg: { text: "0x1->reg5", column: 21 } }],
    ["_x9:1", { keyword: "_x9", form: "colon", arg: { text: "1", column: 15 } }],
    [
      "check_pkt_larger(1500)->NXM_NX_REG0[0]",
      { keyword: "check_pkt_larger", form: "paren", arg: { text: "(1500)->NXM_NX_REG0[0]", column: 27 } },
    ],
    ["9abc", { keyword: "", form: "paren", arg: { text: "9abc", column: 11 } }],
    ["[x]", { keyword: "", form: "paren", arg: { text: "[x]", column: 11 } }],
  ] as const)("%j", (text, want) => {
    expect(keywordOf({ text, column: 11 })).toEqual(want);
  });
});
