import { BaseReader } from "./base.js";
import { read16, read32 } from "./pcap.js";
import {
  type CaptureInterface,
  type CaptureRecord,
  LINKTYPE_PCAPNG_CUSTOM,
  type TsResolution,
} from "./types.js";
import { MAX_RECORD_BYTES } from "./window.js";

export const PCAPNG_SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BLOCK_IDB = 1;
const BLOCK_PB = 2; // obsolete Packet Block
const BLOCK_SPB = 3;
const BLOCK_NRB = 4;
const BLOCK_ISB = 5;
const BLOCK_EPB = 6;
const BLOCK_DSB = 0x0a;
/** Custom Blocks, copyable and not: tshark lists each as a frame of its data and options. */
const BLOCK_CB = 0x00000bad;
const BLOCK_CB_NO_COPY = 0x40000bad;

const OPT_END = 0;
const OPT_COMMENT = 1;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;

const SKIPPED_NAMES: Record<number, string> = {
  [BLOCK_NRB]: "NRB",
  [BLOCK_ISB]: "ISB",
  [BLOCK_DSB]: "DSB",
};

const utf8 = new TextDecoder("utf-8", { fatal: false });

interface Section {
  index: number;
  start: number;
  little: boolean;
  /** Index in `interfaces` of this section's interface 0. */
  ifBase: number;
}

/**
 * pcapng: several sections (each with its own byte order), interface descriptions, enhanced, simple
 * and obsolete packet blocks. Other blocks are skipped and counted.
 */
export class PcapngReader extends BaseReader {
  readonly format = "pcapng" as const;
  private readonly sections: Section[] = [];
  private section: Section = { index: 0, start: 0, little: true, ifBase: 0 };
  /** IDBs already read, by file offset: a seek backwards must not describe an interface twice. */
  private readonly seenIdb = new Set<number>();

  next(): CaptureRecord | null {
    while (!this.done) {
      const start = this.pos;
      const size = this.win.size;
      if (start >= size) {
        this.done = true;
        return null;
      }
      if (start + 12 > size) return this.fail(`block header cut off: ${size - start} bytes present`, start);
      const h = this.win.ensure(start, 12);
      const buf = this.win.buf;
      const rawType = read32(buf, h, true);
      if (rawType === PCAPNG_SHB && !this.enterSection(start, h)) return null;
      const little = this.section.little;
      const type = read32(buf, h, little);
      const blockLen = read32(buf, h + 4, little);
      if (blockLen < 12 || blockLen % 4 !== 0) {
        return this.fail(
          `block length ${blockLen} is invalid (must be a multiple of 4, at least 12)`,
          start,
          "block_total_length",
        );
      }
      if (blockLen > MAX_RECORD_BYTES) {
        return this.fail(
          `block length ${blockLen} is not plausible (corrupt file?)`,
          start,
          "block_total_length",
        );
      }
      if (start + blockLen > size) {
        return this.fail(
          `block cut off: ${size - start} of ${blockLen} bytes present`,
          start,
          "block_total_length",
        );
      }
      const at = this.win.ensure(start, blockLen);
      const b = this.win.buf;
      if (read32(b, at + blockLen - 4, little) !== blockLen) {
        return this.fail(
          "trailing block length differs from the leading one",
          start + blockLen - 4,
          "block_total_length",
        );
      }
      this.pos = start + blockLen;
      const rec = this.block(type, b, at, blockLen, start);
      if (rec) return rec;
    }
    return null;
  }

  override seek(fileOffset: number, frame: number): void {
    super.seek(fileOffset, frame);
    for (const s of this.sections) if (s.start <= fileOffset) this.section = s;
  }

  /** Reads a Section Header Block's byte order; false (with a diagnostic) when it is damaged. */
  private enterSection(start: number, h: number): boolean {
    if (start + 12 > this.win.size) return this.fail("section header cut off", start) !== null;
    const buf = this.win.buf;
    const bom = read32(buf, h + 8, true);
    if (bom !== BYTE_ORDER_MAGIC && read32(buf, h + 8, false) !== BYTE_ORDER_MAGIC) {
      this.fail("section header has no valid byte-order magic", start + 8, "byte_order_magic");
      return false;
    }
    const little = bom === BYTE_ORDER_MAGIC;
    const known = this.sections.find((s) => s.start === start);
    this.section = known ?? { index: this.sections.length, start, little, ifBase: this.interfaces.length };
    if (!known) this.sections.push(this.section);
    return true;
  }

