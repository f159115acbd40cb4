export type FieldValue = string | number | boolean | null;

/** One decoded protocol header. `fields` use the corpus schema's names and formats (SCHEMA.md). */
export interface Layer {
  proto: string;
  /** Byte offset of the header in the frame, and its length (for a hex pane to highlight it). */
  offset: number;
  length: number;
  fields: Record<string, FieldValue>;
  /** Extra facts not in the schema (TCP sequence numbers, Geneve options, ND target...). */
  detail?: Record<string, FieldValue>;
  /** Tunnel nesting level: 0 for the outer frame, 1 inside the first tunnel, ... */
  depth: number;
  /** Something odd about how this layer is shown (a tshark quirk kept for agreement), for `-V`. */
  note?: string;
}

export interface DecodedFrame {
  layers: Layer[];
  /** Why decoding ended before the payload (a short or malformed header), if it did. */
  stop?: string;
  /** A header was cut short by the end of the captured bytes. */
  truncated: boolean;
}

export interface DecodeOptions {
  /** Maximum tunnel nesting (VXLAN in GRE in ...); deeper payloads are not decoded. */
  maxDepth?: number;
  /**
   * The frame's length on the wire, when more than was captured. Headers then bound their payload by
   * what the wire carried, as tshark's reported length does: a payload with no captured byte still
   * gets its (empty) layer when the wire had one, e.g. ICMP after an IPv4 header that ends the capture.
   */
  wireLength?: number;
}

/** Decoding state of one frame; decoders push layers and dispatch the payload. */
export interface DecodeCtx {
  readonly data: Uint8Array;
  readonly layers: Layer[];
  depth: number;
  readonly maxDepth: number;
  stop?: string;
  truncated: boolean;
}

/** Decodes the header at `off`; `end` bounds the bytes this layer may use (IP/UDP lengths). */
export type Decoder = (ctx: DecodeCtx, off: number, end: number) => void;
