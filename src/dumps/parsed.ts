/**
 * What every dump parser returns: the typed model of what it understood and one diagnostic per line
 * it did not. Parsers never throw on bad input and never skip a line silently.
 */
import { atLine, type Diagnostic, lineError } from "../util/diagnostic.js";

export interface Parsed<T> {
  value: T;
  diagnostics: Diagnostic[];
}

/** One line of a dump: its 1-based number and its text without the line ending. */
export interface DumpLine {
  line: number;
  text: string;
}

/** The lines of a dump, CR stripped, blank lines left out (no dump gives them meaning). */
export function dumpLines(text: string): DumpLine[] {
  const out: DumpLine[] = [];
  const raw = text.split("\n");
  for (let i = 0; i < raw.length; i++) {
    const t = raw[i].endsWith("\r") ? raw[i].slice(0, -1) : raw[i];
    if (t.trim() !== "") out.push({ line: i + 1, text: t });
  }
  return out;
}

/** Collects diagnostics for one file. */
export class DiagnosticSink {
  readonly diagnostics: Diagnostic[] = [];
  constructor(readonly file: string) {}

  /** Reports a line that was not understood; `column` is 1-based. */
  error(l: DumpLine, column: number, message: string, field?: string): void {
    this.diagnostics.push(atLine(this.file, l.line, l.text, lineError(column, message, field)));
  }

  /** The usual catch-all: the whole line was not understood. */
  unparsed(l: DumpLine, what: string): void {
    const column = l.text.length - l.text.trimStart().length + 1;
    this.error(l, column, `line not understood as ${what}`);
  }
}

/**
 * Tries a line against several layouts in turn (`if (lm.is(A)) ... else if (lm.is(B)) ...`), keeping
 * the groups of the one that matched.
 */
export class LineMatch {
  groups: RegExpExecArray | null = null;
  constructor(readonly text: string) {}
  is(re: RegExp): boolean {
    this.groups = re.exec(this.text);
    return this.groups !== null;
  }
  /** Group `i` of the last successful match ("" when absent). */
  g(i: number): string {
    return this.groups?.[i] ?? "";
  }
}
