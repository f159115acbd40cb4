/**
 * The values a display filter compares: every reading of a literal or of a record's text (a number,
 * an IPv4 or IPv6 address or network, a MAC, a boolean, the text), equality and order between a
 * record value and a literal, and whether a literal can be a value of a field's type. Addresses,
 * MACs and integers are read by the one value module (`./value/`). Pure.
 */
import type { FilterFieldType } from "./filter-field-type.js";
import {
  allOnes,
  type IpNetwork,
  MAC_ALL,
  networksMeet,
  parseInteger,
  parseIpNetwork,
  parseMac,
} from "./value/index.js";

export type FilterScalar = string | number | bigint | boolean;

interface Num {
  /** Exact integer value, when the number is an integer. */
  int?: bigint;
  float: number;
}

/** Every reading of one text. */
export interface Typed {
  text: string;
  num?: Num;
  /** A masked number (`0x1/0x3` as OVS dumps print registers): value and mask. */
  masked?: { value: bigint; mask: bigint };
  ipv4?: IpNetwork;
  ipv6?: IpNetwork;
  mac?: { value: bigint; mask: bigint };
  bool?: boolean;
}

const FLOAT = /^(([0-9]+\.[0-9]*|\.[0-9]+)(e[+-]?[0-9]+)?|[0-9]+e[+-]?[0-9]+)$/i;

/** A number: an integer (literals: C's bases, `010` octal), or a real. */
function parseNum(text: string, octal: boolean): Num | undefined {
  const neg = text.startsWith("-");
  const t = neg ? text.slice(1) : text;
  const int = parseInteger(t, { octal });
  if (int !== undefined) return { int: neg ? -int : int, float: Number(neg ? -int : int) };
  if (!FLOAT.test(t)) return undefined;
  const f = Number(t);
  return { float: neg ? -f : f };
}

/** Every reading of a text: literals get octal numbers and booleans, record values do not. */
export function readings(text: string, literal: boolean): Typed {
  const t: Typed = { text };
  const num = parseNum(text, literal);
  if (num) t.num = num;
  const slash = text.indexOf("/");
  if (slash > 0 && !num) {
    const v = parseInteger(text.slice(0, slash));
    const m = parseInteger(text.slice(slash + 1));
    if (v !== undefined && m !== undefined) t.masked = { value: v, mask: m };
    const mv = parseMac(text.slice(0, slash), "any");
    const mm = parseMac(text.slice(slash + 1), "any");
    if (mv !== undefined && mm !== undefined) t.mac = { value: mv, mask: mm };
  }
  if (!num && !t.masked) {
    const v4 = parseIpNetwork(4, text);
    if (v4.ok) t.ipv4 = v4.value;
    else {
      const v6 = parseIpNetwork(6, text);
      if (v6.ok) t.ipv6 = v6.value;
    }
    const mac = parseMac(text, "any");
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
export class ReadingCache {
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
export function equal(v: FilterScalar, lit: Typed, cache: ReadingCache): boolean {
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
  if (lit.ipv4 && r.ipv4) return networksMeet(r.ipv4, lit.ipv4);
  if (lit.ipv6 && r.ipv6) return networksMeet(r.ipv6, lit.ipv6);
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
export function order(v: FilterScalar, lit: Typed, cache: ReadingCache): number {
  if (typeof v !== "string") return lit.num ? numCompare(scalarNum(v), lit.num) : Number.NaN;
  const r = cache.get(v);
  const cmp = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
  if (lit.ipv4 && r.ipv4) return cmp(r.ipv4.addr, lit.ipv4.addr);
  if (lit.ipv6 && r.ipv6) return cmp(r.ipv6.addr, lit.ipv6.addr);
  if (lit.mac && r.mac) return cmp(r.mac.value, lit.mac.value);
  if (lit.num && r.num) return numCompare(r.num, lit.num);
  return v < lit.text ? -1 : v > lit.text ? 1 : 0;
}

const PREFIX_ERROR = { 4: 32, 6: 128 } as const;

/**
 * Why a literal cannot be a value of a field of type `type` (tshark's wording where it has one), or
 * undefined when it can be.
 */
export function literalMismatch(lit: Typed, type: FilterFieldType, field: string): string | undefined {
  const quoted = JSON.stringify(lit.text);
  switch (type.kind) {
    case "string":
    case "any":
      return undefined;
    case "bool":
      return lit.bool !== undefined || lit.num?.int !== undefined
        ? undefined
        : `${quoted} is not a valid boolean (true, false, 1 or 0)`;
    case "uint": {
      const n = lit.num?.int;
      if (n === undefined) return `${quoted} is not a valid number`;
      const max = allOnes(type.bits);
      return n > max ? `${quoted} too big for this field, maximum ${max}` : undefined;
    }
    case "real":
      return lit.num ? undefined : `${quoted} is not a valid number`;
    case "ipv4":
    case "ipv6": {
      const family = type.kind === "ipv4" ? 4 : 6;
      if (lit[type.kind]) return undefined;
      const n = parseIpNetwork(family, lit.text);
      if (!n.ok && n.error === "prefix")
        return `Netmask bits in a CIDR IPv${family} address should be <= ${PREFIX_ERROR[family]}, not ${lit.text.slice(lit.text.indexOf("/") + 1)}`;
      return `${quoted} is not a valid IPv${family} address`;
    }
    case "mac":
      return lit.mac ? undefined : `${quoted} is not a valid Ethernet address`;
    case "enum":
      return type.values.includes(lit.text)
        ? undefined
        : `${quoted} cannot be found among the possible values for ${field}: ${type.values.join(", ")}`;
    default: {
      const never: never = type;
      return String(never);
    }
  }
}
