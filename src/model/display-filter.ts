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
 * their case, numbers as numbers whatever their base, anything else as exact text. Pure: no I/O.
 */

export type FilterScalar = string | number | bigint | boolean;

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

export type CompileResult =
  | { ok: true; filter: DisplayFilter }
  | { ok: false; message: string; column: number };

/** The longest regular expression `matches` accepts (a guard against pathological patterns). */
export const MAX_PATTERN_LENGTH = 1000;

// ---- Values: the typed readings of a literal or of a record's text value ----

interface Num {
  /** Exact integer value, when the number is an integer. */
  int?: bigint;
  float: number;
}

interface Addr {
  addr: bigint;
  /** Bits of the network prefix (32 or 128 for a host address). */
  prefix: number;
  /** A non-prefix mask (`10.0.0.0/255.0.255.0`), when one was written. */
  mask?: bigint;
}

interface Typed {
  text: string;
  num?: Num;
  /** A masked number (`0x1/0x3` as OVS dumps print registers): value and mask. */
  masked?: { value: bigint; mask: bigint };
  ipv4?: Addr;
  ipv6?: Addr;
  mac?: { value: bigint; mask: bigint };
  bool?: boolean;
}

const MAC_ALL = (1n << 48n) - 1n;

function parseNum(text: string, octal: boolean): Num | undefined {
  let t = text;
  let neg = false;
  if (t.startsWith("-")) {
    neg = true;
    t = t.slice(1);
  }
  let int: bigint | undefined;
  if (/^0x[0-9a-f]+$/i.test(t)) int = BigInt(t);
  else if (octal && /^0[0-7]+$/.test(t)) int = BigInt(`0o${t.slice(1)}`);
  else if (/^[0-9]+$/.test(t)) int = BigInt(t);
  else if (/^([0-9]+\.[0-9]*|\.[0-9]+)(e[+-]?[0-9]+)?$/i.test(t) || /^[0-9]+e[+-]?[0-9]+$/i.test(t)) {
    const f = Number(t);
    return { float: neg ? -f : f };
  } else return undefined;
  if (neg) int = -int;
  return { int, float: Number(int) };
}

function parseIpv4Addr(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p) || Number(p) > 255) return undefined;
    v = (v << 8n) | BigInt(p);
  }
  return v;
}

function parseIpv6Addr(text: string): bigint | undefined {
  if (!/^[0-9a-f:.]+$/i.test(text) || !text.includes(":")) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groupsOf = (s: string): number[] | undefined => {
    if (s === "") return [];
    const out: number[] = [];
    const parts = s.split(":");
    for (const [i, p] of parts.entries()) {
      if (i === parts.length - 1 && p.includes(".")) {
        const v4 = parseIpv4Addr(p);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-f]{1,4}$/i.test(p)) out.push(Number.parseInt(p, 16));
      else return undefined;
    }
    return out;
  };
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (!head || !tail) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    if (head.length + tail.length > 7) return undefined;
    groups = [...head, ...Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    if (head.length !== 8) return undefined;
    groups = head;
  }
  return groups.reduce((v, g) => (v << 16n) | BigInt(g), 0n);
}

function parseMacAddr(text: string): bigint | undefined {
  let hex: string | undefined;
  if (/^[0-9a-f]{1,2}([:-])[0-9a-f]{1,2}(\1[0-9a-f]{1,2}){4}$/i.test(text))
    hex = text
      .split(/[:-]/)
      .map((b) => b.padStart(2, "0"))
      .join("");
  else if (/^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/i.test(text)) hex = text.replaceAll(".", "");
  return hex === undefined ? undefined : BigInt(`0x${hex}`);
}

function prefixOfMask(mask: bigint, bits: number): number | undefined {
  for (let p = 0; p <= bits; p++) {
    const m = p === 0 ? 0n : ((1n << BigInt(p)) - 1n) << BigInt(bits - p);
    if (m === mask) return p;
  }
  return undefined;
}

