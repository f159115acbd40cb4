/**
 * The CLI's only contact with stdout/stderr. Output is buffered into large writes (a decode of a
 * million frames must not issue a million syscalls) and a closed pipe (`ovspath decode x | head`)
 * ends the process quietly instead of with an EPIPE stack trace.
 */
import { writeSync } from "node:fs";

const STDOUT_FD = 1;
const STDERR_FD = 2;
/** The output buffer: a write per 128 kB of output. */
const BUFFER_BYTES = 1 << 17;
const NEWLINE = 0x0a;

/** Exit codes are part of the CLI contract: scripts depend on them. */
export const EXIT = {
  ok: 0,
  /** The input was damaged (after printing what could be read), or the answer is a failure. */
  failure: 1,
  /** Usage errors: bad flags, missing arguments, unreadable files, bad filter expressions. */
  usage: 2,
} as const;

export class UsageError extends Error {}

/**
 * Lines are encoded straight into one buffer, written when full: joining them into one string first
 * and encoding that made, per write, a string of up to 128 kB (a young large object: a replay's arrows
 * make its text two bytes a character) and a buffer of as much from malloc, on every 64 kB of output.
 */
let buffer: Buffer | undefined;
let used = 0;

function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) {
    try {
      off += writeSync(fd, bytes, off, bytes.length - off);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") continue;
      if (code === "EPIPE") process.exit(EXIT.ok);
      throw err;
    }
  }
}

/** A line on stdout, its newline added (`newline` false: the text as it is, a line being written in parts). */
export function out(line: string, newline = true): void {
  buffer ??= Buffer.allocUnsafeSlow(BUFFER_BYTES);
  // UTF-8 takes at most 3 bytes per UTF-16 unit (a surrogate pair: 4 for 2).
  const most = 3 * line.length + 1;
  if (used + most > buffer.length) {
    flush();
    if (most > buffer.length) {
      writeAll(STDOUT_FD, Buffer.from(newline ? `${line}\n` : line, "utf8"));
      return;
    }
  }
  used += buffer.write(line, used, "utf8");
  if (newline) buffer[used++] = NEWLINE;
}

export function flush(): void {
  if (used === 0 || !buffer) return;
  const bytes = buffer.subarray(0, used);
  used = 0;
  writeAll(STDOUT_FD, bytes);
}

/**
 * Text as it is, no newline added (commander's help and usage errors, which carry their own), on
 * stdout or stderr, after what is buffered: help piped into `head` ends quietly too.
 */
export function writeText(stream: "stdout" | "stderr", text: string): void {
  flush();
  writeAll(stream === "stdout" ? STDOUT_FD : STDERR_FD, Buffer.from(text, "utf8"));
}

export function err(line: string): void {
  flush();
  writeAll(STDERR_FD, Buffer.from(`${line}\n`, "utf8"));
}
