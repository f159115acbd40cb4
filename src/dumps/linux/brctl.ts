/**
 * `brctl show`: Linux bridges (qbr...) and the interfaces enslaved to them. A bridge line carries the
 * first interface; each further interface is on its own tab-indented line; a bridge may have none.
 */
import { DiagnosticSink, dumpLines, type Parsed } from "../parsed.js";

export interface LinuxBridge {
  name: string;
  /** `8000.aef9701aee3f` as printed. */
  bridgeId: string;
  stp: boolean;
  interfaces: string[];
  line: number;
}

const HEADER = /^bridge name\s+bridge id\s+STP enabled\s+interfaces\s*$/;

export function parseBrctlShow(text: string, file: string): Parsed<LinuxBridge[]> {
  const sink = new DiagnosticSink(file);
  const out: LinuxBridge[] = [];
  for (const l of dumpLines(text)) {
    if (HEADER.test(l.text)) continue;
    const words = [...l.text.matchAll(/\S+/g)].map((m) => ({ w: m[0], col: m.index + 1 }));
    if (/^\s/.test(l.text)) {
      // A continuation line: one more interface of the bridge above.
      if (out.length > 0 && words.length === 1) out[out.length - 1].interfaces.push(words[0].w);
      else sink.unparsed(l, "brctl show output");
      continue;
    }
    if (words.length < 3 || words.length > 4) {
      sink.unparsed(l, "brctl show output");
      continue;
    }
    if (!/^[0-9a-f]{4}\.[0-9a-f]{12}$/.test(words[1].w)) {
      sink.error(l, words[1].col, `not a bridge id: ${words[1].w}`, "bridge id");
      continue;
    }
    if (words[2].w !== "yes" && words[2].w !== "no") {
      sink.error(l, words[2].col, `STP enabled is neither yes nor no: ${words[2].w}`, "STP enabled");
      continue;
    }
    out.push({
      name: words[0].w,
      bridgeId: words[1].w,
      stp: words[2].w === "yes",
      interfaces: words[3] ? [words[3].w] : [],
      line: l.line,
    });
  }
  return { value: out, diagnostics: sink.diagnostics };
}

export function looksLikeBrctlShow(head: string): boolean {
  return /^bridge name\s+bridge id\s+STP enabled/.test(head);
}
