import type { Diagnostic } from "./diagnostic.js";
import { escapeText } from "./escape.js";

/** Renders a diagnostic as `file:line:col: severity: message [field]`, the line, and a caret. */
export function formatDiagnostic(d: Diagnostic): string {
  const where =
    d.line > 0
      ? `${d.file}:${d.line}${d.column > 0 ? `:${d.column}` : ""}`
      : `${d.file}${d.frame !== undefined ? `: frame ${d.frame}` : ""}${d.byteOffset !== undefined ? ` (byte offset ${d.byteOffset})` : ""}`;
  const field = d.field ? ` [${escapeText(d.field)}]` : "";
  const head = `${escapeText(where)}: ${d.severity}: ${escapeText(d.message)}${field}`;
  if (d.text === undefined) return head;
  const text = escapeText(d.text);
  if (d.column <= 0) return `${head}\n    ${text}`;
  // Escaping may widen characters before the column; count the escaped prefix's width.
  const prefixWidth = escapeText(d.text.slice(0, d.column - 1)).length;
  return `${head}\n    ${text}\n    ${" ".repeat(prefixWidth)}^`;
}
