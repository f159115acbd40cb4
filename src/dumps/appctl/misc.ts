/**
 * Informational appctl outputs kept as labelled lines: `dpctl/ct-stats-show`, `upcall/show`,
 * `coverage/show`, `dpif/show-dp-features`. They are shown to the user, not simulated.
 */
import { DiagnosticSink, dumpLines, type Parsed } from "../parsed.js";

export interface LabelledLine {
  label: string;
  value: string;
  line: number;
}

/** Lines of the form `label: value` (or `label : value`, or a bare section heading `label:`). */
export function parseLabelledLines(text: string, file: string, what: string): Parsed<LabelledLine[]> {
  const sink = new DiagnosticSink(file);
  const out: LabelledLine[] = [];
  for (const l of dumpLines(text)) {
    const m = /^\s*([^:]+?)\s*:\s*(.*)$/.exec(l.text) ?? /^\s*(\S+)\s+(\d[\d.]*\/sec.*)$/.exec(l.text);
    if (m) out.push({ label: m[1], value: m[2], line: l.line });
    else if (/^\d+ events never hit$/.test(l.text))
      out.push({ label: "events never hit", value: l.text.split(" ")[0], line: l.line });
    else if (/^\s*\[\w+\]=\d+$/.test(l.text)) {
      const [label, value] = l.text.trim().slice(1).split("]=");
      out.push({ label, value, line: l.line });
    } else sink.unparsed(l, what);
  }
  return { value: out, diagnostics: sink.diagnostics };
}
