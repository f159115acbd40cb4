import type { Diagnostic, Result } from "../util/diagnostic.js";
import { PCAP_MAGIC_NS, PCAP_MAGIC_US, PcapReader, read32 } from "./pcap.js";
import { PCAPNG_SHB, PcapngReader } from "./pcapng.js";
import { type ByteSource, fileSource, memorySource } from "./source.js";
import type { CaptureReader } from "./types.js";
import { ByteWindow } from "./window.js";

export interface OpenOptions {
  /** Initial size of the read buffer (tests use small ones to exercise refills). */
  windowBytes?: number;
}

function problem(file: string, message: string, byteOffset = 0): Result<CaptureReader> {
  const error: Diagnostic = { severity: "error", file, line: 0, column: 0, byteOffset, message };
  return { ok: false, error };
}

/** Picks the reader by the file's magic number, never by its name. */
function fromSource(source: ByteSource, file: string, options: OpenOptions): Result<CaptureReader> {
  const win = new ByteWindow(source, options.windowBytes);
  const close = () => source.close();
  if (source.size < 4 || win.ensure(0, 4) < 0) {
    close();
    return problem(file, source.size === 0 ? "empty file, not a capture" : "too short to be a capture");
  }
  const le = read32(win.buf, 0, true);
  const be = read32(win.buf, 0, false);
  if (le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS || be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS) {
    if (win.ensure(0, 24) < 0) {
      close();
      return problem(file, "pcap file header cut off (24 bytes needed)");
    }
    return { ok: true, value: new PcapReader(file, win, close) };
  }
  if (le === PCAPNG_SHB) {
    return { ok: true, value: new PcapngReader(file, win, close) };
  }
  close();
  const hex = be.toString(16).padStart(8, "0");
  return problem(file, `not a pcap or pcapng capture (magic 0x${hex})`);
}

/** Opens a capture file for streaming. The only place the capture readers touch the file system. */
export function openCapture(path: string, options: OpenOptions = {}): Result<CaptureReader> {
  let source: ByteSource;
  try {
    source = fileSource(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === "ENOENT" ? "no such file" : err.code === "EISDIR" ? "is a directory" : err.message;
    return problem(path, `cannot open capture: ${why}`);
  }
  return fromSource(source, path, options);
}

/** A reader over bytes in memory (tests, fuzzing, archive members). */
export function captureFromBytes(
  bytes: Uint8Array,
  name: string,
  options: OpenOptions = {},
): Result<CaptureReader> {
  return fromSource(memorySource(bytes), name, options);
}