  private block(
    type: number,
    b: Uint8Array,
    at: number,
    blockLen: number,
    start: number,
  ): CaptureRecord | null {
    const little = this.section.little;
    const bodyEnd = at + blockLen - 4;
    switch (type) {
      case PCAPNG_SHB:
        // Options (shb_hardware, comments) are informational; the layout was checked above.
        return null;
      case BLOCK_IDB:
        this.addInterface(b, at, bodyEnd, start);
        return null;
      case BLOCK_EPB:
      case BLOCK_PB: {
        const isEpb = type === BLOCK_EPB;
        if (at + 28 > bodyEnd) return this.fail("packet block too short for its header", start);
        const ifLocal = isEpb ? read32(b, at + 8, little) : read16(b, at + 8, little);
        const tsHigh = read32(b, at + 12, little);
        const tsLow = read32(b, at + 16, little);
        const caplen = read32(b, at + 20, little);
        const len = read32(b, at + 24, little);
        const dataAt = at + 28;
        if (dataAt + caplen > bodyEnd) {
          return this.fail(`captured length ${caplen} exceeds the block`, start + 20, "caplen");
        }
        const ifIndex = this.section.ifBase + ifLocal;
        const iface = this.interfaces[ifIndex];
        if (!iface || iface.section !== this.section.index) {
          return this.fail(
            `packet refers to interface ${ifLocal}, which this section does not describe`,
            start + 8,
            "interface_id",
          );
        }
        const rec = this.emit(dataAt, caplen, len, start, ifIndex);
        setTimestamp(rec, tsHigh, tsLow, iface.tsResolution, iface.tsOffsetSec);
        rec.comment = readComment(b, dataAt + pad4(caplen), bodyEnd, little);
        return rec;
      }
      case BLOCK_SPB: {
        if (at + 12 > bodyEnd) return this.fail("simple packet block too short", start);
        const ifIndex = this.section.ifBase;
        const iface = this.interfaces[ifIndex];
        if (!iface || iface.section !== this.section.index) {
          return this.fail("simple packet block without an interface description", start);
        }
        const len = read32(b, at + 8, little);
        const present = bodyEnd - (at + 12);
        let caplen = Math.min(len, present);
        if (iface.snaplen > 0) caplen = Math.min(caplen, iface.snaplen);
        const rec = this.emit(at + 12, caplen, len, start, ifIndex);
        rec.hasTimestamp = false;
        rec.tsSec = 0;
        rec.tsNsec = 0;
        return rec;
      }
      case BLOCK_CB:
      case BLOCK_CB_NO_COPY: {
        // Not a packet, but tshark numbers it as a frame (data and options after the PEN, no time):
        // frame numbers must stay tshark's, so it is a record of a link type that decodes to nothing.
        if (at + 12 > bodyEnd) return this.fail("custom block too short for its enterprise number", start);
        const size = bodyEnd - (at + 12);
        const rec = this.emit(at + 12, size, size, start, -1);
        rec.linktype = LINKTYPE_PCAPNG_CUSTOM;
        rec.hasTimestamp = false;
        rec.tsSec = 0;
        rec.tsNsec = 0;
        return rec;
      }
      default:
        this.countSkipped(SKIPPED_NAMES[type] ?? `unknown 0x${type.toString(16).padStart(8, "0")}`);
        return null;
    }
  }

