/**
 * Flow matches as ovs-ofctl writes them (`priority=10,arp,in_port=2,arp_spa=192.168.10.5`): parsing
 * with column-accurate errors, printing in OVS's canonical field order (lib/match.c match_format),
 * and compiling to the word masks the classifier uses.
 */

import type { LineError } from "../util/diagnostic.js";
import { SpanCache } from "../util/span-cache.js";
import { type FieldValue, formatParsedValue, parseFieldValue } from "./field-value.js";
import { allOnes, FIELD, type FieldDef, lookupField, wordBits, wordShift, writeField } from "./fields.js";
import { type FlowKey, K, KSIZE, newFlowKey, ownFlowKey, VLAN_CFI } from "./layout.js";

/** The protocol shorthands: each stands for dl_type (and nw_proto) values. */
export const SHORTHANDS: Readonly<Record<string, { dlType: number; nwProto?: number }>> = {
  ip: { dlType: 0x0800 },
  ipv6: { dlType: 0x86dd },
  icmp: { dlType: 0x0800, nwProto: 1 },
  icmp6: { dlType: 0x86dd, nwProto: 58 },
  tcp: { dlType: 0x0800, nwProto: 6 },
  tcp6: { dlType: 0x86dd, nwProto: 6 },
  udp: { dlType: 0x0800, nwProto: 17 },
  udp6: { dlType: 0x86dd, nwProto: 17 },
  sctp: { dlType: 0x0800, nwProto: 132 },
  sctp6: { dlType: 0x86dd, nwProto: 132 },
  arp: { dlType: 0x0806 },
  rarp: { dlType: 0x8035 },
  mpls: { dlType: 0x8847 },
  mplsm: { dlType: 0x8848 },
};

export const DEFAULT_PRIORITY = 32768;

export interface MatchField {
  /** The name as written (`dl_vlan`, `icmp_type`...): OVS prints several fields under more than one name. */
  name: string;
  field: FieldDef;
  value: FieldValue;
}

export interface Match {
  /** Absent when not written: the OpenFlow default (32768), which ovs-ofctl does not print. */
  priority?: number;
  shorthand?: string;
  fields: MatchField[];
}

/**
 * OVS's printing order. Names not listed print after these, in the order given. Shorthands take the
 * place of "SHORTHAND".
 */
const ORDER: readonly string[] = [
  "pkt_mark",
  "recirc_id",
  "dp_hash",
  "conj_id",
  "skb_priority",
  "actset_output",
  "ct_state",
  "ct_zone",
  "ct_mark",
  "ct_label",
  "ct_nw_src",
  "ct_nw_dst",
  "ct_ipv6_src",
  "ct_ipv6_dst",
  "ct_nw_proto",
  "ct_tp_src",
  "ct_tp_dst",
  "packet_type",
  "SHORTHAND",
  ...Array.from({ length: 16 }, (_, i) => `reg${i}`),
  ...Array.from({ length: 8 }, (_, i) => `xreg${i}`),
  ...Array.from({ length: 4 }, (_, i) => `xxreg${i}`),
  "tun_id",
  "tun_src",
  "tun_dst",
  "tun_ipv6_src",
  "tun_ipv6_dst",
  "tun_gbp_id",
  "tun_gbp_flags",
  "tun_tos",
  "tun_ttl",
  "tun_flags",
  "tun_erspan_ver",
  "tun_erspan_idx",
  "tun_erspan_dir",
  "tun_erspan_hwid",
  ...Array.from({ length: 64 }, (_, i) => `tun_metadata${i}`),
  "metadata",
  "in_port",
  "in_port_oxm",
  "dl_vlan",
  "dl_vlan_pcp",
  "vlan_tci",
  "vlan_tci1",
  "dl_src",
  "dl_dst",
  "dl_type",
  "mpls_label",
  "mpls_tc",
  "mpls_ttl",
  "mpls_bos",
  "ipv6_src",
  "ipv6_dst",
  "ipv6_label",
  "nw_src",
  "nw_dst",
  "arp_spa",
  "arp_tpa",
  "nw_proto",
  "arp_op",
  "arp_sha",
  "arp_tha",
  "nw_tos",
  "ip_dscp",
  "nw_ecn",
  "nw_ttl",
  "nw_frag",
  "icmp_type",
  "icmp_code",
  "icmpv6_type",
  "icmpv6_code",
  "tp_src",
  "tp_dst",
  "nd_target",
  "nd_sll",
  "nd_tll",
  "nd_reserved",
  "nd_options_type",
  "tcp_flags",
];
const RANK = new Map(ORDER.map((n, i) => [n, i]));
const rankOf = (name: string): number => RANK.get(name) ?? ORDER.length;

