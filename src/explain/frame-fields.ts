/**
 * The display-filter fields of a decoded frame, by Wireshark's names (`ip.src`, `vxlan.vni`,
 * `tcp.flags.syn`...): the frame's own (`frame.number`, `tunnel.depth`...) and every protocol and
 * field the decoders declare beside their layers (src/decode/filter-decl.ts), so no field of a
 * layer is named twice. Pure.
 */

import { FILTER_PROTOCOLS, type ProtocolDecl } from "../decode/index.js";
import type { Layer } from "../decode/types.js";
import { BOOL, REAL, STRING, uint } from "../model/filter-field-type.js";
import { type FieldSpec, one } from "./filter-record.js";
import type { FrameVerdict } from "./types.js";

/** What frameRecord is given about the frame itself. */
export interface FrameInfo {
  number: number;
  length: number;
  captured: number;
  /** Seconds since the capture's first frame. */
  time?: number;
  interface?: string;
}

/** What a frame's fields are computed from; the verdict fields read `verdict` too. */
export interface FrameCtx {
  info: FrameInfo;
  layers: readonly Layer[];
  /** The filter's protocol name of each layer (`ip` for an ipv4 layer, `ieee8021ad` for an S-tag). */
  names: readonly string[];
  verdict?: FrameVerdict;
}

/** The protocols of each layer kind, those that tell shared layer kinds apart first. */
const PROTOCOLS_BY_LAYER = new Map<string, ProtocolDecl[]>();
for (const p of FILTER_PROTOCOLS) {
  const list = PROTOCOLS_BY_LAYER.get(p.layer) ?? [];
  list.push(p);
  list.sort((a, b) => Number(b.is !== undefined) - Number(a.is !== undefined));
  PROTOCOLS_BY_LAYER.set(p.layer, list);
}

/** The filter protocol name of every layer (an undeclared layer keeps its own name). */
export function protocolNames(layers: readonly Layer[]): string[] {
  return layers.map(
    (l, i) => PROTOCOLS_BY_LAYER.get(l.proto)?.find((p) => p.is?.(layers, i) ?? true)?.name ?? l.proto,
  );
}

/** The fields of the frame itself (not of a layer). */
const OWN: ReadonlyArray<FieldSpec<FrameCtx>> = [
  { name: "frame", description: "every frame", type: BOOL, get: () => [true] },
  {
    name: "frame.number",
    description: "frame number in the capture (1-based)",
    type: uint(32),
    get: (c) => [c.info.number],
  },
  { name: "frame.len", description: "length on the wire", type: uint(32), get: (c) => [c.info.length] },
  { name: "frame.cap_len", description: "captured length", type: uint(32), get: (c) => [c.info.captured] },
  {
    name: "frame.time_relative",
    description: "seconds since the first frame of the capture",
    type: REAL,
    get: (c) => one(c.info.time),
  },
  {
    name: "frame.interface_name",
    description: "pcapng interface name",
    type: STRING,
    get: (c) => one(c.info.interface),
  },
  {
    name: "tunnel.depth",
    description: "tunnel nesting of the innermost layer (0: not tunneled)",
    type: uint(8),
    get: (c) => [c.layers.reduce((d, l) => Math.max(d, l.depth), 0)],
  },
];

/** Each declared protocol (true once per layer of it) and its fields (over every layer of it). */
const DECLARED: ReadonlyArray<FieldSpec<FrameCtx>> = FILTER_PROTOCOLS.flatMap((p) => [
  {
    name: p.name,
    description: `${p.description} present`,
    type: BOOL,
    get: (c: FrameCtx) => c.names.filter((n) => n === p.name).map(() => true),
  },
  ...p.fields.map((f) => ({
    name: f.name,
    description: f.description,
    type: f.type,
    get: (c: FrameCtx) => c.layers.flatMap((l, i) => (c.names[i] === p.name ? f.read(l) : [])),
  })),
]);

/** Every field of a frame without its verdict. */
export const FRAME_SPECS: ReadonlyArray<FieldSpec<FrameCtx>> = [...OWN, ...DECLARED];
