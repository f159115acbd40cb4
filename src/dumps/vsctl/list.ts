/**
 * `ovs-vsctl list TABLE` (records of `column : value` lines separated by blank lines),
 * `ovs-vsctl list-br` (one name per line) and `ovs-vsctl get ...` (one value).
 */
import { DiagnosticSink, dumpLines, type Parsed } from "../parsed.js";
import { type OvsdbValue, parseOvsdbValue } from "./ovsdb-value.js";

export interface OvsdbRecord {
  columns: Map<string, OvsdbValue>;
  line: number;
}

const COLUMN = /^([a-z_][a-z0-9_]*)( *): (.*)$/;

export function parseVsctlList(text: string, file: string): Parsed<OvsdbRecord[]> {
  const sink = new DiagnosticSink(file);
  const out: OvsdbRecord[] = [];
  let cur: OvsdbRecord | undefined;
  let lastLine = 0;
  for (const l of dumpLines(text)) {
    if (l.line > lastLine + 1) cur = undefined; // a blank line ends a record
    lastLine = l.line;
    const m = COLUMN.exec(l.text);
    if (!m) {
      sink.unparsed(l, "an ovs-vsctl list record (column : value)");
      continue;
    }
    const v = parseOvsdbValue(m[3]);
    const valueColumn = m[1].length + m[2].length + 3;
    if (!v.ok) {
      sink.error(l, valueColumn + v.offset, `${m[1]}: ${v.message}`, m[1]);
      continue;
    }
    if (!cur) {
      cur = { columns: new Map(), line: l.line };
      out.push(cur);
    }
    cur.columns.set(m[1], v.value);
  }
  return { value: out, diagnostics: sink.diagnostics };
}

export function parseListBr(text: string, file: string): Parsed<string[]> {
  const sink = new DiagnosticSink(file);
  const out: string[] = [];
  for (const l of dumpLines(text)) {
    if (/^\S+$/.test(l.text)) out.push(l.text);
    else sink.unparsed(l, "a bridge name");
  }
  return { value: out, diagnostics: sink.diagnostics };
}

export function parseVsctlGet(text: string, file: string): Parsed<OvsdbValue | undefined> {
  const sink = new DiagnosticSink(file);
  const lines = dumpLines(text);
  let value: OvsdbValue | undefined;
  for (const [i, l] of lines.entries()) {
    const v = parseOvsdbValue(l.text);
    if (i === 0 && v.ok) value = v.value;
    else if (!v.ok) sink.error(l, v.offset + 1, v.message);
    else sink.unparsed(l, "a single ovs-vsctl get value");
  }
  return { value, diagnostics: sink.diagnostics };
}

export function looksLikeVsctlList(head: string): boolean {
  return /^_uuid +: [0-9a-f]{8}-/m.test(head);
}
