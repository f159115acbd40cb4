/**
 * Display-filter fields declared by the decoders, next to the layer each one decodes (Wireshark's
 * `hf_register_info`): every decoder module exports the protocols it produces, each with Wireshark's
 * name (the bare filter field: `ip`), the `Layer.proto` of its layers, and its fields, each with its
 * name, type, one line of help and where its value is in the layer. `protocols.ts` lists them all in
 * one place (beside the dispatch tables), and the filter's frame fields are derived from that list.
 *
 * Adding a field to a decoder is one entry in its protocol's `fields`; adding a decoder is one
 * `ProtocolDecl` exported beside it and named in `protocols.ts`. Pure.
 */
import type { FilterFieldType, FilterScalar } from "../model/display-filter.js";
import { uint } from "../model/filter-field-type.js";
import type { FieldValue, Layer } from "./types.js";

/** One field of a protocol's layers (`ip.src`). */
export interface LayerFieldDecl {
  /** The filter name, Wireshark's where Wireshark has the field. */
  readonly name: string;
  /** One line, for `--filter '?'` and the TUI's help. */
  readonly description: string;
  readonly type: FilterFieldType;
  /** The field's values in one layer of the protocol (none when the layer lacks it). */
  readonly read: (layer: Layer) => readonly FilterScalar[];
}

/** One protocol: a bare filter field true on frames with such a layer, and its fields. */
export interface ProtocolDecl {
  /** Wireshark's protocol name (`ip` for our `ipv4` layers). */
  readonly name: string;
  readonly description: string;
  /** The `Layer.proto` of its layers. */
  readonly layer: string;
  /**
   * When protocols share a layer kind (802.1Q and 802.1ad tags are both `vlan` layers): whether the
   * layer at `index` is this protocol's. Protocols with a test are tried before those without.
   */
  readonly is?: (layers: readonly Layer[], index: number) => boolean;
  readonly fields: readonly LayerFieldDecl[];
}

type Conv = (v: Exclude<FieldValue, null>) => FilterScalar;

const NONE: readonly FilterScalar[] = Object.freeze([]);
const some = (v: FieldValue | undefined, conv: Conv | undefined): readonly FilterScalar[] =>
  v === undefined || v === null ? NONE : [conv ? conv(v) : v];

/** The value of `layer.fields[key]` (the schema's fields), converted by `conv`. */
export const fromFields =
  (key: string, conv?: Conv) =>
  (layer: Layer): readonly FilterScalar[] =>
    some(layer.fields[key], conv);

/** The value of `layer.detail[key]` (facts beyond the schema), converted by `conv`. */
export const fromDetail =
  (key: string, conv?: Conv) =>
  (layer: Layer): readonly FilterScalar[] =>
    some(layer.detail?.[key], conv);

/** Several readers' values together (`ip.addr`: the source and the destination). */
export const fromEach =
  (...readers: ReadonlyArray<(layer: Layer) => readonly FilterScalar[]>) =>
  (layer: Layer): readonly FilterScalar[] => {
    const out: FilterScalar[] = [];
    for (const read of readers) for (const v of read(layer)) out.push(v);
    return out;
  };

/** "0x0800" (how the schema writes types and flags) → 0x800. */
export const hexNumber: Conv = (v) => (typeof v === "string" ? Number.parseInt(v, 16) : v);

/** Whether any bit of `mask` is set in a hex-text or numeric value (a flag of a flags field). */
export const bitOf =
  (mask: number): Conv =>
  (v) =>
    ((typeof v === "string" ? Number.parseInt(v, 16) : Number(v)) & mask) !== 0;

/**
 * A source field, a destination field and the field that is either (`tcp.srcport`, `tcp.dstport`,
 * `tcp.port`; `ip.src`, `ip.dst`, `ip.addr`), as Wireshark pairs them, read from `layer.fields`.
 */
export function sourceAndDestination(o: {
  /** The three names: source, destination, either. */
  readonly names: readonly [string, string, string];
  /** What they are, for the help: `TCP` and `port` give "TCP source port". */
  readonly protocol: string;
  readonly noun: string;
  readonly type: FilterFieldType;
  /** The layer's field keys: `src`/`dst` unless given. */
  readonly keys?: readonly [string, string];
}): LayerFieldDecl[] {
  const [src, dst] = o.keys ?? ["src", "dst"];
  const [srcName, dstName, eitherName] = o.names;
  return [
    { name: srcName, description: `${o.protocol} source ${o.noun}`, type: o.type, read: fromFields(src) },
    {
      name: dstName,
      description: `${o.protocol} destination ${o.noun}`,
      type: o.type,
      read: fromFields(dst),
    },
    {
      name: eitherName,
      description: `${o.protocol} source or destination ${o.noun}`,
      type: o.type,
      read: fromEach(fromFields(src), fromFields(dst)),
    },
  ];
}

/** `tcp.srcport`, `tcp.dstport` and `tcp.port` (the same for udp and sctp), 16-bit. */
export const portFields = (proto: string, what: string): LayerFieldDecl[] =>
  sourceAndDestination({
    names: [`${proto}.srcport`, `${proto}.dstport`, `${proto}.port`],
    protocol: what,
    noun: "port",
    type: uint(16),
    keys: ["sport", "dport"],
  });
