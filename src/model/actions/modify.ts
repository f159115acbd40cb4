/** Actions that rewrite packet fields or metadata. */
import { lineError } from "../../util/diagnostic.js";
import { formatFieldValue, formatParsedValue, parseFieldValue } from "../field-value.js";
import { FIELD, type FieldDef, lookupField, setFieldName } from "../fields.js";
import { type ActionFacts, readsNothing, readsSlots, SET_LAST, uncacheable } from "./facts.js";
import { formatSubfield, isError, parseSubfield, parseUnsigned, type Subfield } from "./refs.js";
import {
  type ActionSpec,
  arrow,
  bigArg,
  hex,
  noArg,
  numberArg,
  type ParseInput,
  requireArg,
} from "./spec.js";
import type { ActionOf, ActionType } from "./types.js";

/** An action whose argument is a value of one registry field (`mod_dl_src:MAC`, `mod_nw_dst:IP`). */
function valueAction<T extends ActionType>(
  keyword: string,
  field: FieldDef,
  build: (v: bigint) => ActionOf<T>,
  read: (a: ActionOf<T>) => bigint,
  facts: ActionFacts<T>,
): ActionSpec<T> {
  return {
    ...facts,
    keywords: [keyword],
    parse(input) {
      const arg = requireArg(input);
      if (isError(arg)) return arg;
      const v = parseFieldValue(field, arg.text);
      if (!v.ok) return lineError(arg.column, v.message, keyword);
      if (v.value.mask !== (1n << BigInt(field.bits)) - 1n)
        return lineError(arg.column, `${keyword} cannot be masked`);
      return build(v.value.value);
    },
    format: (a) => `${keyword}:${formatFieldValue(field, read(a))}`,
  };
}

/** An action with a small decimal argument (`mod_nw_ttl:64`). */
function numberAction<T extends ActionType>(
  keywords: readonly string[],
  bits: number,
  build: (n: number, input: ParseInput) => ActionOf<T> | ReturnType<typeof lineError>,
  format: (a: ActionOf<T>) => string,
  facts: ActionFacts<T>,
): ActionSpec<T> {
  return {
    ...facts,
    keywords,
    parse(input) {
      const n = numberArg(input, bits);
      return isError(n) ? n : build(n, input);
    },
    format,
  };
}

/** The bit range a contiguous non-empty mask covers, or undefined. */
function bitRange(mask: bigint): { ofs: number; nBits: number } | undefined {
  if (mask === 0n) return undefined;
  let ofs = 0;
  while (((mask >> BigInt(ofs)) & 1n) === 0n) ofs++;
  const run = mask >> BigInt(ofs);
  if ((run & (run + 1n)) !== 0n) return undefined;
  return { ofs, nBits: run.toString(2).length };
}

export const setField: ActionSpec<"setField"> = {
  actionSetOrder: 7,
  reversible: true,
  megaflow: (a, mask) => mask.written(a.field),
  keywords: ["set_field"],
  parse(input) {
    const arg = requireArg(input);
    if (isError(arg)) return arg;
    const parts = arrow(arg, "set_field");
    if (isError(parts)) return parts;
    const [valuePiece, dstPiece] = parts;
    const field = lookupField(dstPiece.text);
    if (!field) return lineError(dstPiece.column, `unknown field "${dstPiece.text}"`, dstPiece.text);
    if (!field.writable) return lineError(dstPiece.column, `${field.name} is read-only`, field.name);
    const v = parseFieldValue(field, valuePiece.text);
    if (!v.ok) return lineError(valuePiece.column, v.message, field.name);
    const full = (1n << BigInt(field.bits)) - 1n;
    const range = v.value.mask === full ? undefined : bitRange(v.value.mask);
    // OVS stores a set_field with a contiguous mask as a register load, and prints it as one.
    if (range) return { type: "load", dst: { field, ...range }, value: v.value.value >> BigInt(range.ofs) };
    return { type: "setField", field, value: v.value, name: setFieldName(dstPiece.text, field) };
  },
  format: (a) => `set_field:${formatParsedValue(a.field, a.value, "action")}->${a.name}`,
};

