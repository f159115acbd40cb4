/**
 * Parsing and printing field values exactly as ovs-ofctl does (lib/meta-flow.c mf_format and
 * lib/match.c): decimal fields print masked values in hex, hexadecimal ones use C's "%#x" (so zero is
 * "0"), addresses use CIDR when the mask is a prefix, and a few fields have a fixed width in matches.
 */

import type { FieldDef } from "./fields.js";
import { CS, OFPP } from "./layout.js";
import {
  allOnes,
  formatHex,
  formatIpv4,
  formatIpv6,
  formatMac,
  parseIpv4 as ipv4,
  parseIpv6 as ipv6,
  parseMac as mac,
  parseInteger,
  prefixLength,
  prefixMask,
} from "./value/index.js";

export interface FieldValue {
  value: bigint;
  mask: bigint;
  /**
   * A port given by name (`in_port="patch-tun"` in `--names` dumps): `value` is 0 until the name is
   * resolved against the bridge's port table; `quoted` keeps the spelling for printing it back.
   */
  portName?: { name: string; quoted: boolean };
}

export type ValueResult = { ok: true; value: FieldValue } | { ok: false; message: string };

const all = allOnes;

/** Fields printed with a fixed number of hex digits in matches (match_format's special cases). */
const PADDED_HEX: Record<string, number> = { vlan_tci: 4, vlan_tci1: 4, ipv6_label: 5 };

/** Reserved port names as OVS prints them (OF1.0 numbering). */
export const PORT_NAMES: ReadonlyMap<number, string> = new Map([
  [OFPP.inPort, "IN_PORT"],
  [OFPP.table, "TABLE"],
  [OFPP.normal, "NORMAL"],
  [OFPP.flood, "FLOOD"],
  [OFPP.all, "ALL"],
  [OFPP.controller, "CONTROLLER"],
  [OFPP.local, "LOCAL"],
  [OFPP.none, "ANY"],
]);
const PORT_BY_NAME = new Map([...PORT_NAMES].map(([n, s]) => [s, n]));
PORT_BY_NAME.set("NONE", OFPP.none);

/** A reserved port's number by name (`in_port`, `NORMAL`, `local`: OVS compares case-insensitively). */
export function reservedPort(name: string): number | undefined {
  return PORT_BY_NAME.get(name.toUpperCase());
}

/** ct_state flag names in OVS's bit order (ct_state_to_string). */
export const CT_FLAGS: ReadonlyArray<[string, number]> = [
  ["new", CS.new],
  ["est", CS.est],
  ["rel", CS.rel],
  ["rpl", CS.rpl],
  ["inv", CS.inv],
  ["trk", CS.trk],
  ["snat", CS.snat],
  ["dnat", CS.dnat],
];
const TCP_FLAGS: ReadonlyArray<[string, number]> = [
  ["fin", 0x001],
  ["syn", 0x002],
  ["rst", 0x004],
  ["psh", 0x008],
  ["ack", 0x010],
  ["urg", 0x020],
  ["ece", 0x040],
  ["cwr", 0x080],
  ["ns", 0x100],
];
/** nw_frag keywords: value/mask pairs (FLOW_NW_FRAG_ANY = 1, FLOW_NW_FRAG_LATER = 2). */
const FRAG: ReadonlyArray<[string, number, number]> = [
  ["no", 0, 3],
  ["yes", 1, 1],
  ["first", 1, 3],
  ["later", 3, 3],
  ["not_later", 0, 2],
];

const hexOf = formatHex;

// The value module's printers and parsers under the names the rest of the code knows them by.
export const macOf = formatMac;
export const ipv4Of = formatIpv4;
export const ipv6Of = formatIpv6;
export const parseMac = (text: string): bigint | null => mac(text) ?? null;
export const parseIpv4 = (text: string): bigint | null => ipv4(text) ?? null;
export const parseIpv6 = (text: string): bigint | null => ipv6(text) ?? null;

function flagsOf(names: ReadonlyArray<[string, number]>, value: bigint, mask: bigint): string {
  let out = "";
  for (const [name, bit] of names) {
    if (mask & BigInt(bit)) out += `${value & BigInt(bit) ? "+" : "-"}${name}`;
  }
  return out;
}

/** Formats a parsed value back, port names included, as ovs-ofctl printed it. */
export function formatParsedValue(f: FieldDef, v: FieldValue, where: ValueContext = "match"): string {
  if (v.portName) return v.portName.quoted ? `"${v.portName.name}"` : v.portName.name;
  return formatFieldValue(f, v.value, v.mask, where);
}

/**
 * Matches and actions print a few fields differently: match_format pads vlan_tci and ipv6_label to a
 * fixed width, while set_field and learn print through mf_format, which does not.
 */
export type ValueContext = "match" | "action";

/** Formats a value (with its mask when not exact) as ovs-ofctl prints it in a match. */
export function formatFieldValue(
  f: FieldDef,
  value: bigint,
  mask: bigint = all(f.bits),
  where: ValueContext = "match",
): string {
  const exact = mask === all(f.bits);
  switch (f.format) {
    case "dec":
      return exact ? value.toString() : `${hexOf(value)}/${hexOf(mask)}`;
    case "hex": {
      const width = where === "match" ? PADDED_HEX[f.name] : undefined;
      const h = (v: bigint) => (width ? `0x${v.toString(16).padStart(width, "0")}` : hexOf(v));
      return exact ? h(value) : `${h(value)}/${h(mask)}`;
    }
    case "mac":
      return exact ? macOf(value) : `${macOf(value)}/${macOf(mask)}`;
    case "ipv4":
    case "ipv6": {
      const of = f.format === "ipv4" ? ipv4Of : ipv6Of;
      if (exact) return of(value);
      const p = prefixLength(mask, f.bits);
      return p >= 0 ? `${of(value)}/${p}` : `${of(value)}/${of(mask)}`;
    }
    case "port":
      return PORT_NAMES.get(Number(value)) ?? value.toString();
    case "frag": {
      const hit = FRAG.find(([, v, m]) => BigInt(v) === value && BigInt(m) === mask);
      return hit ? hit[0] : `${hexOf(value)}/${hexOf(mask)}`;
    }
    case "ctState":
      return flagsOf(CT_FLAGS, value, mask) || "0/0";
    case "tcpFlags":
      return exact
        ? TCP_FLAGS.filter(([, b]) => value & BigInt(b))
            .map(([n]) => n)
            .join("|") || "0"
        : flagsOf(TCP_FLAGS, value, mask);
    default: {
      const never: never = f.format;
      return String(never);
    }
  }
}

