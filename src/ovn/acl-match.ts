/**
 * OVN's match language as ACLs use it (ovn-sb(5) "Logical_Flow match"), enough to evaluate an ACL's
 * match against a traced packet and say which of its conditions failed: fields (`ip4.src`, `tcp.dst`,
 * `eth.src`, `inport`...), predicates (`ip4`, `tcp`, `icmp4`...), `==`, `!=`, `<`, `<=`, `>`, `>=`,
 * sets `{a, b}`, address sets `$name` (and a port group's `$pg_ip4`), port groups `@name`, `&&`, `||`,
 * `!` and parentheses. What it cannot read (another field, a syntax it does not know) evaluates to
 * "unknown", never to a guess.
 */
import { parseIp, parseIpNetwork } from "../model/value/index.js";

export type AclExpr =
  | { kind: "and" | "or"; items: AclExpr[]; text: string }
  | { kind: "not"; item: AclExpr; text: string }
  | { kind: "pred"; name: string; text: string }
  | { kind: "cmp"; field: string; op: string; values: AclValue[]; text: string };

export type AclValue =
  | { kind: "const"; text: string }
  | { kind: "set"; name: string }
  | { kind: "group"; name: string };

type Token = { t: string; pos: number };

const TOKEN = /\s*(&&|\|\||==|!=|<=|>=|[<>!(){},]|"(?:[^"\\]|\\.)*"|[$@]?[\w.:/[\]-]+)/y;