export const load: ActionSpec<"load"> = {
  actionSetOrder: 8,
  reversible: true,
  megaflow: (a, mask) => mask.written(a.dst.field),
  keywords: ["load"],
  parse(input) {
    const arg = requireArg(input);
    if (isError(arg)) return arg;
    const parts = arrow(arg, "load");
    if (isError(parts)) return parts;
    const dst = parseSubfield(parts[1]);
    if (isError(dst)) return dst;
    const value = parseUnsigned(parts[0], dst.nBits, "load");
    return isError(value) ? value : { type: "load", dst, value };
  },
  format: (a) => `load:${hex(a.value)}->${formatSubfield(a.dst)}`,
};

export const move: ActionSpec<"move"> = {
  actionSetOrder: 9,
  reversible: true,
  megaflow: (a, mask) => mask.field(a.src.field) && mask.written(a.dst.field),
  keywords: ["move"],
  parse(input) {
    const arg = requireArg(input);
    if (isError(arg)) return arg;
    const parts = arrow(arg, "move");
    if (isError(parts)) return parts;
    const src = parseSubfield(parts[0]);
    if (isError(src)) return src;
    const dst = parseSubfield(parts[1]);
    if (isError(dst)) return dst;
    if (src.nBits !== dst.nBits)
      return lineError(arg.column, `move: source has ${src.nBits} bits, destination ${dst.nBits}`, "move");
    return { type: "move", src, dst };
  },
  format: (a) => `move:${formatSubfield(a.src)}->${formatSubfield(a.dst)}`,
};

export const setVlanVid = numberAction<"setVlanVid">(
  ["mod_vlan_vid", "set_vlan_vid"],
  12,
  (vid, i) => ({ type: "setVlanVid", vid, pushIfNeeded: i.keyword === "mod_vlan_vid" }),
  (a) => `${a.pushIfNeeded ? "mod_vlan_vid" : "set_vlan_vid"}:${a.vid}`,
  {
    actionSetOrder: 10,
    reversible: true,
    megaflow: readsSlots("vlanTci", "vlanTpid"),
  },
);

export const setVlanPcp = numberAction<"setVlanPcp">(
  ["mod_vlan_pcp", "set_vlan_pcp"],
  3,
  (pcp, i) => ({ type: "setVlanPcp", pcp, pushIfNeeded: i.keyword === "mod_vlan_pcp" }),
  (a) => `${a.pushIfNeeded ? "mod_vlan_pcp" : "set_vlan_pcp"}:${a.pcp}`,
  {
    actionSetOrder: 11,
    reversible: true,
    megaflow: readsSlots("vlanTci", "vlanTpid"),
  },
);

export const stripVlan: ActionSpec<"stripVlan"> = {
  actionSetOrder: 1,
  reversible: true,
  megaflow: readsSlots("vlanTci", "vlanTpid"),
  keywords: ["strip_vlan", "pop_vlan"],
  parse(input) {
    const a = noArg("stripVlan", input);
    return isError(a) ? a : { ...a, spelling: input.keyword === "pop_vlan" ? "pop_vlan" : "strip_vlan" };
  },
  format: (a) => a.spelling,
};

export const pushVlan = numberAction<"pushVlan">(
  ["push_vlan"],
  16,
  (ethertype, i) =>
    ethertype === 0x8100 || ethertype === 0x88a8
      ? { type: "pushVlan", ethertype }
      : lineError(i.arg?.column ?? 0, "push_vlan: the ethertype must be 0x8100 or 0x88a8", "push_vlan"),
  (a) => `push_vlan:${hex(a.ethertype)}`,
  {
    actionSetOrder: 4,
    reversible: true,
    megaflow: readsSlots("vlanTci", "vlanTpid"),
  },
);