/** OVS reads numbers as decimal or 0x hexadecimal, of any size (the width is checked after). */
function parseNumber(text: string): bigint | null {
  return parseInteger(text) ?? null;
}

function parseFlags(names: ReadonlyArray<[string, number]>, text: string): FieldValue | null {
  let value = 0n;
  let mask = 0n;
  const re = /([+-])([a-z]+)/g;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const bit = names.find(([n]) => n === m[2]);
    if (!bit || m.index !== consumed) return null;
    consumed += m[0].length;
    mask |= BigInt(bit[1]);
    if (m[1] === "+") value |= BigInt(bit[1]);
  }
  return consumed === text.length && consumed > 0 ? { value, mask } : null;
}

function expected(f: FieldDef, text: string, what: string): ValueResult {
  return { ok: false, message: `${f.name}: expected ${what}, got "${text}"` };
}

/** One value (or mask) of a field, by its format. A plain function: this runs for every match field. */
function scalarOf(f: FieldDef, t: string): bigint | null {
  switch (f.format) {
    case "mac":
      return parseMac(t);
    case "ipv4":
      return parseIpv4(t);
    case "ipv6":
      return parseIpv6(t);
    default:
      return parseNumber(t);
  }
}

/** Parses `VALUE[/MASK]` for a field; errors say what was expected. */
export function parseFieldValue(f: FieldDef, text: string): ValueResult {
  const full = all(f.bits);
  if (f.format === "frag") {
    const hit = FRAG.find(([n]) => n === text);
    return hit
      ? { ok: true, value: { value: BigInt(hit[1]), mask: BigInt(hit[2]) } }
      : expected(f, text, "no, yes, first, later or not_later");
  }
  if (f.format === "ctState" || (f.format === "tcpFlags" && /^[+-]/.test(text))) {
    const v = parseFlags(f.format === "ctState" ? CT_FLAGS : TCP_FLAGS, text);
    if (v) return { ok: true, value: v };
    if (f.format === "tcpFlags")
      return expected(f, text, "+flag-flag... (fin, syn, rst, psh, ack, urg, ece, cwr, ns)");
  }
  if (f.format === "tcpFlags" && /^[a-z|]+$/.test(text)) {
    let value = 0n;
    for (const n of text.split("|")) {
      const bit = TCP_FLAGS.find(([name]) => name === n);
      if (!bit) return expected(f, text, "TCP flag names joined by |");
      value |= BigInt(bit[1]);
    }
    return { ok: true, value: { value, mask: full } };
  }
  if (f.format === "port") {
    // A number as written (most ports of a dump) is read without unquoting or name lookups: no reserved
    // name is a number.
    const number = parseNumber(text);
    const unquoted = number !== null ? text : text.replace(/^"(.*)"$/, "$1");
    const named = number !== null ? undefined : PORT_BY_NAME.get(unquoted.toUpperCase());
    if (named !== undefined) return { ok: true, value: { value: BigInt(named), mask: full } };
    const n = number ?? parseNumber(unquoted);
    if (n !== null)
      return n > full
        ? expected(f, text, `a port number of at most ${f.bits} bits`)
        : { ok: true, value: { value: n, mask: full } };
    // A port name: resolved to a number later against the bridge's port table.
    if (!/^[^\s,=()"]+$/.test(unquoted)) return expected(f, text, "a port number or name");
    return {
      ok: true,
      value: { value: 0n, mask: full, portName: { name: unquoted, quoted: unquoted !== text } },
    };
  }
  const slash = text.indexOf("/");
  const valueText = slash < 0 ? text : text.slice(0, slash);
  const maskText = slash < 0 ? undefined : text.slice(slash + 1);
  const value = scalarOf(f, valueText);
  if (value === null)
    return expected(
      f,
      text,
      f.format === "mac"
        ? "a MAC address"
        : f.format === "ipv4"
          ? "an IPv4 address"
          : f.format === "ipv6"
            ? "an IPv6 address"
            : "a number",
    );
  if (value > full) return expected(f, text, `a value of at most ${f.bits} bits`);
  let mask = full;
  if (maskText !== undefined) {
    if (!f.maskable) return { ok: false, message: `${f.name} cannot be masked` };
    if ((f.format === "ipv4" || f.format === "ipv6") && /^\d+$/.test(maskText)) {
      const p = Number(maskText);
      if (p > f.bits) return expected(f, text, `a prefix length of at most ${f.bits}`);
      mask = prefixMask(p, f.bits);
    } else {
      const m = scalarOf(f, maskText);
      if (m === null || m > full) return expected(f, text, "a valid mask");
      mask = m;
    }
  }
  // Unmasked (the common case), the value is already within the field: no new bigint for it.
  return { ok: true, value: { value: mask === full ? value : value & mask, mask } };
}