function tokens(s: string): Token[] | undefined {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < s.length) {
    if (/^\s*$/.test(s.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(s);
    if (!m) return undefined;
    out.push({ t: m[1], pos: at + m[0].length - m[1].length });
  }
  return out;
}

/** Parses an ACL match; undefined when it holds syntax this reader does not know. */
export function parseAclMatch(src: string): AclExpr | undefined {
  const toks = tokens(src);
  if (!toks) return undefined;
  let i = 0;
  const peek = () => toks[i]?.t;
  const textFrom = (start: number) =>
    src.slice(toks[start].pos, i < toks.length ? toks[i].pos : src.length).trim();
  /** `item (OP item)*`: one item alone, else a list of them (left to right; && binds tighter). */
  const chain =
    (op: "&&" | "||", kind: "and" | "or", item: () => AclExpr | undefined) => (): AclExpr | undefined => {
      const start = i;
      const items: AclExpr[] = [];
      for (;;) {
        const a = item();
        if (!a) return undefined;
        items.push(a);
        if (peek() !== op) break;
        i++;
      }
      return items.length === 1 ? items[0] : { kind, items, text: textFrom(start) };
    };
  const and = chain("&&", "and", () => unary());
  const or = chain("||", "or", and);
  const unary = (): AclExpr | undefined => {
    const start = i;
    if (peek() === "!") {
      i++;
      const item = unary();
      return item && { kind: "not", item, text: textFrom(start) };
    }
    if (peek() === "(") {
      i++;
      const e = or();
      if (!e || peek() !== ")") return undefined;
      i++;
      return e;
    }
    const field = peek();
    if (field === undefined || !/^[a-z][\w.[\]]*$/i.test(field)) return undefined;
    i++;
    const op = peek();
    if (op === undefined || !["==", "!=", "<", "<=", ">", ">="].includes(op)) {
      return { kind: "pred", name: field, text: field };
    }
    i++;
    const values: AclValue[] = [];
    const value = (): boolean => {
      const v = peek();
      if (v === undefined || /^(&&|\|\||[(){},!])$/.test(v)) return false;
      i++;
      if (v.startsWith("$")) values.push({ kind: "set", name: v.slice(1) });
      else if (v.startsWith("@")) values.push({ kind: "group", name: v.slice(1) });
      else values.push({ kind: "const", text: v.replace(/^"(.*)"$/, "$1") });
      return true;
    };
    if (peek() === "{") {
      i++;
      while (peek() !== "}") {
        if (!value()) return undefined;
        if (peek() === ",") i++;
      }
      i++;
    } else if (!value()) return undefined;
    return { kind: "cmp", field, op, values, text: textFrom(start) };
  };
  const e = or();
  return e && i === toks.length ? e : undefined;
}

/** What the packet looked like where the ACL stage saw it. */
export interface AclPacket {
  /** OVN field → its value as text in OVN's notation (`10.0.2.14`, `22`, `fa:16:3e:...`), if present. */
  field(name: string): string | undefined;
  /** Predicates: ip4, ip, tcp, udp, icmp4, arp... (undefined: not known). */
  pred(name: string): boolean | undefined;
  inport?: string;
  outport?: string;
}

export interface AclContext {
  /** Address set (or port group address set) name → its addresses. */
  addressSet(name: string): string[] | undefined;
  /** Port group name → its logical ports. */
  portGroup(name: string): string[] | undefined;
}

export type Truth = boolean | "unknown";

/** Whether a packet value equals a match constant (an IPv4 or IPv6 prefix matches by its bits). */
function equals(actual: string, expected: string): boolean {
  for (const family of [4, 6] as const) {
    const a = parseIp(family, actual);
    const e = parseIpNetwork(family, expected);
    if (a !== undefined && e.ok) return (a & e.value.mask) === (e.value.addr & e.value.mask);
  }
  if (/^(0x[0-9a-f]+|\d+)$/i.test(actual) && /^(0x[0-9a-f]+|\d+)$/i.test(expected))
    return BigInt(actual) === BigInt(expected);
  return actual.toLowerCase() === expected.toLowerCase();
}

function constants(values: readonly AclValue[], ctx: AclContext): string[] | undefined {
  const out: string[] = [];
  for (const v of values) {
    const list =
      v.kind === "const" ? [v.text] : v.kind === "set" ? ctx.addressSet(v.name) : ctx.portGroup(v.name);
    if (!list) return undefined;
    out.push(...list);
  }
  return out;
}

function actualOf(field: string, p: AclPacket): string | undefined {
  if (field === "inport") return p.inport;
  if (field === "outport") return p.outport;
  return p.field(field);
}

export function evaluate(e: AclExpr, p: AclPacket, ctx: AclContext): Truth {
  switch (e.kind) {
    case "and":
    case "or": {
      // The value that decides at once: false for a conjunction, true for a disjunction.
      const decisive = e.kind === "or";
      let unknown = false;
      for (const x of e.items) {
        const v = evaluate(x, p, ctx);
        if (v === decisive) return decisive;
        if (v === "unknown") unknown = true;
      }
      return unknown ? "unknown" : !decisive;
    }
    case "not": {
      const v = evaluate(e.item, p, ctx);
      return v === "unknown" ? v : !v;
    }
    case "pred":
      return p.pred(e.name) ?? "unknown";
    case "cmp": {
      const actual = actualOf(e.field, p);
      const values = constants(e.values, ctx);
      if (actual === undefined || values === undefined) return "unknown";
      if (e.op === "==" || e.op === "!=") {
        const hit = values.some((v) => equals(actual, v));
        return e.op === "==" ? hit : !hit;
      }
      if (values.length !== 1 || !/^\d+$/.test(actual) || !/^\d+$/.test(values[0])) return "unknown";
      const a = Number(actual);
      const b = Number(values[0]);
      return e.op === "<" ? a < b : e.op === "<=" ? a <= b : e.op === ">" ? a > b : a >= b;
    }
    default: {
      const _: never = e;
      return _;
    }
  }
}

/** The top-level conditions of a match (its `&&` items), the match itself when it is not a conjunction. */
export function conditions(e: AclExpr): AclExpr[] {
  return e.kind === "and" ? e.items : [e];
}

/** Whether a condition is about the port the ACL applies to (`inport == @pg`, `outport == "vm1"`). */
export function isPortCondition(e: AclExpr): boolean {
  return e.kind === "cmp" && (e.field === "inport" || e.field === "outport");
}
