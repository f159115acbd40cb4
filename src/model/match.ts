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
  /**
   * A match that compiles without its fields (a dump's packed match, src/model/packed-match.ts, whose
   * fields are made only when read) does it here; compileMatchInto's arguments and result.
   */
  compileInto?(resolvePort: PortResolver, mask: FlowKey, value: FlowKey): string | undefined;
}

/**
 * What a spread copy of a packed match keeps (`{ ...m, priority: undefined }`, as a trace prints a
 * match without its priority): its own properties, the store and range its fields are read from, not the
 * `fields` getter of its class.
 */
interface PackedCopy {
  store?: { fieldsOf(m: Match): MatchField[] };
}

/** A match's fields, from a packed match's spread copy too (see PackedCopy). */
export function matchFields(m: Match): MatchField[] {
  return m.fields ?? (m as PackedCopy).store?.fieldsOf(m) ?? NO_FIELDS;
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
  const error = walkMatch(text, from, to, base, objectFields);
  if (error !== undefined) return { ok: false, error };
  return {
    ok: true,
    value: matchOf(walked.priority, walked.shorthand, exactCopy(objectFields.list, objectFields.n)),
  };
}

/**
 * A match object with the properties it has, in one literal: adding them one by one gives the object a
 * second allocation for the ones past its first (40 bytes a flow).
 */
export function matchOf(
  priority: number | undefined,
  shorthand: string | undefined,
  fields: MatchField[],
): Match {
  return priority === undefined
    ? shorthand === undefined
      ? { fields }
      : { shorthand, fields }
    : shorthand === undefined
      ? { priority, fields }
      : { priority, shorthand, fields };
}

/**
 * Where a match's walk puts each `name=value` token: MatchField objects (parseMatch) or a dump's packed
 * words (src/model/packed-match.ts). `begin` starts a match; `token` takes text[at, end) (its `=` at
 * `eq`, at `column` of its line) and says why it cannot, if it cannot.
 */
export interface FieldSink {
  begin(): void;
  token(text: string, at: number, eq: number, end: number, column: number): LineError | undefined;
}

/** The priority and shorthand of the match walkMatch last read. */
export const walked: { priority: number | undefined; shorthand: string | undefined } = {
  priority: undefined,
  shorthand: undefined,
};

/**
 * Walks the match text[from, to): the shorthand and priority into `walked`, every other token into
 * `sink`. Returns the first error (columns from `base`).
 */
export function walkMatch(
  text: string,
  from: number,
  to: number,
  base: number,
  sink: FieldSink,
): LineError | undefined {
  let shorthand: string | undefined;
  let priority: number | undefined;
  sink.begin();
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
      return { column, message: "empty field in match" };
    }
    let eq = text.indexOf("=", tokenAt);
    if (eq >= end) eq = -1;
    if (eq < 0) {
      const token = text.slice(tokenAt, end);
      if (!Object.hasOwn(SHORTHANDS, token))
        return { column, field: token, message: `unknown field or protocol "${token}"` };
      if (shorthand)
        return { column, field: token, message: `a second protocol "${token}" after "${shorthand}"` };
      shorthand = token;
      continue;
    }
    // Every flow writes its priority, and no two the same text for long: read before the cache.
    if (eq - tokenAt === 8 && text.startsWith("priority", tokenAt)) {
      const p = smallDecimal(text, eq + 1, end);
      if (p === undefined || p > 65535)
        return { column: column + 9, field: "priority", message: "priority must be 0-65535" };
      priority = p;
      continue;
    }
    const error = sink.token(text, tokenAt, eq, end, column);
    if (error !== undefined) return error;
  }
  walked.priority = priority;
  walked.shorthand = shorthand;
  return undefined;
}

/**
 * The token text[at, end) (its `=` at `eq`, at `column` of its line) as a MatchField of its own, or why
 * it is not one. The registry's own string is kept as the name when written so: one copy of `dl_src`
 * rather than one per flow.
 */
export function parseToken(
  text: string,
  at: number,
  eq: number,
  end: number,
  column: number,
): MatchField | LineError {
  const name = text.slice(at, eq);
  const field = lookupField(name);
  if (!field) return { column, field: name, message: `unknown field "${name}"` };
  const value = parseFieldValue(field, text.slice(eq + 1, end));
  if (!value.ok) return { column: column + eq - at + 1, field: name, message: value.message };
  return { name: name === field.name ? field.name : name, field, value: value.value };
}

