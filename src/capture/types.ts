import type { Diagnostic } from "../util/diagnostic.js";

/** How a pcapng interface (or a classic pcap file) counts time. */
export interface TsResolution {
  /** 10 or 2: units are base^-exponent seconds. */
  base: 10 | 2;
  exponent: number;
}

export interface CaptureInterface {
  /** Global index across all sections (what `CaptureRecord.interfaceId` refers to). */
  id: number;
  /** 0-based pcapng section the interface belongs to (always 0 for classic pcap). */
  section: number;
  linktype: number;
  snaplen: number;
  name?: string;
  description?: string;
  comment?: string;
  tsResolution: TsResolution;
  /** pcapng if_tsoffset: seconds added to every timestamp of this interface. */
  tsOffsetSec: number;
}

/**
 * One frame. The reader REUSES this object and its buffer between `next()` calls (a million-frame walk
 * must not allocate a million objects): copy what you keep.
 */
export interface CaptureRecord {
  /** 1-based frame number across the whole file (all sections and interfaces). */
  frame: number;
  /** The reader's buffer; the frame's captured bytes are `bytes[offset .. offset + caplen)`. */
  bytes: Uint8Array;
  offset: number;
  caplen: number;
  /** Original length on the wire. */
  len: number;
  /** The capture holds fewer bytes than were on the wire (snaplen). */
  truncated: boolean;
  /** False for pcapng Simple Packet Blocks. */
  hasTimestamp: boolean;
  tsSec: number;
  tsNsec: number;
  linktype: number;
  /** Index into the reader's interfaces; -1 for a pcapng Custom Block (no interface). */
  interfaceId: number;
  comment: string | undefined;
  /** Byte offset in the file where the record (or block) starts. */
  fileOffset: number;
}

/**
 * The link type given to a pcapng Custom Block's record: outside pcapng's 16-bit link types, so no
 * real interface has it. Its bytes are the block's custom data and options; it decodes to no layer.
 */
export const LINKTYPE_PCAPNG_CUSTOM = 0x10bad;

export type CaptureFormat = "pcap" | "pcapng";

export interface CaptureStats {
  frames: number;
  /** Blocks read but not frames (pcapng), by block name: "NRB", "ISB", "unknown 0x...". */
  skippedBlocks: Record<string, number>;
}

export interface CaptureReader {
  readonly file: string;
  readonly format: CaptureFormat;
  readonly interfaces: readonly CaptureInterface[];
  /** The next frame, or null at the end (or at the first damaged record: see `diagnostics`). */
  next(): CaptureRecord | null;
  /** Positions the reader so that the next `next()` returns the record at `fileOffset` as frame `frame`. */
  seek(fileOffset: number, frame: number): void;
  /**
   * The record at `fileOffset` (an offset this reader's walk has passed, as an index gives), numbered
   * `frame`, without moving the walk: the next `next()` continues where it was. The record is the reused
   * one: copy what you keep.
   */
  readAt(fileOffset: number, frame: number): CaptureRecord | null;
  readonly diagnostics: readonly Diagnostic[];
  readonly stats: CaptureStats;
  close(): void;
}

/** The captured bytes of a record, as a view (allocates a view object: not for hot loops). */
export function recordData(rec: CaptureRecord): Uint8Array {
  return rec.bytes.subarray(rec.offset, rec.offset + rec.caplen);
}

/** The timestamp as the corpus schema writes it: "1700001000.000385000", or null without one. */
export function formatTimestamp(rec: CaptureRecord): string | null {
  if (!rec.hasTimestamp) return null;
  return `${rec.tsSec}.${String(rec.tsNsec).padStart(9, "0")}`;
}
