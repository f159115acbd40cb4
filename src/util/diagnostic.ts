/**
 * A problem found in user input: a damaged dump line, a capture record cut short, a bad filter.
 * Parsers return these as values (they never throw on bad input), and the presenters render them
 * the same way everywhere: `file:line:column: message`, the line, and a caret under the problem.
 */
export type Severity = "error" | "warning";

export interface Diagnostic {
  severity: Severity;
  /** Path of the file (or archive member, as `archive.tar.xz!member`) the problem is in. */
  file: string;
  /** 1-based line number; 0 where the input is not line-oriented (captures). */
  line: number;
  /** 1-based column of the problem in `text`; 0 when unknown. */
  column: number;
  /** The field or token at fault, when there is one (`nw_src`, `caplen`, `actions`). */
  field?: string;
  message: string;
  /** The offending line, for the caret display. */
  text?: string;
  /** For binary input: the byte offset of the problem and the frame number. */
  byteOffset?: number;
  frame?: number;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: Diagnostic };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** A diagnostic relative to one line, before the file and line number are known. */
export interface LineError {
  column: number;
  field?: string;
  message: string;
}

export function lineError(column: number, message: string, field?: string): LineError {
  return field === undefined ? { column, message } : { column, message, field };
}

export function atLine(
  file: string,
  line: number,
  text: string,
  err: LineError,
  severity: Severity = "error",
): Diagnostic {
  const d: Diagnostic = { severity, file, line, column: err.column, message: err.message, text };
  if (err.field !== undefined) d.field = err.field;
  return d;
}