function parseAddr(text: string, bits: 32 | 128): Addr | undefined {
  const parse = bits === 32 ? parseIpv4Addr : parseIpv6Addr;
  const slash = text.indexOf("/");
  if (slash < 0) {
    const addr = parse(text);
    return addr === undefined ? undefined : { addr, prefix: bits };
  }
  const addr = parse(text.slice(0, slash));
  if (addr === undefined) return undefined;
  const rest = text.slice(slash + 1);
  if (/^[0-9]{1,3}$/.test(rest)) {
    const prefix = Number(rest);
    return prefix <= bits ? { addr, prefix } : undefined;
  }
  const mask = parse(rest);
  if (mask === undefined) return undefined;
  const prefix = prefixOfMask(mask, bits);
  return prefix === undefined ? { addr, prefix: bits, mask } : { addr, prefix };
}

/** Every reading of a text: literals get octal numbers and booleans, record values do not. */
function readings(text: string, literal: boolean): Typed {
  const t: Typed = { text };
  const num = parseNum(text, literal);
  if (num) t.num = num;
  const slash = text.indexOf("/");
  if (slash > 0 && !num) {
    const v = parseNum(text.slice(0, slash), false);
    const m = parseNum(text.slice(slash + 1), false);
    if (v?.int !== undefined && m?.int !== undefined) t.masked = { value: v.int, mask: m.int };
    const mv = parseMacAddr(text.slice(0, slash));
    const mm = parseMacAddr(text.slice(slash + 1));
    if (mv !== undefined && mm !== undefined) t.mac = { value: mv, mask: mm };
  }
  if (!num && !t.masked) {
    const v4 = parseAddr(text, 32);
    if (v4) t.ipv4 = v4;
    else {
      const v6 = parseAddr(text, 128);
      if (v6) t.ipv6 = v6;
    }
    const mac = parseMacAddr(text);
    if (mac !== undefined) t.mac = { value: mac, mask: MAC_ALL };
  }
  if (literal) {
    const lower = text.toLowerCase();
    if (lower === "true") t.bool = true;
    else if (lower === "false") t.bool = false;
  }
  return t;
}

/** Record text values are parsed once each (a bounded memo: the same addresses recur frame after frame). */
class ReadingCache {
  private readonly map = new Map<string, Typed>();
  get(text: string): Typed {
    let t = this.map.get(text);
    if (!t) {
      if (this.map.size >= 4096) this.map.clear();
      t = readings(text, false);
      this.map.set(text, t);
    }
    return t;
  }
}

function netMask(prefix: number, bits: number): bigint {
  return prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
}

function addrEqual(a: Addr, b: Addr, bits: number): boolean {
  const ma = a.mask ?? netMask(a.prefix, bits);
  const mb = b.mask ?? netMask(b.prefix, bits);
  const m = ma & mb;
  return (a.addr & m) === (b.addr & m);
}

function numCompare(a: Num, b: Num): number {
  if (a.int !== undefined && b.int !== undefined) return a.int < b.int ? -1 : a.int > b.int ? 1 : 0;
  return a.float < b.float ? -1 : a.float > b.float ? 1 : a.float === b.float ? 0 : Number.NaN;
}

function scalarNum(v: number | bigint | boolean): Num {
  if (typeof v === "bigint") return { int: v, float: Number(v) };
  if (typeof v === "boolean") return { int: v ? 1n : 0n, float: v ? 1 : 0 };
  return Number.isInteger(v) ? { int: BigInt(v), float: v } : { float: v };
}

/** Equality of one record value with a literal. */
function equal(v: FilterScalar, lit: Typed, cache: ReadingCache): boolean {
  if (typeof v === "boolean") {
    if (lit.bool !== undefined) return v === lit.bool;
    return lit.num !== undefined && numCompare(scalarNum(v), lit.num) === 0;
  }
  if (typeof v !== "string") {
    if (lit.num) return numCompare(scalarNum(v), lit.num) === 0;
    const n = scalarNum(v).int;
    return lit.masked !== undefined && n !== undefined && (n & lit.masked.mask) === lit.masked.value;
  }
  const r = cache.get(v);
  if (lit.ipv4 && r.ipv4) return addrEqual(r.ipv4, lit.ipv4, 32);
  if (lit.ipv6 && r.ipv6) return addrEqual(r.ipv6, lit.ipv6, 128);
  if (lit.mac && r.mac) {
    const m = lit.mac.mask & r.mac.mask;
    return (lit.mac.value & m) === (r.mac.value & m);
  }
  if (lit.num && r.num) return numCompare(r.num, lit.num) === 0;
  if (lit.num?.int !== undefined && r.masked) return (lit.num.int & r.masked.mask) === r.masked.value;
  if (lit.bool !== undefined && (v === "true" || v === "false")) return (v === "true") === lit.bool;
  return v === lit.text;
}

