/**
 * A display-filter language in the manner of Wireshark's, over the fields of one record (a decoded
 * frame with its replay verdict, a flow): `ip.src == 10.0.0.11 && vxlan.vni == 100`, `!arp`,
 * `reason == "unknown-tunnel-id"`, `ip.addr == 10.0.0.0/24`, `udp.dstport in {4789 6081}`.
 *
 * A hand-written tokenizer and recursive-descent parser compile the text to closures (no eval). The
 * semantics are Wireshark 4's: a bare field is true when the record has it; `==` is true when any
 * occurrence of the field equals; `!=` is all-not-equal (the field is present and no occurrence
 * equals: `!(a == b)` where the field exists; like tshark, false where it does not) and `~=` is
 * any-not-equal; `<` `<=` `>` `>=` compare numbers, addresses and text; `contains` is a
 * case-sensitive substring test; `matches` (`~`) a case-insensitive regular expression; `in {a b c}`
 * (commas allowed, ranges `a..b`) is any-equal to a member. Precedence, loosest first: `||`/`or`,
 * `^^`/`xor`, `&&`/`and`, `!`/`not`.
 *
 * Literals keep every reading they have (a number, an IPv4 or IPv6 address or network, a MAC written
 * with `:`, `-` or `.`, a boolean, the text), and the value they meet decides which is used: addresses
 * compare as numbers (a network on either side matches when one contains the other), MACs whatever
 * their case, numbers as numbers whatever their base, anything else as exact text. A field that
 * `known` gives a type (src/model/filter-field-type.ts) takes only literals of that type, as tshark
 * does: `vxlan.vni == abc` is a syntax error at `abc`, not a filter that matches nothing.
 *
 * This file is the parser and compiler; the tokenizer is display-filter-tokens.ts, the readings and
 * comparisons of values display-filter-values.ts. Pure: no I/O.
 */

import { FilterSyntaxError, type Token, tokenize } from "./display-filter-tokens.js";
import {
  equal,
  type FilterScalar,
  literalMismatch,
  order,
  ReadingCache,
  readings,
  type Typed,
} from "./display-filter-values.js";
import type { FilterFieldType } from "./filter-field-type.js";

export type { FilterScalar } from "./display-filter-values.js";
export type { FilterFieldType } from "./filter-field-type.js";

/** The fields of one record (a frame, a flow): every value a field has (a field may occur several times: outer and inner ip.src). */
export interface FilterRecord {
  values(field: string): readonly FilterScalar[] | undefined;
}

export interface DisplayFilter {
  readonly text: string;
  matches(record: FilterRecord): boolean;
  /** field names it reads */
  readonly fields: ReadonlySet<string>;
}

/**
 * What a filter knows of a field: its type, `true` for a field known but untyped (any literal), and
 * `false` or undefined for a field it does not know.
 */
export type FieldLookup = (field: string) => FilterFieldType | boolean | undefined;

type TypedLiteral = (lit: Typed, column: number) => Typed;

export type CompileResult =
  | { ok: true; filter: DisplayFilter }
  | { ok: false; message: string; column: number };

/** The longest regular expression `matches` accepts (a guard against pathological patterns). */
export const MAX_PATTERN_LENGTH = 1000;

// ---- Parser and compiler ----

type Test = (r: FilterRecord) => boolean;

const KEYWORD_OPS: Readonly<Record<string, string>> = {
  eq: "==",
  any_eq: "==",
  ne: "!=",
  all_ne: "!=",
  any_ne: "~=",
  all_eq: "===",
  gt: ">",
  lt: "<",
  ge: ">=",
  le: "<=",
  contains: "contains",
  matches: "matches",
};
const RELATIONS = new Set(["==", "!=", "~=", "===", "!==", "<", "<=", ">", ">=", "~", "contains", "matches"]);
const RESERVED = new Set(["and", "or", "xor", "not", "in", ...Object.keys(KEYWORD_OPS)]);
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function describe(t: Token): string {
  switch (t.kind) {
    case "end":
      return "the end of the expression";
    case "string":
      return `the string ${JSON.stringify(t.text)}`;
    default:
      return `"${t.text}"`;
  }
}

class Parser {
  private pos = 0;
  readonly fields = new Set<string>();
  readonly cache = new ReadingCache();

  constructor(
    private readonly tokens: Token[],
    private readonly known: FieldLookup | undefined,
  ) {}

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private next(): Token {
    const t = this.tokens[this.pos];
    if (t.kind !== "end") this.pos++;
    return t;
  }

