/**
 * One OVSDB datum as ovs-vsctl prints it (lib/ovsdb-data.c): atoms are integers, reals, booleans,
 * uuids or strings (bare when they look like an identifier, otherwise double-quoted with C escapes);
 * sets print as `[a, b]` (a one-element set as its atom), maps as `{k=v, k2="v 2"}`.
 */

export type OvsdbAtom = string | number | boolean;
export type OvsdbValue = OvsdbAtom | OvsdbValue[] | Map<string, OvsdbValue>;

export type ValueParse = { ok: true; value: OvsdbValue } | { ok: false; offset: number; message: string };

class Reader {
  i = 0;
  constructor(readonly s: string) {}
  peek(): string {
    return this.s[this.i] ?? "";
  }
  skipSpaces(): void {
    while (this.s[this.i] === " ") this.i++;
  }
}

class ParseError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

function quoted(r: Reader): string {
  let out = "";
  r.i++; // opening quote
  while (r.i < r.s.length) {
    const c = r.s[r.i++];
    if (c === '"') return out;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = r.s[r.i++];
    const simple: Record<string, string> = {
      n: "\n",
      t: "\t",
      r: "\r",
      '"': '"',
      "\\": "\\",
      b: "\b",
      f: "\f",
    };
    if (e in simple) out += simple[e];
    else if (e === "u" && /^[0-9a-fA-F]{4}/.test(r.s.slice(r.i, r.i + 4))) {
      out += String.fromCharCode(Number.parseInt(r.s.slice(r.i, r.i + 4), 16));
      r.i += 4;
    } else throw new ParseError(r.i - 2, `bad escape \\${e ?? ""} in a quoted string`);
  }
  throw new ParseError(r.s.length, "unterminated quoted string");
}

/** A bare atom runs to the next delimiter of the enclosing syntax. */
function atom(r: Reader, stops: string): OvsdbAtom {
  if (r.peek() === '"') return quoted(r);
  const start = r.i;
  while (r.i < r.s.length && !stops.includes(r.s[r.i])) r.i++;
  const t = r.s.slice(start, r.i).trim();
  if (t === "") throw new ParseError(start, "expected a value");
  if (t === "true" || t === "false") return t === "true";
  if (/^-?\d+$/.test(t)) return Number(t);
  if (/^-?\d+\.\d+(e[+-]?\d+)?$/.test(t)) return Number(t);
  return t;
}

function value(r: Reader, stops: string): OvsdbValue {
  r.skipSpaces();
  const c = r.peek();
  if (c === "[") {
    r.i++;
    const items: OvsdbValue[] = [];
    r.skipSpaces();
    if (r.peek() === "]") {
      r.i++;
      return items;
    }
    for (;;) {
      items.push(value(r, ",]"));
      r.skipSpaces();
      const d = r.s[r.i++];
      if (d === "]") return items;
      if (d !== ",") throw new ParseError(r.i - 1, 'expected "," or "]" in a set');
    }
  }
  if (c === "{") {
    r.i++;
    const map = new Map<string, OvsdbValue>();
    r.skipSpaces();
    if (r.peek() === "}") {
      r.i++;
      return map;
    }
    for (;;) {
      r.skipSpaces();
      const key = atom(r, "=,}");
      if (r.s[r.i++] !== "=") throw new ParseError(r.i - 1, 'expected "=" after a map key');
      map.set(String(key), value(r, ",}"));
      r.skipSpaces();
      const d = r.s[r.i++];
      if (d === "}") return map;
      if (d !== ",") throw new ParseError(r.i - 1, 'expected "," or "}" in a map');
    }
  }
  return atom(r, stops);
}

/** Parses a whole datum; `offset` on error is 0-based within `text`. */
export function parseOvsdbValue(text: string): ValueParse {
  const r = new Reader(text);
  try {
    const v = value(r, "");
    r.skipSpaces();
    if (r.i !== text.length) return { ok: false, offset: r.i, message: "unexpected text after the value" };
    return { ok: true, value: v };
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, offset: e.offset, message: e.message };
    throw e;
  }
}

export function asString(v: OvsdbValue | undefined): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

export function asNumber(v: OvsdbValue | undefined): number | undefined {
  if (typeof v === "number") return v;
  if (Array.isArray(v) && v.length === 1) return asNumber(v[0]);
  return undefined;
}

export function asMap(v: OvsdbValue | undefined): Map<string, OvsdbValue> {
  return v instanceof Map ? v : new Map();
}

export function asList(v: OvsdbValue | undefined): OvsdbValue[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}