export const setEthSrc = valueAction<"setEthSrc">(
  "mod_dl_src",
  FIELD.dl_src,
  (mac) => ({ type: "setEthSrc", mac }),
  (a) => a.mac,
  {
    actionSetOrder: 12,
    reversible: true,
    megaflow: readsSlots("dlSrc"),
  },
);
export const setEthDst = valueAction<"setEthDst">(
  "mod_dl_dst",
  FIELD.dl_dst,
  (mac) => ({ type: "setEthDst", mac }),
  (a) => a.mac,
  {
    actionSetOrder: 13,
    reversible: true,
    megaflow: readsSlots("dlDst"),
  },
);
export const setIpv4Src = valueAction<"setIpv4Src">(
  "mod_nw_src",
  FIELD.nw_src,
  (addr) => ({ type: "setIpv4Src", addr }),
  (a) => a.addr,
  {
    actionSetOrder: 14,
    reversible: true,
    megaflow: readsSlots("nwSrc"),
  },
);
export const setIpv4Dst = valueAction<"setIpv4Dst">(
  "mod_nw_dst",
  FIELD.nw_dst,
  (addr) => ({ type: "setIpv4Dst", addr }),
  (a) => a.addr,
  {
    actionSetOrder: 15,
    reversible: true,
    megaflow: readsSlots("nwDst"),
  },
);

export const setIpDscp = numberAction<"setIpDscp">(
  ["mod_nw_tos"],
  8,
  (tos, i) =>
    tos & 3
      ? lineError(i.arg?.column ?? 0, "mod_nw_tos: the ECN bits (the low two) must be zero", "mod_nw_tos")
      : { type: "setIpDscp", tos },
  (a) => `mod_nw_tos:${a.tos}`,
  {
    actionSetOrder: 16,
    reversible: true,
    megaflow: readsSlots("nwTos"),
  },
);
export const setIpEcn = numberAction<"setIpEcn">(
  ["mod_nw_ecn"],
  2,
  (ecn) => ({ type: "setIpEcn", ecn }),
  (a) => `mod_nw_ecn:${a.ecn}`,
  {
    actionSetOrder: 17,
    reversible: true,
    megaflow: readsSlots("nwTos"),
  },
);
export const setIpTtl = numberAction<"setIpTtl">(
  ["mod_nw_ttl"],
  8,
  (ttl) => ({ type: "setIpTtl", ttl }),
  (a) => `mod_nw_ttl:${a.ttl}`,
  {
    actionSetOrder: 18,
    reversible: true,
    megaflow: readsSlots("nwTtl", "dlType"),
  },
);
export const setL4Src = numberAction<"setL4Src">(
  ["mod_tp_src"],
  16,
  (port) => ({ type: "setL4Src", port }),
  (a) => `mod_tp_src:${a.port}`,
  {
    actionSetOrder: 19,
    reversible: true,
    megaflow: readsSlots("tpSrc"),
  },
);
export const setL4Dst = numberAction<"setL4Dst">(
  ["mod_tp_dst"],
  16,
  (port) => ({ type: "setL4Dst", port }),
  (a) => `mod_tp_dst:${a.port}`,
  {
    actionSetOrder: 20,
    reversible: true,
    megaflow: readsSlots("tpDst"),
  },
);

export const setTunnel: ActionSpec<"setTunnel"> = {
  actionSetOrder: 21,
  reversible: true,
  megaflow: readsNothing,
  keywords: ["set_tunnel", "set_tunnel64"],
  parse(input) {
    const wide = input.keyword === "set_tunnel64";
    // OVS takes a value over 32 bits in set_tunnel too (and prints it as set_tunnel64).
    const id = bigArg(input, 64);
    return isError(id) ? id : { type: "setTunnel", id, wide };
  },
  format: (a) => `set_tunnel${a.wide || a.id > 0xffffffffn ? "64" : ""}:${hex(a.id)}`,
};

export const decTtl: ActionSpec<"decTtl"> = {
  actionSetOrder: 5,
  reversible: true,
  megaflow: readsSlots("nwTtl", "dlType"),
  keywords: ["dec_ttl"],
  parse(input) {
    if (input.form === "bare") return { type: "decTtl" };
    // OVN's `dec_ttl()`: no controller to tell when the TTL runs out (OVS prints the empty list).
    if (input.arg?.text === "") return { type: "decTtl", controllerIds: [] };
    const arg = requireArg(input);
    if (isError(arg)) return arg;
    const ids = arg.text.split(",");
    if (!ids.every((x) => /^\d+$/.test(x)))
      return lineError(arg.column, "dec_ttl(...): expected controller ids");
    return { type: "decTtl", controllerIds: ids.map(Number) };
  },
  format: (a) => (a.controllerIds ? `dec_ttl(${a.controllerIds.join(",")})` : "dec_ttl"),
};

