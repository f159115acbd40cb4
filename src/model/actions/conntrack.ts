/** Connection tracking (ct, nat, ct_clear) and conjunctive matches (conjunction). */
import { type LineError, lineError } from "../../util/diagnostic.js";
import { readsNothing, SET_LAST, uncacheable } from "./facts.js";
import { formatSubfield, isError, parseSubfield } from "./refs.js";
import { type ActionSpec, noArg, requireArg } from "./spec.js";
import { keyValue, type Piece, splitTopLevel } from "./syntax.js";
import type { CtAction, NatAction } from "./types.js";

const ALG_PORTS: Record<string, number> = { ftp: 21, tftp: 69 };

function parseNat(arg: Piece | undefined): NatAction | LineError {
  const nat: NatAction = { type: "nat", persistent: false, hash: false, random: false };
  if (arg === undefined || arg.text === "") return nat;
  const parts = splitTopLevel(arg.text, arg.column);
  if ("error" in parts) return lineError(parts.error, parts.message);
  for (const p of parts) {
    const { key, value } = keyValue(p);
    if ((key === "src" || key === "dst") && nat.kind === undefined) {
      nat.kind = key;
      if (value === undefined) continue;
      // ADDR[-ADDR][:PORT[-PORT]], IPv6 addresses in brackets.
      const m = /^(\[[^\]]+\]|[0-9.]+)(?:-(\[[^\]]+\]|[0-9.]+))?(?::(\d+)(?:-(\d+))?)?$/.exec(value.text);
      if (!m) return lineError(value.column, `nat: cannot parse the range "${value.text}"`, "nat");
      nat.addrMin = m[1];
      if (m[2] !== undefined) nat.addrMax = m[2];
      if (m[3] !== undefined) nat.portMin = Number(m[3]);
      if (m[4] !== undefined) nat.portMax = Number(m[4]);
    } else if (value === undefined && (key === "persistent" || key === "hash" || key === "random")) {
      nat[key] = true;
    } else return lineError(p.column, `nat: unknown option "${p.text}"`, "nat");
  }
  return nat;
}

function formatNat(n: NatAction): string {
  if (n.kind === undefined) return "nat";
  let s = n.kind;
  if (n.addrMin !== undefined) {
    s += `=${n.addrMin}`;
    if (n.addrMax !== undefined && n.addrMax !== n.addrMin) s += `-${n.addrMax}`;
    if (n.portMin) {
      s += `:${n.portMin}`;
      if (n.portMax && n.portMax !== n.portMin) s += `-${n.portMax}`;
    }
    for (const flag of ["persistent", "hash", "random"] as const) if (n[flag]) s += `,${flag}`;
  }
  return `nat(${s})`;
}

export const nat: ActionSpec<"nat"> = {
  actionSetOrder: SET_LAST,
  reversible: false,
  megaflow: uncacheable,
  keywords: ["nat"],
  parse: (input) => parseNat(input.arg),
  format: formatNat,
};

export const ct: ActionSpec<"ct"> = {
  actionSetOrder: SET_LAST,
  reversible: false,
  megaflow: uncacheable,
  keywords: ["ct"],
  parse(input) {
    const a: CtAction = { type: "ct", commit: false, force: false, exec: [] };
    if (input.form === "bare") return a;
    const arg = requireArg(input);
    if (isError(arg)) return arg;
    const parts = splitTopLevel(arg.text, arg.column);
    if ("error" in parts) return lineError(parts.error, parts.message);
    for (const p of parts) {
      const { key, value } = keyValue(p);
      if ((key === "commit" || key === "force") && value === undefined) a[key] = true;
      else if (key === "table" && value && /^\d+$/.test(value.text) && Number(value.text) < 255)
        a.table = Number(value.text);
      else if (key === "zone" && value) {
        if (/^\d+$/.test(value.text) && Number(value.text) <= 0xffff) a.zone = Number(value.text);
        else {
          const sf = parseSubfield(value);
          if (isError(sf)) return sf;
          a.zone = sf;
        }
      } else if (key === "alg" && value) {
        const port = ALG_PORTS[value.text] ?? (/^\d+$/.test(value.text) ? Number(value.text) : undefined);
        if (port === undefined) return lineError(value.column, `ct: unknown alg "${value.text}"`, "alg");
        a.alg = port;
      } else if (p.text === "nat" || p.text.startsWith("nat(")) {
        const inner = p.text === "nat" ? undefined : { text: p.text.slice(4, -1), column: p.column + 4 };
        const n = parseNat(inner);
        if (isError(n)) return n;
        a.nat = n;
      } else if (p.text.startsWith("exec(") && p.text.endsWith(")")) {
        const actions = input.nested({ text: p.text.slice(5, -1), column: p.column + 5 });
        if (isError(actions)) return actions;
        a.exec = actions;
      } else return lineError(p.column, `ct: cannot parse "${p.text}"`, key);
    }
    return a;
  },
  format(a, formatList) {
    const parts: string[] = [];
    if (a.commit) parts.push("commit");
    if (a.force) parts.push("force");
    if (a.table !== undefined) parts.push(`table=${a.table}`);
    if (typeof a.zone === "object") parts.push(`zone=${formatSubfield(a.zone)}`);
    else if (a.zone) parts.push(`zone=${a.zone}`);
    if (a.nat) parts.push(formatNat(a.nat));
    if (a.exec.length > 0) parts.push(`exec(${formatList(a.exec)})`);
    if (a.alg) parts.push(`alg=${a.alg === 21 ? "ftp" : a.alg === 69 ? "tftp" : a.alg}`);
    return `ct(${parts.join(",")})`;
  },
};

export const ctClear: ActionSpec<"ctClear"> = {
  actionSetOrder: SET_LAST,
  reversible: true,
  megaflow: readsNothing,
  keywords: ["ct_clear"],
  parse: (i) => noArg("ctClear", i),
  format: () => "ct_clear",
};

export const conjunction: ActionSpec<"conjunction"> = {
  actionSetOrder: SET_LAST,
  reversible: true,
  megaflow: readsNothing,
  keywords: ["conjunction"],
  parse(input) {
    const arg = requireArg(input);
    if (isError(arg)) return arg;
    const m = /^(\d+),(\d+)\/(\d+)$/.exec(arg.text);
    if (!m) return lineError(arg.column, "conjunction: expected conjunction(ID,K/N)", "conjunction");
    const [id, clause, n] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (n < 2 || n > 64 || clause < 1 || clause > n)
      return lineError(
        arg.column + m[1].length + 1,
        "conjunction: need 2 <= N <= 64 and 1 <= K <= N",
        "conjunction",
      );
    return { type: "conjunction", id, clause, nClauses: n };
  },
  format: (a) => `conjunction(${a.id},${a.clause}/${a.nClauses})`,
};
