import { closeSync, openSync, writeSync } from "node:fs";

/**
 * Capture writers: pure functions building pcap/pcapng bytes (fixtures, tests) and a streaming pcap
 * file writer (replay --write-inner). Byte order and options are parameters so fixtures can cover
 * every variant the readers accept.
 */
export interface PcapFrame {
  data: Uint8Array;
  /** Original length; defaults to data.length. */
  len?: number;
  tsSec: number;
  /** Fraction in the file's unit: microseconds, or nanoseconds when `nanos`. */
  tsFrac: number;
}

export interface PcapOptions {
  linktype?: number;
  snaplen?: number;
  bigEndian?: boolean;
  nanos?: boolean;
}

function u32(v: number, le: boolean): number[] {
  const b = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
  return le ? b.reverse() : b;
}

function u16(v: number, le: boolean): number[] {
  const b = [(v >>> 8) & 0xff, v & 0xff];
  return le ? b.reverse() : b;
}

export function pcapFileHeader(o: PcapOptions = {}): Uint8Array {
  const le = !o.bigEndian;
  return Uint8Array.from([
    ...u32(o.nanos ? 0xa1b23c4d : 0xa1b2c3d4, le),
    ...u16(2, le),
    ...u16(4, le),
    ...u32(0, le),
    ...u32(0, le),
    ...u32(o.snaplen ?? 262144, le),
    ...u32(o.linktype ?? 1, le),
  ]);
}

export function pcapRecord(f: PcapFrame, o: PcapOptions = {}): Uint8Array {
  const le = !o.bigEndian;
  const head = [
    ...u32(f.tsSec, le),
    ...u32(f.tsFrac, le),
    ...u32(f.data.length, le),
    ...u32(f.len ?? f.data.length, le),
  ];
  const out = new Uint8Array(16 + f.data.length);
  out.set(head, 0);
  out.set(f.data, 16);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function writePcap(frames: readonly PcapFrame[], o: PcapOptions = {}): Uint8Array {
  return concat([pcapFileHeader(o), ...frames.map((f) => pcapRecord(f, o))]);
}

// ---- pcapng ----

export interface PcapngInterfaceSpec {
  linktype: number;
  snaplen?: number;
  name?: string;
  description?: string;
  /** Raw if_tsresol byte (6 = microseconds, 9 = nanoseconds, 0x80|n = 2^-n). */
  tsresol?: number;
  tsoffset?: number;
}

export type PcapngBlock =
  | { kind: "idb"; iface: PcapngInterfaceSpec }
  | { kind: "epb"; interfaceId: number; ts: bigint; data: Uint8Array; len?: number; comment?: string }
  | { kind: "spb"; data: Uint8Array; len?: number }
  | { kind: "raw"; type: number; body: Uint8Array };

export interface PcapngSection {
  bigEndian?: boolean;
  comment?: string;
  blocks: PcapngBlock[];
}

/** Alias kept for callers that think in frames. */
export type PcapngFrame = Extract<PcapngBlock, { kind: "epb" }>;

function option(code: number, value: Uint8Array, le: boolean): Uint8Array {
  const padded = new Uint8Array(4 + ((value.length + 3) & ~3));
  padded.set(u16(code, le), 0);
  padded.set(u16(value.length, le), 2);
  padded.set(value, 4);
  return padded;
}

function options(list: Array<[number, Uint8Array]>, le: boolean): Uint8Array {
  if (list.length === 0) return new Uint8Array(0);
  return concat([...list.map(([c, v]) => option(c, v, le)), new Uint8Array(4)]);
}

function block(type: number, body: Uint8Array, le: boolean): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const total = 12 + padded;
  const out = new Uint8Array(total);
  out.set(u32(type, le), 0);
  out.set(u32(total, le), 4);
  out.set(body, 8);
  out.set(u32(total, le), total - 4);
  return out;
}

const enc = new TextEncoder();

function sectionBytes(s: PcapngSection): Uint8Array {
  const le = !s.bigEndian;
  const shbBody = concat([
    Uint8Array.from([...u32(0x1a2b3c4d, le), ...u16(1, le), ...u16(0, le)]),
    Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
    options(s.comment ? [[1, enc.encode(s.comment)]] : [], le),
  ]);
  const parts = [block(0x0a0d0d0a, shbBody, le)];
  for (const b of s.blocks) {
    switch (b.kind) {
      case "idb": {
        const i = b.iface;
        const opts: Array<[number, Uint8Array]> = [];
        if (i.name !== undefined) opts.push([2, enc.encode(i.name)]);
        if (i.description !== undefined) opts.push([3, enc.encode(i.description)]);
        if (i.tsresol !== undefined) opts.push([9, Uint8Array.of(i.tsresol)]);
        if (i.tsoffset !== undefined) {
          const v = new Uint8Array(8);
          new DataView(v.buffer).setBigInt64(0, BigInt(i.tsoffset), le);
          opts.push([14, v]);
        }
        const head = Uint8Array.from([...u16(i.linktype, le), 0, 0, ...u32(i.snaplen ?? 0, le)]);
        parts.push(block(1, concat([head, options(opts, le)]), le));
        break;
      }
      case "epb": {
        const hi = Number(b.ts >> 32n) >>> 0;
        const lo = Number(b.ts & 0xffffffffn) >>> 0;
        const head = Uint8Array.from([
          ...u32(b.interfaceId, le),
          ...u32(hi, le),
          ...u32(lo, le),
          ...u32(b.data.length, le),
          ...u32(b.len ?? b.data.length, le),
        ]);
        const data = new Uint8Array((b.data.length + 3) & ~3);
        data.set(b.data);
        parts.push(
          block(6, concat([head, data, options(b.comment ? [[1, enc.encode(b.comment)]] : [], le)]), le),
        );
        break;
      }
      case "spb":
        parts.push(block(3, concat([Uint8Array.from(u32(b.len ?? b.data.length, le)), b.data]), le));
        break;
      case "raw":
        parts.push(block(b.type, b.body, le));
        break;
      default: {
        const never: never = b;
        throw new Error(`unknown block ${String(never)}`);
      }
    }
  }
  return concat(parts);
}

export function writePcapng(sections: readonly PcapngSection[]): Uint8Array {
  return concat(sections.map(sectionBytes));
}

/** Streams frames into a classic pcap file through one reused 1 MiB buffer. */
export class PcapFileWriter {
  private readonly fd: number;
  private readonly buf = new Uint8Array(1 << 20);
  private used = 0;
  private readonly view = new DataView(this.buf.buffer);

  constructor(path: string, options: PcapOptions = {}) {
    this.fd = openSync(path, "w");
    writeSync(this.fd, pcapFileHeader({ ...options, nanos: true, bigEndian: false }));
  }

  write(data: Uint8Array, tsSec: number, tsNsec: number, len = data.length): void {
    if (this.used + 16 + data.length > this.buf.length) this.flush();
    if (16 + data.length > this.buf.length) {
      writeSync(this.fd, pcapRecord({ data, len, tsSec, tsFrac: tsNsec }));
      return;
    }
    const v = this.view;
    v.setUint32(this.used, tsSec, true);
    v.setUint32(this.used + 4, tsNsec, true);
    v.setUint32(this.used + 8, data.length, true);
    v.setUint32(this.used + 12, len, true);
    this.buf.set(data, this.used + 16);
    this.used += 16 + data.length;
  }

  flush(): void {
    if (this.used > 0) writeSync(this.fd, this.buf, 0, this.used);
    this.used = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
