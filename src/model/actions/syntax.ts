/**
 * The lexical layer of OVS's action syntax: comma-separated items where parentheses nest
 * (`ct(commit,exec(load:0x1->NXM_NX_CT_MARK[]))`) and double quotes protect port names. Every piece
 * keeps its 1-based column in the original line so errors can point at it.
 */

export interface Piece {
  text: string;
  column: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = 0x28;
const CLOSE = 0x29;
const COMMA = 0x2c;

/**
 * Splits at commas outside parentheses and quotes (a backslash escapes the next character inside
 * them); returns an error column on unbalanced input. A plain loop over character codes: this runs for
 * every action list of a large dump.
 */
export function splitTopLevel(text: string, column: number): Piece[] | { error: number; message: string } {
  const out: Piece[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = quoteEnd(text, i);
      if (i < 0) return { error: column + text.length, message: "unterminated quoted name" };
    } else if (c === OPEN) depth++;
    else if (c === CLOSE) {
      if (--depth < 0) return { error: column + i, message: 'unbalanced ")"' };
    } else if (c === COMMA && depth === 0) {
      out.push({ text: text.slice(start, i), column: column + start });
      start = i + 1;
    }
  }
  if (depth > 0) return { error: column + text.length, message: 'missing ")"' };
  out.push({ text: text.slice(start), column: column + start });
  return out;
}

/**
 * Splits one action into its keyword and argument: `output:3` → (output, 3), `ct(commit)` →
 * (ct, commit), `NORMAL` → (NORMAL, undefined). `check_pkt_larger(N)->DST` keeps `(N)->DST` whole.
 */
export function keywordOf(p: Piece): { keyword: string; arg?: Piece; form: "bare" | "colon" | "paren" } {
  // `[A-Za-z_][A-Za-z0-9_]*` at the start, read by character codes (no match object per action).
  const text = p.text;
  let n = 0;
  while (n < text.length && isWordChar(text.charCodeAt(n), n === 0)) n++;
  const keyword = text.slice(0, n);
  const rest = text.slice(n);
  const argColumn = p.column + keyword.length + 1;
  if (rest === "") return { keyword, form: "bare" };
  if (rest.startsWith(":"))
    return { keyword, form: "colon", arg: { text: rest.slice(1), column: argColumn } };
  if (rest.startsWith("(") && rest.endsWith(")") && closingParen(rest) === rest.length - 1)
    return { keyword, form: "paren", arg: { text: rest.slice(1, -1), column: argColumn } };
  return { keyword, form: "paren", arg: { text: rest, column: argColumn - 1 } };
}

/** A letter or underscore, or (not first) a digit. */
function isWordChar(c: number, first: boolean): boolean {
  const l = c | 0x20;
  return (l >= 0x61 && l <= 0x7a) || c === 0x5f || (!first && c >= 0x30 && c <= 0x39);
}

/** The index of the parenthesis closing the one at index 0, or -1. */
export function closingParen(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = quoteEnd(text, i);
      if (i < 0) return -1;
    } else if (c === OPEN) depth++;
    else if (c === CLOSE && --depth === 0) return i;
  }
  return -1;
}

/** The index of the quote closing the one at `open` (a backslash escapes the next character), or -1. */
function quoteEnd(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i;
  }
  return -1;
}

/** `key=value` → [key, value]; `flag` → [flag, undefined]. */
export function keyValue(p: Piece): { key: string; value?: Piece } {
  const eq = p.text.indexOf("=");
  if (eq < 0) return { key: p.text };
  return { key: p.text.slice(0, eq), value: { text: p.text.slice(eq + 1), column: p.column + eq + 1 } };
}
