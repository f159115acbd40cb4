/**
 * `learn(...)`: the action that adds flows (neutron's br-tun MAC learning in table 10 → 20). The spec
 * language: settings (table=, idle_timeout=, hard_timeout=, fin_*_timeout=, priority=, cookie=, limit=,
 * result_dst=, send_flow_rem, delete_learned) and specs — `FIELD=VALUE` (match an immediate),
 * `DST[..]=SRC[..]` or `FIELD[..]` (match the packet's own value), `load:SRC->DST`, `load:VALUE->DST`,
 * `output:SRC`. Printed as lib/learn.c's learn_format does.
 */
import { type LineError, lineError } from "../../util/diagnostic.js";
import { formatFieldValue, parseFieldValue } from "../field-value.js";
import { SET_LAST } from "./facts.js";
import { formatSubfield, isError, parseSubfield, parseUnsigned } from "./refs.js";
import { type ActionSpec, arrow, hex, requireArg } from "./spec.js";
import { keyValue, type Piece, splitTopLevel } from "./syntax.js";
import type { LearnAction, LearnSpec } from "./types.js";

const PERMANENT = 0;
const DEFAULT_PRIORITY = 32768;

function parseSpec(p: Piece): LearnSpec | LineError {
  if (p.text.startsWith("load:")) {
    const parts = arrow({ text: p.text.slice(5), column: p.column + 5 }, "learn load");
    if (isError(parts)) return parts;
    const dst = parseSubfield(parts[1]);
    if (isError(dst)) return dst;
    if (/^(0x[0-9a-f]+|\d+)$/i.test(parts[0].text)) {
      const value = parseUnsigned(parts[0], dst.nBits, "learn load");
      return isError(value) ? value : { kind: "loadImmediate", dst, value };
    }
    const src = parseSubfield(parts[0]);
    if (isError(src)) return src;
    if (src.nBits !== dst.nBits)
      return lineError(p.column, "learn load: source and destination widths differ");
    return { kind: "loadField", dst, src };
  }
  if (p.text.startsWith("output:")) {
    const src = parseSubfield({ text: p.text.slice(7), column: p.column + 7 });
    return isError(src) ? src : { kind: "output", src };
  }
  const { key, value } = keyValue(p);
  const dst = parseSubfield({ text: key, column: p.column });
  if (isError(dst)) return dst;
  if (value === undefined) return { kind: "matchField", dst, src: dst };
  const whole = !key.includes("[");
  if (whole && !/^[A-Za-z_][A-Za-z0-9_]*(\[|$)/.test(value.text)) {
    // `dl_type=0x800`, `nw_src=10.0.0.1`: a value in the field's own syntax.
    const v = parseFieldValue(dst.field, value.text);
    if (!v.ok) return lineError(value.column, v.message, dst.field.name);
    return { kind: "matchImmediate", dst, value: v.value.value, whole: true };
  }
  if (/^(0x[0-9a-f]+|\d+)$/i.test(value.text)) {
    const v = parseUnsigned(value, dst.nBits, "learn");
    return isError(v) ? v : { kind: "matchImmediate", dst, value: v, whole: false };
  }
  const src = parseSubfield(value);
  if (isError(src)) return src;
  if (src.nBits !== dst.nBits) return lineError(p.column, "learn: source and destination widths differ");
  return { kind: "matchField", dst, src };
}

function formatSpec(s: LearnSpec): string {
  switch (s.kind) {
    case "matchImmediate":
      return s.whole && s.dst.ofs === 0 && s.dst.nBits === s.dst.field.bits
        ? `${s.dst.field.mfName}=${formatFieldValue(s.dst.field, s.value, undefined, "action")}`
        : `${formatSubfield(s.dst)}=${hex(s.value)}`;
    case "matchField":
      // learn_format omits the source when it is the destination's own field at the same offset.
      return s.src.field === s.dst.field && s.src.ofs === s.dst.ofs
        ? formatSubfield(s.dst)
        : `${formatSubfield(s.dst)}=${formatSubfield(s.src)}`;
    case "loadImmediate":
      return `load:${hex(s.value)}->${formatSubfield(s.dst)}`;
    case "loadField":
      return `load:${formatSubfield(s.src)}->${formatSubfield(s.dst)}`;
    case "output":
      return `output:${formatSubfield(s.src)}`;
  }
}

const NUMERIC = [
  "idle_timeout",
  "hard_timeout",
  "fin_idle_timeout",
  "fin_hard_timeout",
  "priority",
  "limit",
] as const;
const KEY_OF: Record<
  (typeof NUMERIC)[number],
  "idleTimeout" | "hardTimeout" | "finIdleTimeout" | "finHardTimeout" | "priority" | "limit"
> = {
  idle_timeout: "idleTimeout",
  hard_timeout: "hardTimeout",
  fin_idle_timeout: "finIdleTimeout",
  fin_hard_timeout: "finHardTimeout",
  priority: "priority",
  limit: "limit",
};

export const learn: ActionSpec<"learn"> = {
  actionSetOrder: SET_LAST,
  reversible: true,
  megaflow: (a, mask) =>
    a.specs.every(
      (s) => s.kind === "matchImmediate" || s.kind === "loadImmediate" || mask.field(s.src.field),
    ),
  keywords: ["learn"],
  parse(input) {
    const arg = requireArg(input);
    if (isError(arg)) return arg;
    const parts = splitTopLevel(arg.text, arg.column);
    if ("error" in parts) return lineError(parts.error, parts.message);
    const a: LearnAction = {
      type: "learn",
      table: 1,
      sendFlowRem: false,
      deleteLearned: false,
      cookie: 0n,
      specs: [],
    };
    for (const p of parts) {
      const { key, value } = keyValue(p);
      const numeric = (NUMERIC as readonly string[]).includes(key)
        ? (key as (typeof NUMERIC)[number])
        : undefined;
      if (key === "table" && value) {
        if (!/^\d+$/.test(value.text) || Number(value.text) > 254)
          return lineError(value.column, "learn: table must be 0-254", "table");
        a.table = Number(value.text);
      } else if (numeric && value) {
        if (!/^\d+$/.test(value.text)) return lineError(value.column, `learn: ${key} must be a number`, key);
        a[KEY_OF[numeric]] = Number(value.text);
      } else if (key === "cookie" && value) {
        const c = parseUnsigned(value, 64, "learn cookie");
        if (isError(c)) return c;
        a.cookie = c;
      } else if (key === "result_dst" && value) {
        const sf = parseSubfield(value);
        if (isError(sf)) return sf;
        a.resultDst = sf;
      } else if (key === "send_flow_rem" && !value) a.sendFlowRem = true;
      else if (key === "delete_learned" && !value) a.deleteLearned = true;
      else {
        const spec = parseSpec(p);
        if (isError(spec)) return spec;
        a.specs.push(spec);
      }
    }
    return a;
  },
  format(a) {
    const parts = [`table=${a.table}`];
    if (a.idleTimeout !== undefined && a.idleTimeout !== PERMANENT)
      parts.push(`idle_timeout=${a.idleTimeout}`);
    if (a.hardTimeout !== undefined && a.hardTimeout !== PERMANENT)
      parts.push(`hard_timeout=${a.hardTimeout}`);
    if (a.finIdleTimeout) parts.push(`fin_idle_timeout=${a.finIdleTimeout}`);
    if (a.finHardTimeout) parts.push(`fin_hard_timeout=${a.finHardTimeout}`);
    if (a.priority !== undefined && a.priority !== DEFAULT_PRIORITY) parts.push(`priority=${a.priority}`);
    if (a.sendFlowRem) parts.push("send_flow_rem");
    if (a.deleteLearned) parts.push("delete_learned");
    if (a.cookie !== 0n) parts.push(`cookie=${hex(a.cookie)}`);
    if (a.limit) parts.push(`limit=${a.limit}`);
    if (a.resultDst) parts.push(`result_dst=${formatSubfield(a.resultDst)}`);
    for (const s of a.specs) parts.push(formatSpec(s));
    return `learn(${parts.join(",")})`;
  },
};
