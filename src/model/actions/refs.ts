/**
 * The two operands most actions share: a subfield (`NXM_NX_REG6[0..15]`, `reg5`, `tun_id[]`) and a port
 * (`3`, `LOCAL`, `"patch-tun"`). Both print the way OVS prints them (lib/nx-match.c mf_format_subfield,
 * lib/ofp-port.c ofputil_format_port).
 */
import { type LineError, lineError } from "../../util/diagnostic.js";
import { PORT_NAMES, reservedPort } from "../field-value.js";
import { type FieldDef, lookupField } from "../fields.js";
import type { Piece } from "./syntax.js";

export interface Subfield {
  field: FieldDef;
  /** Bit offset of the least significant bit, and the number of bits. */
  ofs: number;
  nBits: number;
}

export function wholeField(field: FieldDef): Subfield {
  return { field, ofs: 0, nBits: field.bits };
}

/** Parses `NAME[]`, `NAME[bit]`, `NAME[a..b]` or a bare `NAME` (the whole field). */
export function parseSubfield(p: Piece): Subfield | LineError {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[(?:(\d+)(?:\.\.(\d+))?)?\])?$/.exec(p.text);
  if (!m)
    return lineError(p.column, `expected a field or subfield such as NXM_NX_REG0[0..15], got "${p.text}"`);
  const field = lookupField(m[1]);
  if (!field) return lineError(p.column, `unknown field "${m[1]}"`, m[1]);
  if (m[2] === undefined) return wholeField(field);
  const lo = Number(m[2]);
  const hi = m[3] === undefined ? lo : Number(m[3]);
  if (hi < lo || hi >= field.bits)
    return lineError(
      p.column + m[1].length,
      `bits ${lo}..${hi} are outside ${field.name} (${field.bits} bits)`,
    );
  return { field, ofs: lo, nBits: hi - lo + 1 };
}

/** OVS prints a subfield under its NXM name (its OXM name for OXM-only fields, else its own name). */
export function formatSubfield(s: Subfield): string {
  const name = s.field.nxmName ?? s.field.oxmName ?? s.field.name;
  if (s.ofs === 0 && s.nBits === s.field.bits) return `${name}[]`;
  if (s.nBits === 1) return `${name}[${s.ofs}]`;
  return `${name}[${s.ofs}..${s.ofs + s.nBits - 1}]`;
}

/**
 * A port operand. A number or reserved port has `number`; a name (from `--names` dumps) keeps the name
 * and whether it was quoted, and is resolved against the bridge's ports later.
 */
export interface PortRef {
  number?: number;
  name?: string;
  quoted?: boolean;
}

export function parsePort(p: Piece): PortRef | LineError {
  const t = p.text;
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    return n <= 0xffffffff ? { number: n } : lineError(p.column, `port number ${t} is too large`);
  }
  if (/^0x[0-9a-f]+$/i.test(t)) return { number: Number.parseInt(t, 16) };
  const reserved = reservedPort(t);
  if (reserved !== undefined) return { number: reserved };
  if (t.startsWith('"')) {
    if (t.length < 2 || !t.endsWith('"')) return lineError(p.column, "unterminated quoted port name");
    return { name: t.slice(1, -1).replace(/\\(.)/g, "$1"), quoted: true };
  }
  if (/^[^\s,=()"]+$/.test(t)) return { name: t, quoted: false };
  return lineError(p.column, `expected a port number or name, got "${t}"`);
}

export function formatPort(r: PortRef): string {
  if (r.name !== undefined) return r.quoted ? `"${r.name.replace(/(["\\])/g, "\\$1")}"` : r.name;
  const n = r.number ?? 0;
  return PORT_NAMES.get(n) ?? String(n);
}

/** Parses an unsigned decimal or 0x-hex number no wider than `bits`. */
export function parseUnsigned(p: Piece, bits: number, what: string): bigint | LineError {
  const t = p.text.trim();
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(t))
    return lineError(p.column, `${what}: expected a number, got "${p.text}"`);
  const v = BigInt(t);
  if (v >> BigInt(bits) !== 0n) return lineError(p.column, `${what}: ${t} does not fit in ${bits} bits`);
  return v;
}

export function isError(x: unknown): x is LineError {
  return typeof x === "object" && x !== null && "message" in x && "column" in x;
}