/** A LineError, told from a MatchField (which has no `message`). */
export const isLineError = (r: MatchField | LineError): r is LineError => "message" in r;

/**
 * What a sink keeps of the match being walked: the fields it gave so far, to refuse one given twice.
 * Its own list of what it made of them (n of them) is the subclass's.
 */
export abstract class FieldGatherer implements FieldSink {
  private readonly defs: FieldDef[] = [];
  n = 0;

  begin(): void {
    this.n = 0;
  }

  abstract token(text: string, at: number, eq: number, end: number, column: number): LineError | undefined;

  /** Takes `field` as the match's next one (the subclass keeps what it made of it at n), or refuses it. */
  protected take(field: FieldDef, name: string, column: number): LineError | undefined {
    for (let i = 0; i < this.n; i++)
      if (this.defs[i] === field) return { column, field: name, message: `${name} given twice` };
    this.defs[this.n] = field;
    return undefined;
  }
}

/**
 * parseMatch's sink: tokens as MatchField objects, gathered in a scratch list (copied at its exact size
 * by the caller: an array grown by push keeps room for 16 more fields, 128 bytes for each flow of a large
 * dump).
 */
class ObjectFields extends FieldGatherer {
  readonly list: MatchField[] = [];

  token(text: string, at: number, eq: number, end: number, column: number): LineError | undefined {
    let f = parsedFields.get(text, at, end);
    if (f === undefined) {
      const parsed = parseToken(text, at, eq, end, column);
      if (isLineError(parsed)) return parsed;
      f = parsed;
      parsedFields.set(text, at, end, f);
    }
    const twice = this.take(f.field, f.name, column);
    if (twice !== undefined) return twice;
    this.list[this.n++] = f;
    return undefined;
  }
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

/** The fields of an empty match (`priority=0 actions=drop`): shared, never modified. */
const NO_FIELDS: MatchField[] = [];

/**
 * `name=value` tokens already parsed, shared by the matches that repeat them: a firewall dump writes the
 * same `reg5=0x1a`, `ct_state=+new-est` or `tp_dst=0x1f40/0xffc0` on flow after flow. Matches are never
 * modified after parsing, so sharing their fields is safe. Emptied when full, which keeps the tokens of
 * the flows just read (a port's flows are written together).
 */
const parsedFields = new SpanCache<MatchField>(16384);
const objectFields = new ObjectFields();

/** Prints a match as ovs-ofctl does: priority first (unless default), then OVS's field order. */
export function formatMatch(m: Match): string {
  const parts: Array<[number, string]> = [];
  if (m.shorthand) parts.push([rankOf("SHORTHAND"), m.shorthand]);
  for (const [i, f] of matchFields(m).entries()) {
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
  if (m.compileInto !== undefined) return m.compileInto(resolvePort, mask, value);
  if (m.shorthand) applyShorthand(m.shorthand, mask, value);
  for (const f of m.fields) {
    const failed = applyFieldInto(f, resolvePort, mask, value);
    if (failed !== undefined) return failed;
  }
  return undefined;
}

/** One field of a match written into a compiled mask and value; fails on a port name not resolved. */
export function applyFieldInto(
  f: MatchField,
  resolvePort: PortResolver,
  mask: FlowKey,
  value: FlowKey,
): string | undefined {
  if (f.value.portName) {
    const n = resolvePort(f.value.portName.name);
    if (n === undefined) return `unknown port "${f.value.portName.name}"`;
    writeMasked(mask, value, f.field, BigInt(n), f.value.mask);
    return undefined;
  }
  let p = fieldPatches.get(f);
  if (p === undefined) {
    p = patchOf(f.field, f.value.value, f.value.mask);
    fieldPatches.set(f, p);
  }
  applyPatch(mask, value, p);
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
export type FieldPatch = number[];

const fieldPatches = new WeakMap<MatchField, FieldPatch>();
const patchMask = ownFlowKey();
const patchValue = ownFlowKey();
const patchBits = ownFlowKey();

export function patchOf(f: FieldDef, v: bigint, mk: bigint): FieldPatch {
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

export function applyPatch(mask: FlowKey, value: FlowKey, p: FieldPatch): void {
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
/** What a shorthand (`tcp`: dl_type and nw_proto) writes into a compiled mask and value. */
export function applyShorthand(name: string, mask: FlowKey, value: FlowKey): void {
  applyPatch(mask, value, SHORTHAND_PATCHES.get(name) ?? []);
}