export type MatchResult = { ok: true; value: Match } | { ok: false; error: LineError };

/**
 * Parses a match. `base` is the 1-based column of `text` in its line, so errors point into the line.
 * Tokens are separated by commas; a quoted port name may contain none of `,=`.
 */
export function parseMatch(text: string, base = 1): MatchResult {
  return parseMatchIn(text, 0, text.length, base);
}

/**
 * parseMatch of text[from, to), whose first character is at column `base` of its line: a flow dump's
 * loader reads the match inside the flow's line, without cutting it out.
 */
export function parseMatchIn(text: string, from: number, to: number, base: number): MatchResult {
  let shorthand: string | undefined;
  let priority: number | undefined;
  // Gathered in a scratch list and copied at its exact size: an array grown by push keeps room for 16
  // more fields, 128 bytes for each flow of a large dump.
  const fields = scratchFields;
  let n = 0;
  // Walked with indexOf rather than split: no array of tokens per flow of a large dump.
  for (let at = from, last = false; !last; ) {
    let end = text.indexOf(",", at);
    if (end < 0 || end >= to) {
      end = to;
      last = true;
    }
    const column = base + at - from;
    const tokenAt = at;
    at = end + 1;
    if (end === tokenAt) {
      if (from === to) break;
      return { ok: false, error: { column, message: "empty field in match" } };
    }
    let eq = text.indexOf("=", tokenAt);
    if (eq >= end) eq = -1;
    if (eq < 0) {
      const token = text.slice(tokenAt, end);
      if (!Object.hasOwn(SHORTHANDS, token))
        return {
          ok: false,
          error: { column, field: token, message: `unknown field or protocol "${token}"` },
        };
      if (shorthand)
        return {
          ok: false,
          error: { column, field: token, message: `a second protocol "${token}" after "${shorthand}"` },
        };
      shorthand = token;
      continue;
    }
    // Every flow writes its priority, and no two the same text for long: read before the cache.
    if (eq - tokenAt === 8 && text.startsWith("priority", tokenAt)) {
      const p = smallDecimal(text, eq + 1, end);
      if (p === undefined || p > 65535)
        return {
          ok: false,
          error: { column: column + 9, field: "priority", message: "priority must be 0-65535" },
        };
      priority = p;
      continue;
    }
    const known = parsedFields.get(text, tokenAt, end);
    if (known !== undefined) {
      if (hasField(fields, n, known.field))
        return { ok: false, error: { column, field: known.name, message: `${known.name} given twice` } };
      fields[n++] = known;
      continue;
    }
    const name = text.slice(tokenAt, eq);
    const valueText = text.slice(eq + 1, end);
    const field = lookupField(name);
    if (!field) return { ok: false, error: { column, field: name, message: `unknown field "${name}"` } };
    const value = parseFieldValue(field, valueText);
    if (!value.ok)
      return { ok: false, error: { column: column + eq - tokenAt + 1, field: name, message: value.message } };
    if (hasField(fields, n, field)) {
      return { ok: false, error: { column, field: name, message: `${name} given twice` } };
    }
    // The registry's own string when written so: one copy of `dl_src` rather than one per flow.
    const parsed: MatchField = { name: name === field.name ? field.name : name, field, value: value.value };
    parsedFields.set(text, tokenAt, end, parsed);
    fields[n++] = parsed;
  }
  // Made with the properties it has in one literal: adding them one by one gives the object a second
  // allocation for the ones past its first (40 bytes a flow).
  const list = exactCopy(fields, n);
  const match: Match =
    priority === undefined
      ? shorthand === undefined
        ? { fields: list }
        : { shorthand, fields: list }
      : shorthand === undefined
        ? { priority, fields: list }
        : { priority, shorthand, fields: list };
  return { ok: true, value: match };
}

