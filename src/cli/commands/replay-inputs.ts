/**
 * `replay CAPTURE[@HOST:PORT]... HOST...`: the arguments told apart by content (a capture by its magic
 * number), and several captures merged by timestamp into one stream so that conntrack sees both
 * directions of a connection in the order they happened. `@HOST:PORT` pins where that capture's
 * frames enter (its tap… or qvb… device, a qvo…, a NIC), as a pcapng interface name would.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { basename } from "node:path";
import { type CaptureRecord, openCapture } from "../../capture/index.js";
import type { Diagnostic } from "../../util/diagnostic.js";
import { formatDiagnostic } from "../../util/format-diagnostic.js";
import { UsageError } from "../io.js";

export interface CaptureInput {
  path: string;
  /** The `HOST:PORT` after `@`, when given. */
  at?: string;
}

const MAGICS = new Set([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a]);

/** Whether a file starts with a pcap or pcapng magic number. */
export function isCaptureFile(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const b = Buffer.alloc(4);
    if (readSync(fd, b, 0, 4, 0) < 4) return false;
    return MAGICS.has(b.readUInt32BE(0));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Splits `replay`'s arguments into captures (with their pins) and hosts. */
export function splitReplayArgs(args: readonly string[]): { captures: CaptureInput[]; hosts: string[] } {
  const captures: CaptureInput[] = [];
  const hosts: string[] = [];
  for (const a of args) {
    const m = /^(.*)@([^@/]+:[^@/]+)$/.exec(a);
    const path = m && isCaptureFile(m[1]) ? m[1] : a;
    if (isCaptureFile(path)) captures.push(m && path === m[1] ? { path, at: m[2] } : { path });
    else if (m && !isCaptureFile(a))
      throw new UsageError(`${m[1]}: not a pcap or pcapng capture (given with @${m[2]})`);
    else hosts.push(a);
  }
  return { captures, hosts };
}

/** One merged frame: the record, which capture it came from, and the interface name to enter at. */
export interface MergedRecord {
  rec: CaptureRecord;
  /** 1-based position in the merged stream. */
  frame: number;
  capture: string;
  /** Which input it came from. */
  source: number;
  ifName?: string;
}

/** Several captures read in timestamp order (ties: argument order), each with its own reused buffer. */
export class MergedCaptures {
  private readonly readers;
  private readonly heads: Array<CaptureRecord | null>;
  private count = 0;

  constructor(
    inputs: readonly CaptureInput[],
    private readonly pinOf: (at: string) => string,
    /** Each capture's first read (openCapture's default unless given). */
    windowBytes?: number,
  ) {
    this.readers = inputs.map((i) => {
      const r = openCapture(i.path, windowBytes === undefined ? {} : { windowBytes });
      if (!r.ok) throw new UsageError(formatDiagnostic(r.error));
      return { input: i, reader: r.value, name: basename(i.path) };
    });
    this.heads = this.readers.map((r) => r.reader.next());
  }

  next(): MergedRecord | null {
    let best = -1;
    for (let i = 0; i < this.heads.length; i++) {
      const h = this.heads[i];
      if (!h) continue;
      const b = best >= 0 ? this.heads[best] : null;
      if (!b || h.tsSec < b.tsSec || (h.tsSec === b.tsSec && h.tsNsec < b.tsNsec)) best = i;
    }
    if (best < 0) return null;
    const rec = this.heads[best]!;
    const r = this.readers[best];
    // The pin wins over the capture's own interface name.
    const ifName = r.input.at ? this.pinOf(r.input.at) : r.reader.interfaces[rec.interfaceId]?.name;
    const out: MergedRecord = { rec, frame: ++this.count, capture: r.name, source: best };
    if (ifName) out.ifName = ifName;
    return out;
  }

  /** Reads on from the capture whose record was just consumed (call after using `next()`'s record). */
  advance(m: MergedRecord): void {
    this.heads[m.source] = this.readers[m.source].reader.next();
  }

  /** How far into the captures the merge is, in bytes (for the progress bar): the sum of each one's position. */
  bytesRead(): number {
    let n = 0;
    for (const h of this.heads) if (h) n += h.fileOffset;
    return n;
  }

  get diagnostics(): Diagnostic[] {
    return this.readers.flatMap((r) => [...r.reader.diagnostics]);
  }

  close(): void {
    for (const r of this.readers) r.reader.close();
  }
}
