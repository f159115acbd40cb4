/**
 * The display filter's tokenizer: words (field names and unquoted values: `ip.src`, `10.0.0.0/24`,
 * `fa:16:3e:00:00:01`), quoted strings with C escapes, operators and punctuation, each with its
 * 1-based column for error messages. Pure.
 */

export type TokenKind = "word" | "string" | "op" | "(" | ")" | "{" | "}" | "," | "end";

export interface Token {
  kind: TokenKind;
  /** The word, the string's value (escapes applied), or the operator. */
  text: string;
  /** 1-based column of the token's first character. */
  column: number;
}

/** A syntax error at a column; the compiler turns it into its error result. */
export class FilterSyntaxError {
  constructor(
    readonly message: string,
    readonly column: number,
  ) {}
}

const WORD_CHAR = /[A-Za-z0-9_.:\-/]/;
/** Symbolic operators, longest first. */
const SYMBOLS = ["===", "!==", "==", "!=", "~=", "<=", ">=", "&&", "||", "^^", "<", ">", "!", "~", "="];

/** The tokens of a filter, ending with an `end` token at the column after the text. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    const column = i + 1;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if ("(){},".includes(ch)) {
      tokens.push({ kind: ch as TokenKind, text: ch, column });
      i++;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const [value, next] = readString(text, i);
      tokens.push({ kind: "string", text: value, column });
      i = next;
      continue;
    }
    const sym = SYMBOLS.find((s) => text.startsWith(s, i));
    if (sym) {
      if (sym === "=") throw new FilterSyntaxError('"=" is not an operator: use "==" to compare', column);
      tokens.push({ kind: "op", text: sym, column });
      i += sym.length;
      continue;
    }
    if (WORD_CHAR.test(ch)) {
      let j = i;
      while (j < text.length && WORD_CHAR.test(text[j])) j++;
      tokens.push({ kind: "word", text: text.slice(i, j), column });
      i = j;
      continue;
    }
    throw new FilterSyntaxError(`unexpected character ${JSON.stringify(ch)}`, column);
  }
  tokens.push({ kind: "end", text: "", column: text.length + 1 });
  return tokens;
}

const ESCAPES: Readonly<Record<string, string>> = {
  n: "\n",
  t: "\t",
  r: "\r",
  "0": "\0",
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
  "\\": "\\",
  '"': '"',
  "'": "'",
};

/** A quoted string from `start` (its quote); returns its value and the index after the closing quote. */
function readString(text: string, start: number): [string, number] {
  const quote = text[start];
  let out = "";
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === quote) return [out, i + 1];
    if (ch !== "\\") {
      out += ch;
      i++;
      continue;
    }
    const e = text[i + 1];
    if (e === undefined) break;
    if (e === "x" && /^[0-9a-f]{2}$/i.test(text.slice(i + 2, i + 4))) {
      out += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 4), 16));
      i += 4;
    } else if (e === "u" && /^[0-9a-f]{4}$/i.test(text.slice(i + 2, i + 6))) {
      out += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16));
      i += 6;
    } else if (ESCAPES[e] !== undefined) {
      out += ESCAPES[e];
      i += 2;
    } else {
      throw new FilterSyntaxError(`unknown escape \\${e} in a string`, i + 1);
    }
  }
  throw new FilterSyntaxError(`unterminated string (expected a closing ${quote})`, start + 1);
}
