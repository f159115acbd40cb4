import { describe, expect, it } from "vitest";
import { FilterSyntaxError, tokenize } from "../../src/model/display-filter-tokens.js";

const brief = (text: string) => tokenize(text).map((t) => `${t.kind}:${t.text}@${t.column}`);

describe("tokenize", () => {
  it.each([
    ["ip.src == 10.0.0.0/24", ["word:ip.src@1", "op:==@8", "word:10.0.0.0/24@11", "end:@22"]],
    ["!arp&&tcp", ["op:!@1", "word:arp@2", "op:&&@5", "word:tcp@7", "end:@10"]],
    [
      "a in {1..3, 5}",
      ["word:a@1", "word:in@3", "{:{@6", "word:1..3@7", ",:,@11", "word:5@13", "}:}@14", "end:@15"],
    ],
    ['r == "a\\x2db\\u0041\\n"', ["word:r@1", "op:==@3", "string:a-bA\n@6", "end:@22"]],
    ["r == 'single'", ["word:r@1", "op:==@3", "string:single@6", "end:@14"]],
    ["eth.src===fa:16:3e:00:00:01", ["word:eth.src@1", "op:===@8", "word:fa:16:3e:00:00:01@11", "end:@28"]],
    [
      "x ~= 1 ^^ y !== 2",
      ["word:x@1", "op:~=@3", "word:1@6", "op:^^@8", "word:y@11", "op:!==@13", "word:2@17", "end:@18"],
    ],
  ])("%s", (text, tokens) => {
    expect(brief(text)).toEqual(tokens);
  });

  it.each([
    ["a = 1", 3, /"=" is not an operator/],
    ['a == "open', 6, /unterminated string/],
    ['a == "\\q"', 7, /unknown escape \\q/],
    ["a == 1 # x", 8, /unexpected character "#"/],
  ])("%s is an error at column %d", (text, column, message) => {
    let error: unknown;
    try {
      tokenize(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FilterSyntaxError);
    expect(error).toMatchObject({ column, message: expect.stringMatching(message) });
  });
});
