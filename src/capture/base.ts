import type { Diagnostic } from "../util/diagnostic.js";
import type { CaptureFormat, CaptureInterface, CaptureReader, CaptureRecord, CaptureStats } from "./types.js";
import type { ByteWindow } from "./window.js";

/** State and bookkeeping shared by the pcap and pcapng readers. */
export abstract class BaseReader implements CaptureReader {
  abstract readonly format: CaptureFormat;
  readonly interfaces: CaptureInterface[] = [];
  readonly diagnostics: Diagnostic[] = [];
  readonly stats: CaptureStats = { frames: 0, skippedBlocks: {} };
  protected pos = 0;
  protected frame = 0;
  protected done = false;
  protected readonly rec: CaptureRecord;

  constructor(
    readonly file: string,
    protected readonly win: ByteWindow,
    private readonly onClose: () => void,
  ) {
    this.rec = {
      frame: 0,
      bytes: win.buf,
      offset: 0,
      caplen: 0,
      len: 0,
      truncated: false,
      hasTimestamp: true,
      tsSec: 0,
      tsNsec: 0,
      linktype: 0,
      interfaceId: 0,
      comment: undefined,
      fileOffset: 0,
    };
  }

  abstract next(): CaptureRecord | null;

  seek(fileOffset: number, frame: number): void {
    this.pos = fileOffset;
    this.frame = frame - 1;
    this.done = false;
  }

  readAt(fileOffset: number, frame: number): CaptureRecord | null {
    const { pos, frame: current, done } = this;
    const diagnostics = this.diagnostics.length;
    this.seek(fileOffset, frame);
    const rec = this.next();
    // A damaged record met this way is the caller's answer (null), not a diagnostic of the walk.
    this.diagnostics.length = diagnostics;
    // Back where the walk was (seek also restores the pcapng reader's section).
    this.seek(pos, current + 1);
    this.done = done;
    return rec;
  }

  close(): void {
    this.onClose();
  }

  /** Stops reading with an error naming the frame and byte offset. */
  protected fail(message: string, offset: number, field?: string): null {
    const d: Diagnostic = {
      severity: "error",
      file: this.file,
      line: 0,
      column: 0,
      frame: this.frame + 1,
      byteOffset: offset,
      message,
    };
    if (field !== undefined) d.field = field;
    this.diagnostics.push(d);
    this.done = true;
    return null;
  }

  /** A damaged but readable field: a warning naming the frame, once however often it is read. */
  protected warnOnce(message: string, offset: number, field: string): void {
    // Damage is rare: a scan of what was said beats a set that readAt's rollback would outlive.
    if (this.diagnostics.some((d) => d.byteOffset === offset && d.field === field)) return;
    this.diagnostics.push({
      severity: "warning",
      file: this.file,
      line: 0,
      column: 0,
      frame: this.frame,
      byteOffset: offset,
      message,
      field,
    });
  }

  protected countSkipped(name: string): void {
    this.stats.skippedBlocks[name] = (this.stats.skippedBlocks[name] ?? 0) + 1;
  }

  /** Fills the shared record; `at` is the index of the frame bytes in the window buffer. */
  protected emit(at: number, caplen: number, len: number, start: number, ifIndex: number): CaptureRecord {
    const r = this.rec;
    this.frame++;
    this.stats.frames = Math.max(this.stats.frames, this.frame);
    r.frame = this.frame;
    r.bytes = this.win.buf;
    r.offset = at;
    r.caplen = caplen;
    r.len = len;
    r.truncated = caplen < len;
    r.fileOffset = start;
    r.interfaceId = ifIndex;
    r.linktype = this.interfaces[ifIndex]?.linktype ?? 0;
    r.comment = undefined;
    r.hasTimestamp = true;
    return r;
  }
}
