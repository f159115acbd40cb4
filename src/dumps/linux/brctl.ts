/** `brctl show`: Linux bridges (qbr...) and the interfaces enslaved to them. */
import { DiagnosticSink, dumpLines, type Parsed } from "../parsed.js";

export interface LinuxBridge {
  name: string;
  bridgeId: string;
  stp: boolean;
  interfaces: string[];
  line: number;
}

export function parseBrctlShow(text: string, file: string): Parsed<LinuxBridge[]> {
  const sink = new DiagnosticSink(file);
  const out: LinuxBridge[] = [];
  for (const l of dumpLines(text)) {
    if (/^bridge name\s+bridge id\s+STP enabled\s+interfaces$/.test(l.text)) continue;
    let m = /^(\S+)\s+([0-9a-f]{4}\.[0-9a-f]{12})\s+(yes|no)(?:\s+(\S+))?\s*$/.exec(l.text);
    if (m) {
      out.push({
        name: m[1],
        bridgeId: m[2],
        stp: m[3] === "yes",
        interfaces: m[4] ? [m[4]] : [],
        line: l.line,
      });
      continue;
    }
    m = /^\s+(\S+)\s*$/.exec(l.text);
    if (m && out.length > 0) out[out.length - 1].interfaces.push(m[1]);
    else sink.unparsed(l, "brctl show output");
  }
  return { value: out, diagnostics: sink.diagnostics };
}

export function looksLikeBrctlShow(head: string): boolean {
  return /^bridge name\s+bridge id\s+STP enabled/.test(head);
}
