import { InvalidArgumentError } from "@commander-js/extra-typings";
import { compileDisplayFilter, type DisplayFilter, type FieldLookup } from "../../model/display-filter.js";
import { escapeText } from "../../util/escape.js";
import { out, UsageError } from "../io.js";

/** Option parsers shared by the commands; commander turns their errors into usage errors (exit 2). */
export function parseCount(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError("expected a whole number ≥ 1");
  return Number(value);
}

export function parsePort(value: string, previous: number[] | undefined): number[] {
  // Repeatable and comma-separated, never variadic: a variadic option swallows the positional after it.
  const ports = value.split(",").map((part) => {
    const n = Number(part);
    if (!/^\d+$/.test(part) || n < 1 || n > 65535)
      throw new InvalidArgumentError(
        `expected a UDP port 1-65535 (or several, comma-separated), got "${part}"`,
      );
    return n;
  });
  return [...(previous ?? []), ...ports];
}

/** `--filter '?'`: prints the fields a filter can read, one per line with its description; true if so. */
export function listFilterFields(
  text: string | undefined,
  fields: ReadonlyArray<{ name: string; description: string }>,
): boolean {
  if (text?.trim() !== "?") return false;
  const width = Math.max(...fields.map((f) => f.name.length));
  for (const f of fields) out(`${f.name.padEnd(width)}  ${f.description}`);
  return true;
}

/**
 * `--filter EXPR` as a display filter: a bad expression is a usage error (exit 2) naming the column,
 * with the expression and a caret under it.
 */
export function compileFilterOption(
  text: string,
  known: FieldLookup,
  hint?: (field: string) => string | undefined,
): DisplayFilter {
  const c = compileDisplayFilter(text, known);
  if (c.ok) return c.filter;
  const unknown = /^unknown field "(.*)"$/.exec(c.message);
  const extra = unknown ? (hint?.(unknown[1]) ?? "`--filter '?'` lists the fields") : undefined;
  const shown = escapeText(text);
  const width = escapeText(text.slice(0, c.column - 1)).length;
  throw new UsageError(
    `--filter: column ${c.column}: ${escapeText(c.message)}${extra ? ` (${extra})` : ""}\n    ${shown}\n    ${" ".repeat(width)}^`,
  );
}