  private addInterface(b: Uint8Array, at: number, bodyEnd: number, start: number): void {
    const little = this.section.little;
    if (at + 16 > bodyEnd) {
      this.fail("interface description block too short", start);
      return;
    }
    if (this.seenIdb.has(start)) return;
    this.seenIdb.add(start);
    const iface: CaptureInterface = {
      id: this.interfaces.length,
      section: this.section.index,
      linktype: read16(b, at + 8, little),
      snaplen: read32(b, at + 12, little),
      tsResolution: { base: 10, exponent: 6 },
      tsOffsetSec: 0,
    };
    forEachOption(b, at + 16, bodyEnd, little, (code, vAt, vLen) => {
      switch (code) {
        case IF_NAME:
          iface.name = utf8.decode(b.subarray(vAt, vAt + vLen)).replace(/\0+$/, "");
          break;
        case IF_DESCRIPTION:
          iface.description = utf8.decode(b.subarray(vAt, vAt + vLen)).replace(/\0+$/, "");
          break;
        case OPT_COMMENT:
          iface.comment = utf8.decode(b.subarray(vAt, vAt + vLen));
          break;
        case IF_TSRESOL:
          if (vLen >= 1) {
            const v = b[vAt];
            iface.tsResolution = v & 0x80 ? { base: 2, exponent: v & 0x7f } : { base: 10, exponent: v };
          }
          break;
        case IF_TSOFFSET:
          if (vLen >= 8) {
            const hi = read32(b, little ? vAt + 4 : vAt, little) | 0;
            const lo = read32(b, little ? vAt : vAt + 4, little);
            iface.tsOffsetSec = hi * 4294967296 + lo;
          }
          break;
      }
    });
    this.interfaces.push(iface);
  }
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function forEachOption(
  b: Uint8Array,
  at: number,
  end: number,
  little: boolean,
  visit: (code: number, valueAt: number, valueLen: number) => void,
): void {
  let p = at;
  while (p + 4 <= end) {
    const code = read16(b, p, little);
    const len = read16(b, p + 2, little);
    if (code === OPT_END) return;
    if (p + 4 + len > end) return;
    visit(code, p + 4, len);
    p += 4 + pad4(len);
  }
}

function readComment(b: Uint8Array, at: number, end: number, little: boolean): string | undefined {
  let comment: string | undefined;
  forEachOption(b, at, end, little, (code, vAt, vLen) => {
    if (code === OPT_COMMENT) {
      const text = utf8.decode(b.subarray(vAt, vAt + vLen));
      comment = comment === undefined ? text : `${comment}\n${text}`;
    }
  });
  return comment;
}

/**
 * Converts a 64-bit count of resolution units to seconds + nanoseconds exactly: the count can exceed
 * 2^53, so divide by 16-bit digits (every intermediate stays below 2^53).
 */
function setTimestamp(
  rec: CaptureRecord,
  high: number,
  low: number,
  res: TsResolution,
  offsetSec: number,
): void {
  if (res.base === 10) {
    const unitsPerSec = 10 ** res.exponent;
    // Long division of the 64-bit count, 16 bits at a time (no allocation in this per-frame path).
    let cur = high >>> 16;
    let q = Math.floor(cur / unitsPerSec);
    let r = cur % unitsPerSec;
    cur = r * 65536 + (high & 0xffff);
    q = q * 65536 + Math.floor(cur / unitsPerSec);
    r = cur % unitsPerSec;
    cur = r * 65536 + (low >>> 16);
    q = q * 65536 + Math.floor(cur / unitsPerSec);
    r = cur % unitsPerSec;
    cur = r * 65536 + (low & 0xffff);
    q = q * 65536 + Math.floor(cur / unitsPerSec);
    r = cur % unitsPerSec;
    rec.tsSec = q + offsetSec;
    rec.tsNsec = res.exponent <= 9 ? r * 10 ** (9 - res.exponent) : Math.floor(r / 10 ** (res.exponent - 9));
  } else {
    const e = res.exponent;
    const total = high * 4294967296 + low;
    const unitsPerSec = 2 ** e;
    const sec = Math.floor(total / unitsPerSec);
    const frac = total - sec * unitsPerSec;
    rec.tsSec = sec + offsetSec;
    rec.tsNsec = Math.min(999_999_999, Math.floor((frac * 1e9) / unitsPerSec));
  }
  rec.hasTimestamp = true;
}