/** The decimal number text[from, to) (ASCII digits only, at most 9 of them), or undefined. */
function smallDecimal(text: string, from: number, to: number): number | undefined {
  if (from >= to || to - from > 9) return undefined;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

/**
 * fields[0, n) as an array of its own, of exact size: literals for the usual few fields (allocated
 * inline, where Array.prototype.slice is a builtin call for each flow), a copy past them.
 */
function exactCopy(f: MatchField[], n: number): MatchField[] {
  switch (n) {
    case 0:
      return NO_FIELDS;
    case 1:
      return [f[0]];
    case 2:
      return [f[0], f[1]];
    case 3:
      return [f[0], f[1], f[2]];
    case 4:
      return [f[0], f[1], f[2], f[3]];
    default:
      return f.slice(0, n);
  }
}

const scratchFields: MatchField[] = [];
/** The fields of an empty match (`priority=0 actions=drop`): shared, never modified. */
const NO_FIELDS: MatchField[] = [];

/**
 * `name=value` tokens already parsed, shared by the matches that repeat them: a firewall dump writes the
 * same `reg5=0x1a`, `ct_state=+new-est` or `tp_dst=0x1f40/0xffc0` on flow after flow. Matches are never
 * modified after parsing, so sharing their fields is safe. Emptied when full, which keeps the tokens of
 * the flows just read (a port's flows are written together).
 */
const parsedFields = new SpanCache<MatchField>(16384);

function hasField(fields: readonly MatchField[], n: number, field: FieldDef): boolean {
  for (let i = 0; i < n; i++) if (fields[i].field === field) return true;
  return false;
}

/** Prints a match as ovs-ofctl does: priority first (unless default), then OVS's field order. */
export function formatMatch(m: Match): string {
  const parts: Array<[number, string]> = [];
  if (m.shorthand) parts.push([rankOf("SHORTHAND"), m.shorthand]);
  for (const [i, f] of m.fields.entries()) {
    // A field masked with zero matches anything: ovs-ofctl leaves it out (`nw_src=0.0.0.0/0`).
    if (f.value.mask === 0n && !f.value.portName) continue;
    // Stable: equal ranks keep their written order (i / 1000 never reaches the next rank).
    parts.push([rankOf(f.name) + i / 1000, `${f.name}=${formatParsedValue(f.field, f.value)}`]);
  }
  parts.sort((a, b) => a[0] - b[0]);
  const body = parts.map(([, s]) => s);
  if (m.priority !== undefined) body.unshift(`priority=${m.priority}`);
  return body.join(",");
}

/** Resolves a port name to its OpenFlow number (from the bridge's `ovs-ofctl show`). */
export type PortResolver = (name: string) => number | undefined;

export type CompiledMatch = { mask: FlowKey; value: FlowKey };

/**
 * The classifier's form: a mask and a masked value over the flow key, including what the shorthand
 * implies. Fails only on a port name the resolver does not know.
 */
export function compileMatch(
  m: Match,
  resolvePort: PortResolver = () => undefined,
): { ok: true; value: CompiledMatch } | { ok: false; message: string } {
  const mask = newFlowKey();
  const value = newFlowKey();
  const failed = compileMatchInto(m, resolvePort, mask, value);
  return failed === undefined ? { ok: true, value: { mask, value } } : { ok: false, message: failed };
}

/**
 * compileMatch into keys the caller gives (zeroed), so that a classifier of many flows can compile each
 * mask into one scratch key and keep it once per subtable. Returns why it failed, if it did.
 */
export function compileMatchInto(
  m: Match,
  resolvePort: PortResolver,
  mask: FlowKey,
  value: FlowKey,
): string | undefined {
  if (m.shorthand) applyPatch(mask, value, shorthandPatch(m.shorthand));
  for (const f of m.fields) {
    if (f.value.portName) {
      const n = resolvePort(f.value.portName.name);
      if (n === undefined) return `unknown port "${f.value.portName.name}"`;
      writeMasked(mask, value, f.field, BigInt(n), f.value.mask);
      continue;
    }
    let p = fieldPatches.get(f);
    if (p === undefined) {
      p = patchOf(f.field, f.value.value, f.value.mask);
      fieldPatches.set(f, p);
    }
    applyPatch(mask, value, p);
  }
  return undefined;
}

/** A field written into a mask and a value (dl_vlan and dl_vlan_pcp through vlan_tci, as in OVS). */
function writeMasked(mask: FlowKey, value: FlowKey, f: FieldDef, v: bigint, mk: bigint): void {
  // dl_vlan and dl_vlan_pcp also require a tag to be present (the CFI bit), as in OVS.
  if (f === FIELD.dl_vlan || f === FIELD.dl_vlan_pcp) {
    const tci = FIELD.vlan_tci;
    const bits = BigInt(wordBits(f));
    const present = BigInt(VLAN_CFI);
    writeField(mask, tci, present | bits);
    writeField(value, tci, present | ((v << BigInt(wordShift(f))) & bits));
    return;
  }
  writeField(mask, f, mk);
  writeField(value, f, v & mk);
}

/**
 * What one field does to a compiled match, word by word: `[word, bits it owns, mask bits, value bits]`
 * repeated. Applied with plain number operations: the bigint arithmetic of writeField is done once per
 * distinct field value, not once per flow (a dump writes `reg5=0x1a` or `ct_state=+new-est` on flow
 * after flow, and those flows share one MatchField).
 */
type FieldPatch = number[];

const fieldPatches = new WeakMap<MatchField, FieldPatch>();
const patchMask = ownFlowKey();
const patchValue = ownFlowKey();
const patchBits = ownFlowKey();

function patchOf(f: FieldDef, v: bigint, mk: bigint): FieldPatch {
  writeMasked(patchMask, patchValue, f, v, mk);
  const owner = f === FIELD.dl_vlan || f === FIELD.dl_vlan_pcp ? FIELD.vlan_tci : f;
  writeField(patchBits, owner, allOnes(owner.bits));
  const p: FieldPatch = [];
  const from = K[owner.slot];
  for (let w = from; w < from + KSIZE[owner.slot]; w++) {
    if (patchBits[w] !== 0) p.push(w, patchBits[w], patchMask[w], patchValue[w]);
    patchBits[w] = 0;
    patchMask[w] = 0;
    patchValue[w] = 0;
  }
  return p;
}

function applyPatch(mask: FlowKey, value: FlowKey, p: FieldPatch): void {
  for (let i = 0; i < p.length; i += 4) {
    const w = p[i];
    const owned = ~p[i + 1];
    mask[w] = (mask[w] & owned) | p[i + 2];
    value[w] = (value[w] & owned) | p[i + 3];
  }
}

/** The dl_type (and nw_proto) a shorthand stands for, as one patch. */
const SHORTHAND_PATCHES = new Map(
  Object.entries(SHORTHANDS).map(([name, sh]) => {
    const p = patchOf(FIELD.dl_type, BigInt(sh.dlType), 0xffffn);
    if (sh.nwProto !== undefined) p.push(...patchOf(FIELD.nw_proto, BigInt(sh.nwProto), 0xffn));
    return [name, p];
  }),
);
const shorthandPatch = (name: string): FieldPatch => SHORTHAND_PATCHES.get(name) ?? [];
