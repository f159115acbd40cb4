/**
 * The display-filter fields of a decoded frame, by Wireshark's names (`ip.src`, `vxlan.vni`,
 * `tcp.flags.syn`...): the frame's own (`frame.number`, `tunnel.depth`...) and every protocol and
 * field the decoders declare beside their layers (src/decode/filter-decl.ts), so no field of a
 * layer is named twice. Pure.
 */

import { FILTER_PROTOCOLS, type ProtocolDecl } from "../decode/index.js";
import type { Layer } from "../decode/types.js";
import type { FilterScalar } from "../model/display-filter.js";
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

/**
 * Per layer kind: the name its layers have, and the protocols that tell shared layer kinds apart
 * (tried first). Plain objects, built once: frameRecord names every layer of every frame with them.
 */
const PLAIN_NAME: Record<string, string> = Object.create(null);
const TESTED: Record<string, ProtocolDecl[]> = Object.create(null);
for (const p of FILTER_PROTOCOLS) {
  if (p.is) TESTED[p.layer] = [...(TESTED[p.layer] ?? []), p];
  else PLAIN_NAME[p.layer] ??= p.name;
}

/** The filter protocol name of every layer (an undeclared layer keeps its own name). */
export function protocolNames(layers: readonly Layer[]): string[] {
  const names: string[] = [];
  for (let i = 0; i < layers.length; i++) {
    const proto = layers[i].proto;
    const tested = TESTED[proto];
    const special = tested === undefined ? undefined : tested.find((p) => p.is?.(layers, i));
    names.push(special?.name ?? PLAIN_NAME[proto] ?? proto);
  }
  return names;
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
    get: (c: FrameCtx) => {
      const out: FilterScalar[] = [];
      for (const n of c.names) if (n === p.name) out.push(true);
      return out;
    },
  },
  ...p.fields.map((f) => ({
    name: f.name,
    description: f.description,
    type: f.type,
    get: (c: FrameCtx) => {
      // A plain loop: filters over a million frames read these once per frame.
      const out: FilterScalar[] = [];
      for (let i = 0; i < c.layers.length; i++)
        if (c.names[i] === p.name) for (const v of f.read(c.layers[i])) out.push(v);
      return out;
    },
  })),
]);

/** Every field of a frame without its verdict. */
export const FRAME_SPECS: ReadonlyArray<FieldSpec<FrameCtx>> = [...OWN, ...DECLARED];
