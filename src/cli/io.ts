/**
 * The CLI's only contact with stdout/stderr. Output is buffered into large writes (a decode of a
 * million frames must not issue a million syscalls) and a closed pipe (`ovspath decode x | head`)
 * ends the process quietly instead of with an EPIPE stack trace.
 */
import { writeSync } from "node:fs";

const STDOUT_FD = 1;
const STDERR_FD = 2;
const FLUSH_AT = 1 << 16;

/** Exit codes are part of the CLI contract: scripts depend on them. */
export const EXIT = {
  ok: 0,
  /** The input was damaged (after printing what could be read), or the answer is a failure. */
  failure: 1,
  /** Usage errors: bad flags, missing arguments, unreadable files, bad filter expressions. */
  usage: 2,
} as const;

export class UsageError extends Error {}

let pending: string[] = [];
let pendingBytes = 0;

function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text, "utf8");
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") continue;
      if (code === "EPIPE") process.exit(EXIT.ok);
      throw err;
    }
  }
}

export function out(line: string): void {
  pending.push(line, "\n");
  pendingBytes += line.length + 1;
  if (pendingBytes >= FLUSH_AT) flush();
}

export function flush(): void {
  if (pending.length === 0) return;
  const text = pending.join("");
  pending = [];
  pendingBytes = 0;
  writeAll(STDOUT_FD, text);
}

export function err(line: string): void {
  flush();
  writeAll(STDERR_FD, `${line}\n`);
}