  private isOp(t: Token, ...ops: string[]): boolean {
    if (t.kind === "op") return ops.includes(t.text);
    return t.kind === "word" && ops.includes(t.text.toLowerCase());
  }

  parse(): Test {
    if (this.peek().kind === "end") throw new FilterSyntaxError("empty filter: expected a field name", 1);
    const test = this.or();
    const t = this.peek();
    if (t.kind !== "end")
      throw new FilterSyntaxError(
        `expected "&&", "||" or the end of the expression, got ${describe(t)}`,
        t.column,
      );
    return test;
  }

  private or(): Test {
    let left = this.xor();
    while (this.isOp(this.peek(), "||", "or")) {
      this.next();
      const a = left;
      const b = this.xor();
      left = (r) => a(r) || b(r);
    }
    return left;
  }

  private xor(): Test {
    let left = this.and();
    while (this.isOp(this.peek(), "^^", "xor")) {
      this.next();
      const a = left;
      const b = this.and();
      left = (r) => a(r) !== b(r);
    }
    return left;
  }

  private and(): Test {
    let left = this.unary();
    while (this.isOp(this.peek(), "&&", "and")) {
      this.next();
      const a = left;
      const b = this.unary();
      left = (r) => a(r) && b(r);
    }
    return left;
  }

  private unary(): Test {
    if (this.isOp(this.peek(), "!", "not")) {
      this.next();
      const a = this.unary();
      return (r) => !a(r);
    }
    return this.primary();
  }

  private primary(): Test {
    const t = this.next();
    if (t.kind === "(") {
      const inner = this.or();
      const close = this.next();
      if (close.kind !== ")")
        throw new FilterSyntaxError(`expected ")", got ${describe(close)}`, close.column);
      return inner;
    }
    if (t.kind !== "word" || RESERVED.has(t.text.toLowerCase()) || !FIELD_NAME.test(t.text))
      throw new FilterSyntaxError(`expected a field name, "!" or "(", got ${describe(t)}`, t.column);
    const field = t.text;
    const known = this.known?.(field);
    if (this.known && !known) throw new FilterSyntaxError(`unknown field "${field}"`, t.column);
    this.fields.add(field);
    return this.relation(field, typeof known === "object" ? known : undefined);
  }

  private relation(field: string, type: FilterFieldType | undefined): Test {
    /** A literal of the field's type, or a syntax error at it. */
    const typed = (lit: Typed, column: number): Typed => {
      const why = type && literalMismatch(lit, type, field);
      if (why) throw new FilterSyntaxError(why, column);
      return lit;
    };
    const t = this.peek();
    const get = (r: FilterRecord) => r.values(field);
    const word = t.kind === "word" ? t.text.toLowerCase() : undefined;
    if (word === "in" || (word === "not" && this.tokens[this.pos + 1]?.text.toLowerCase() === "in")) {
      this.next();
      if (word === "not") this.next();
      const member = this.set(typed);
      const test: Test = (r) => get(r)?.some(member) ?? false;
      return word === "not" ? (r) => !test(r) : test;
    }
    const op = t.kind === "op" ? t.text : word !== undefined ? KEYWORD_OPS[word] : undefined;
    if (op === undefined || !RELATIONS.has(op)) {
      // A bare field: true when the record has it.
      return (r) => (get(r)?.length ?? 0) > 0;
    }
    this.next();
    // contains and matches read the value as text, whatever the field's type.
    const lit = this.value(
      `a value after "${t.text}"`,
      op === "contains" || op === "matches" || op === "~" ? undefined : typed,
    );
    const cache = this.cache;
    const any =
      (p: (v: FilterScalar) => boolean): Test =>
      (r) =>
        get(r)?.some(p) ?? false;
    const all =
      (p: (v: FilterScalar) => boolean): Test =>
      (r) => {
        const vs = get(r);
        return vs !== undefined && vs.length > 0 && vs.every(p);
      };
    const eq = (v: FilterScalar) => equal(v, lit, cache);
    switch (op) {
      case "==":
        return any(eq);
      case "!=":
      case "!==":
        // All-not-equal, as tshark: the field must be present (`ip.src != 1.2.3.4` is false on ARP).
        return all((v) => !eq(v));
      case "~=":
        return any((v) => !eq(v));
      case "===":
        return all(eq);
      case "<":
        return any((v) => order(v, lit, cache) < 0);
      case "<=":
        return any((v) => order(v, lit, cache) <= 0);
      case ">":
        return any((v) => order(v, lit, cache) > 0);
      case ">=":
        return any((v) => order(v, lit, cache) >= 0);
      case "contains":
        return any((v) => String(v).includes(lit.text));
      default: {
        // matches, ~
        if (lit.text.length > MAX_PATTERN_LENGTH)
          throw new FilterSyntaxError(
            `regular expression longer than ${MAX_PATTERN_LENGTH} characters`,
            this.tokens[this.pos - 1].column,
          );
        let re: RegExp;
        try {
          re = new RegExp(lit.text, "i");
        } catch (e) {
          throw new FilterSyntaxError(
            `bad regular expression: ${(e as Error).message}`,
            this.tokens[this.pos - 1].column,
          );
        }
        return any((v) => re.test(String(v)));
      }
    }
  }

