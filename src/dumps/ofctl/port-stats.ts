/**
 * `ovs-ofctl dump-ports BR`: per-port counters. OVS prints `?` for a counter the port does not keep;
 * that is null here, not zero.
 */
import { DiagnosticSink, dumpLines, LineMatch, type Parsed } from "../parsed.js";

export type Counter = bigint | null;

export interface PortStats {
  /** null for LOCAL. */
  ofport: number | null;
  rx: Record<string, Counter>;
  tx: Record<string, Counter>;
  durationSeconds?: number;
  line: number;
}

const HEADER = /^OFPST_PORT reply(?: \(OF1\.\d\))? \(xid=0x[0-9a-f]+\): \d+ ports?$/;
const RX = /^ {2}port +(\d+|LOCAL|"[^"]*"|\S+): rx (.*)$/;
const TX = /^ {11}tx (.*)$/;
const DURATION = /^ {11}duration=([\d.]+)s$/;

function counters(text: string): Record<string, Counter> | null {
  const out: Record<string, Counter> = {};
  for (const part of text.split(", ")) {
    const m = /^([a-z_]+)=(\d+|\?)$/.exec(part);
    if (!m) return null;
    out[m[1]] = m[2] === "?" ? null : BigInt(m[2]);
  }
  return out;
}

export function parseOfctlDumpPorts(text: string, file: string): Parsed<PortStats[]> {
  const sink = new DiagnosticSink(file);
  const out: PortStats[] = [];
  let cur: PortStats | undefined;
  for (const l of dumpLines(text)) {
    const lm = new LineMatch(l.text);
    if (HEADER.test(l.text)) continue;
    if (lm.is(RX)) {
      const rx = counters(lm.g(2));
      if (!rx) {
        sink.error(l, l.text.indexOf(" rx ") + 5, "expected rx counters name=N, ...");
        continue;
      }
      cur = { ofport: lm.g(1) === "LOCAL" ? null : Number(lm.g(1)), rx, tx: {}, line: l.line };
      out.push(cur);
    } else if (cur && lm.is(TX)) {
      const tx = counters(lm.g(1));
      if (tx) cur.tx = tx;
      else sink.error(l, 15, "expected tx counters name=N, ...");
    } else if (cur && lm.is(DURATION)) {
      cur.durationSeconds = Number(lm.g(1));
    } else sink.unparsed(l, "ovs-ofctl dump-ports output");
  }
  return { value: out, diagnostics: sink.diagnostics };
}