export const setQueue = numberAction<"setQueue">(
  ["set_queue"],
  32,
  (queue) => ({ type: "setQueue", queue }),
  (a) => `set_queue:${a.queue}`,
  {
    actionSetOrder: 22,
    reversible: true,
    megaflow: readsNothing,
  },
);
export const popQueue: ActionSpec<"popQueue"> = {
  actionSetOrder: SET_LAST,
  reversible: true,
  megaflow: readsNothing,
  keywords: ["pop_queue"],
  parse: (i) => noArg("popQueue", i),
  format: () => "pop_queue",
};

const mplsEthertype = (a: { ethertype: number }) => `0x${a.ethertype.toString(16).padStart(4, "0")}`;
export const pushMpls = numberAction<"pushMpls">(
  ["push_mpls"],
  16,
  (ethertype) => ({ type: "pushMpls", ethertype }),
  (a) => `push_mpls:${mplsEthertype(a)}`,
  {
    actionSetOrder: 3,
    reversible: true,
    megaflow: uncacheable,
  },
);
export const popMpls = numberAction<"popMpls">(
  ["pop_mpls"],
  16,
  (ethertype) => ({ type: "popMpls", ethertype }),
  (a) => `pop_mpls:${mplsEthertype(a)}`,
  {
    actionSetOrder: 2,
    reversible: true,
    megaflow: uncacheable,
  },
);
export const setMplsLabel = numberAction<"setMplsLabel">(
  ["set_mpls_label"],
  20,
  (label) => ({ type: "setMplsLabel", label }),
  (a) => `set_mpls_label(${a.label})`,
  {
    actionSetOrder: SET_LAST,
    reversible: true,
    megaflow: uncacheable,
  },
);
export const setMplsTc = numberAction<"setMplsTc">(
  ["set_mpls_tc"],
  3,
  (tc) => ({ type: "setMplsTc", tc }),
  (a) => `set_mpls_tc(${a.tc})`,
  {
    actionSetOrder: SET_LAST,
    reversible: true,
    megaflow: uncacheable,
  },
);
export const setMplsTtl = numberAction<"setMplsTtl">(
  ["set_mpls_ttl"],
  8,
  (ttl) => ({ type: "setMplsTtl", ttl }),
  (a) => `set_mpls_ttl(${a.ttl})`,
  {
    actionSetOrder: SET_LAST,
    reversible: true,
    megaflow: uncacheable,
  },
);
export const decMplsTtl: ActionSpec<"decMplsTtl"> = {
  actionSetOrder: 6,
  reversible: true,
  megaflow: uncacheable,
  keywords: ["dec_mpls_ttl"],
  parse: (i) => noArg("decMplsTtl", i),
  format: () => "dec_mpls_ttl",
};

/** `push:SUBFIELD` and `pop:SUBFIELD`: the NXM stack, one subfield operand each. */
function stackAction<T extends "stackPush" | "stackPop">(
  keyword: string,
  build: (sf: Subfield) => ActionOf<T>,
  read: (a: ActionOf<T>) => Subfield,
  facts: ActionFacts<T>,
): ActionSpec<T> {
  return {
    ...facts,
    keywords: [keyword],
    parse(input) {
      const arg = requireArg(input);
      if (isError(arg)) return arg;
      const sf = parseSubfield(arg);
      return isError(sf) ? sf : build(sf);
    },
    format: (a) => `${keyword}:${formatSubfield(read(a))}`,
  };
}

export const stackPush = stackAction<"stackPush">(
  "push",
  (src) => ({ type: "stackPush", src }),
  (a) => a.src,
  {
    actionSetOrder: SET_LAST,
    reversible: true,
    megaflow: (a, mask) => mask.field(a.src.field),
  },
);
export const stackPop = stackAction<"stackPop">(
  "pop",
  (dst) => ({ type: "stackPop", dst }),
  (a) => a.dst,
  {
    actionSetOrder: SET_LAST,
    reversible: true,
    megaflow: (a, mask) => mask.written(a.dst.field),
  },
);