/** Order of a record value against a literal (negative: less); NaN when they do not compare. */
function order(v: FilterScalar, lit: Typed, cache: ReadingCache): number {
  if (typeof v !== "string") return lit.num ? numCompare(scalarNum(v), lit.num) : Number.NaN;
  const r = cache.get(v);
  const cmp = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
  if (lit.ipv4 && r.ipv4) return cmp(r.ipv4.addr, lit.ipv4.addr);
  if (lit.ipv6 && r.ipv6) return cmp(r.ipv6.addr, lit.ipv6.addr);
  if (lit.mac && r.mac) return cmp(r.mac.value, lit.mac.value);
  if (lit.num && r.num) return numCompare(r.num, lit.num);
  return v < lit.text ? -1 : v > lit.text ? 1 : 0;
}

// ---- Tokens ----

type TokenKind = "word" | "string" | "op" | "(" | ")" | "{" | "}" | "," | "end";

interface Token {
  kind: TokenKind;
  /** The word, the string's value (escapes applied), or the operator. */
  text: string;
  /** 1-based column of the token's first character. */
  column: number;
}

class FilterSyntaxError {
  constructor(
    readonly message: string,
    readonly column: number,
  ) {}
}

const WORD_CHAR = /[A-Za-z0-9_.:\-/]/;
/** Symbolic operators, longest first. */
const SYMBOLS = ["===", "!==", "==", "!=", "~=", "<=", ">=", "&&", "||", "^^", "<", ">", "!", "~", "="];

function tokenize(text: string): Token[] {
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
    private readonly known: ((field: string) => boolean) | undefined,
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
    if (this.known && !this.known(field)) throw new FilterSyntaxError(`unknown field "${field}"`, t.column);
    this.fields.add(field);
    return this.relation(field);
  }

  private relation(field: string): Test {
    const t = this.peek();
    const get = (r: FilterRecord) => r.values(field);
    const word = t.kind === "word" ? t.text.toLowerCase() : undefined;
    if (word === "in" || (word === "not" && this.tokens[this.pos + 1]?.text.toLowerCase() === "in")) {
      this.next();
      if (word === "not") this.next();
      const member = this.set();
      const test: Test = (r) => get(r)?.some(member) ?? false;
      return word === "not" ? (r) => !test(r) : test;
    }
    const op = t.kind === "op" ? t.text : word !== undefined ? KEYWORD_OPS[word] : undefined;
    if (op === undefined || !RELATIONS.has(op)) {
      // A bare field: true when the record has it.
      return (r) => (get(r)?.length ?? 0) > 0;
    }
    this.next();
    const lit = this.value(`a value after "${t.text}"`);
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

  private value(what: string): Typed {
    const t = this.next();
    if (t.kind === "string") return readings(t.text, true);
    if (t.kind === "word" && !RESERVED.has(t.text.toLowerCase())) return readings(t.text, true);
    throw new FilterSyntaxError(`expected ${what}, got ${describe(t)}`, t.column);
  }

  /** `{a b c}`, `{a, b}`, `{1..10 20}`: a predicate any member of which equals. */
  private set(): (v: FilterScalar) => boolean {
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
        const lo = readings(range[1], true);
        const hi = range[2] !== "" ? readings(range[2], true) : this.value('the end of a range after ".."');
        members.push((v) => order(v, lo, cache) >= 0 && order(v, hi, cache) <= 0);
        continue;
      }
      const lit = this.value("a value in the set");
      if (this.peek().kind === "word" && this.peek().text.startsWith("..")) {
        const rest = this.next().text.slice(2);
        const hi = rest !== "" ? readings(rest, true) : this.value('the end of a range after ".."');
        members.push((v) => order(v, lit, cache) >= 0 && order(v, hi, cache) <= 0);
        continue;
      }
      members.push((v) => equal(v, lit, cache));
    }
    return (v) => members.some((m) => m(v));
  }
}

/**
 * Compiles a display filter. With `known`, a field it does not know is an error naming it; errors
 * say what was expected and where (1-based column).
 */
export function compileDisplayFilter(text: string, known?: (field: string) => boolean): CompileResult {
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