  private value(what: string, typed?: TypedLiteral): Typed {
    const t = this.next();
    const check = typed ?? ((lit: Typed) => lit);
    if (t.kind === "string") return check(readings(t.text, true), t.column);
    if (t.kind === "word" && !RESERVED.has(t.text.toLowerCase()))
      return check(readings(t.text, true), t.column);
    throw new FilterSyntaxError(`expected ${what}, got ${describe(t)}`, t.column);
  }

  /** `{a b c}`, `{a, b}`, `{1..10 20}`: a predicate any member of which equals. */
  private set(typed: TypedLiteral): (v: FilterScalar) => boolean {
    const open = this.next();
    if (open.kind !== "{")
      throw new FilterSyntaxError(`expected "{" after "in", got ${describe(open)}`, open.column);
    const members: Array<(v: FilterScalar) => boolean> = [];
    const cache = this.cache;
    for (;;) {
      const t = this.peek();
      if (t.kind === "}") {
        if (members.length === 0)
          throw new FilterSyntaxError('expected a value in the set, got "}"', t.column);
        this.next();
        break;
      }
      if (t.kind === "," && members.length > 0) {
        this.next();
        continue;
      }
      if (t.kind === "end") throw new FilterSyntaxError('expected "}" to close the set', t.column);
      // A range: `a..b` in one word, or `a .. b` with spaces.
      const range = t.kind === "word" ? /^(.+?)\.\.(.*)$/.exec(t.text) : null;
      if (
        range &&
        range[2] === "" &&
        this.tokens[this.pos + 1]?.kind !== "word" &&
        this.tokens[this.pos + 1]?.kind !== "string"
      )
        throw new FilterSyntaxError(
          `expected the end of a range after "..", got ${describe(this.tokens[this.pos + 1])}`,
          this.tokens[this.pos + 1].column,
        );
      if (range) {
        this.next();
        const lo = typed(readings(range[1], true), t.column);
        const hi =
          range[2] !== ""
            ? typed(readings(range[2], true), t.column + range[1].length + 2)
            : this.value('the end of a range after ".."', typed);
        members.push((v) => order(v, lo, cache) >= 0 && order(v, hi, cache) <= 0);
        continue;
      }
      const lit = this.value("a value in the set", typed);
      if (this.peek().kind === "word" && this.peek().text.startsWith("..")) {
        const restToken = this.next();
        const rest = restToken.text.slice(2);
        const hi =
          rest !== ""
            ? typed(readings(rest, true), restToken.column + 2)
            : this.value('the end of a range after ".."', typed);
        members.push((v) => order(v, lit, cache) >= 0 && order(v, hi, cache) <= 0);
        continue;
      }
      members.push((v) => equal(v, lit, cache));
    }
    return (v) => members.some((m) => m(v));
  }
}

/**
 * Compiles a display filter. With `known`, a field it does not know is an error naming it, and a
 * value that cannot be of a typed field's type is an error at the value (`ip.src == 10.0.0.300`); errors
 * say what was expected and where (1-based column).
 */
export function compileDisplayFilter(text: string, known?: FieldLookup): CompileResult {
  try {
    const parser = new Parser(tokenize(text), known);
    const test = parser.parse();
    const fields: ReadonlySet<string> = parser.fields;
    return { ok: true, filter: { text, fields, matches: test } };
  } catch (e) {
    if (e instanceof FilterSyntaxError) return { ok: false, message: e.message, column: e.column };
    throw e;
  }
}

/** A record over a plain map (tests, and callers that have their values at hand). */
export function mapRecord(
  values: Readonly<Record<string, FilterScalar | readonly FilterScalar[]>>,
): FilterRecord {
  return {
    values(field) {
      if (!Object.hasOwn(values, field)) return undefined;
      const v = values[field];
      return Array.isArray(v) ? v : [v as FilterScalar];
    },
  };
}