export const writeMetadata: ActionSpec<"writeMetadata"> = {
  actionSetOrder: SET_LAST,
  reversible: true,
  megaflow: readsNothing,
  keywords: ["write_metadata"],
  parse(input) {
    const arg = requireArg(input);
    if (isError(arg)) return arg;
    const [v, m] = arg.text.split("/");
    const value = parseUnsigned({ text: v, column: arg.column }, 64, "write_metadata");
    if (isError(value)) return value;
    if (m === undefined) return { type: "writeMetadata", value };
    const mask = parseUnsigned({ text: m, column: arg.column + v.length + 1 }, 64, "write_metadata");
    return isError(mask) ? mask : { type: "writeMetadata", value, mask };
  },
  format: (a) =>
    `write_metadata:${hex(a.value)}${a.mask !== undefined && a.mask !== 0xffffffffffffffffn ? `/${hex(a.mask)}` : ""}`,
};

export const finTimeout: ActionSpec<"finTimeout"> = {
  actionSetOrder: SET_LAST,
  reversible: true,
  megaflow: readsNothing,
  keywords: ["fin_timeout"],
  parse(input) {
    const arg = requireArg(input);
    if (isError(arg)) return arg;
    const a: ActionOf<"finTimeout"> = { type: "finTimeout" };
    let at = arg.column;
    for (const part of arg.text.split(",")) {
      const m = /^(idle_timeout|hard_timeout)=(\d+)$/.exec(part);
      if (!m) return lineError(at, `fin_timeout: expected idle_timeout=N or hard_timeout=N, got "${part}"`);
      if (m[1] === "idle_timeout") a.idleTimeout = Number(m[2]);
      else a.hardTimeout = Number(m[2]);
      at += part.length + 1;
    }
    return a;
  },
  format(a) {
    const parts: string[] = [];
    if (a.idleTimeout) parts.push(`idle_timeout=${a.idleTimeout}`);
    if (a.hardTimeout) parts.push(`hard_timeout=${a.hardTimeout}`);
    return `fin_timeout(${parts.join(",")})`;
  },
};

const NOTE_HEADER = 10;

export const note: ActionSpec<"note"> = {
  actionSetOrder: SET_LAST,
  reversible: true,
  megaflow: readsNothing,
  keywords: ["note"],
  parse(input) {
    const arg = input.arg ?? { text: "", column: input.whole.column + 5 };
    const digits = arg.text.replace(/\./g, "");
    if (!/^([0-9a-f]{2})*$/i.test(digits))
      return lineError(arg.column, "note: expected hex bytes such as 01.02.ff");
    // OVS pads the note so the action fills whole 8-byte units (a 10-byte header, then the bytes), and
    // dumps print the padding: note:01.02.03 comes back as note:01.02.03.00.00.00.
    const bytes = digits.length / 2;
    const padded = Math.ceil((NOTE_HEADER + bytes) / 8) * 8 - NOTE_HEADER;
    return { type: "note", hex: digits.toLowerCase().padEnd(padded * 2, "0") };
  },
  format: (a) => `note:${(a.hex.match(/../g) ?? []).join(".")}`,
};

/**
 * delete_field:tun_metadataN: the Geneve option is no longer present (tun_metadata_delete); OVS takes
 * no other field (check_DELETE_FIELD).
 */
export const deleteField: ActionSpec<"deleteField"> = {
  actionSetOrder: SET_LAST,
  reversible: true,
  megaflow: (a, mask) => mask.written(a.field),
  keywords: ["delete_field"],
  parse(input) {
    const arg = requireArg(input);
    if (isError(arg)) return arg;
    const field = lookupField(arg.text);
    if (!field) return lineError(arg.column, `unknown field "${arg.text}"`, arg.text);
    if (field.slot !== "tunMetadata")
      return lineError(arg.column, "delete_field: only tun_metadata fields can be deleted", field.name);
    return { type: "deleteField", field };
  },
  format: (a) => `delete_field:${a.field.name}`,
};
