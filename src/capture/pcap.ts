import { BaseReader } from "./base.js";
import type { CaptureRecord } from "./types.js";
import { type ByteWindow, MAX_RECORD_BYTES } from "./window.js";

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
const FILE_HEADER = 24;
const RECORD_HEADER = 16;

/** Classic libpcap files: either byte order, microsecond or nanosecond timestamps. */
export class PcapReader extends BaseReader {
  readonly format = "pcap" as const;
  private readonly little: boolean;
  private readonly nanos: boolean;
  private viewBuf: Uint8Array | undefined;
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

  constructor(file: string, win: ByteWindow, onClose: () => void) {
    super(file, win, onClose);
    const at = win.ensure(0, FILE_HEADER);
    const view = new DataView(win.buf.buffer, win.buf.byteOffset);
    const magicLe = view.getUint32(at, true);
    this.little = magicLe === PCAP_MAGIC_US || magicLe === PCAP_MAGIC_NS;
    const magic = view.getUint32(at, this.little);
    this.nanos = magic === PCAP_MAGIC_NS;
    const snaplen = view.getUint32(at + 16, this.little);
    // The upper bits of the link-type word carry FCS information (pcap-linktype(7)).
    const linktype = view.getUint32(at + 20, this.little) & 0x0fffffff;
    this.interfaces.push({
      id: 0,
      section: 0,
      linktype,
      snaplen,
      tsResolution: { base: 10, exponent: this.nanos ? 9 : 6 },
      tsOffsetSec: 0,
    });
    this.pos = FILE_HEADER;
  }

  next(): CaptureRecord | null {
    if (this.done) return null;
    const start = this.pos;
    const size = this.win.size;
    if (start >= size) {
      this.done = true;
      return null;
    }
    if (start + RECORD_HEADER > size) {
      return this.fail(`record header cut off: ${size - start} of ${RECORD_HEADER} bytes present`, start);
    }
    const h = this.win.ensure(start, RECORD_HEADER);
    const view = this.viewOfWindow();
    const le = this.little;
    const tsSec = view.getUint32(h, le);
    const tsFrac = view.getUint32(h + 4, le);
    const caplen = view.getUint32(h + 8, le);
    const len = view.getUint32(h + 12, le);
    if (caplen > MAX_RECORD_BYTES) {
      return this.fail(`record length ${caplen} is not plausible (corrupt file?)`, start, "caplen");
    }
    if (start + RECORD_HEADER + caplen > size) {
      return this.fail(
        `record cut off: ${size - start - RECORD_HEADER} of ${caplen} captured bytes present`,
        start,
        "caplen",
      );
    }
    const at = this.win.ensure(start + RECORD_HEADER, caplen);
    this.pos = start + RECORD_HEADER + caplen;
    const r = this.emit(at, caplen, len, start, 0);
    r.tsSec = tsSec;
    // A fraction past one second is damage; it is read as tshark (wiretap) reads it, microseconds
    // times 1000 in 32 bits, so frame times agree with tshark, and said once as a warning.
    r.tsNsec = this.nanos ? tsFrac : Math.imul(tsFrac, 1000) >>> 0;
    if (tsFrac >= (this.nanos ? 1e9 : 1e6)) {
      this.warnOnce(
        `timestamp fraction ${tsFrac} ${this.nanos ? "ns" : "µs"} is a second or more (shown as tshark reads it)`,
        start + 4,
        this.nanos ? "ts_nsec" : "ts_usec",
      );
    }
    return r;
  }

  /**
   * A DataView of the window's buffer, made again only when the window replaced its buffer (an oversized
   * record): each header word is then one load, where byte-by-byte reads cost four and their shifts.
   */
  private viewOfWindow(): DataView<ArrayBufferLike> {
    const buf = this.win.buf;
    if (buf !== this.viewBuf) {
      this.viewBuf = buf;
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    return this.view;
  }
}

export function read32(buf: Uint8Array, at: number, little: boolean): number {
  return little
    ? (buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16) | (buf[at + 3] << 24)) >>> 0
    : ((buf[at] << 24) | (buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3]) >>> 0;
}

export function read16(buf: Uint8Array, at: number, little: boolean): number {
  return little ? buf[at] | (buf[at + 1] << 8) : (buf[at] << 8) | buf[at + 1];
}
