/** `ovs-appctl fdb/show BR` (the NORMAL action's MAC table) and `fdb/stats-show BR`. */
import { DiagnosticSink, dumpLines, type Parsed } from "../parsed.js";

export interface FdbEntry {
  /** OpenFlow port number, or a name (`LOCAL`) when OVS printed one. */
  port: number | string;
  vlan: number;
  mac: string;
  /** Seconds, or "static". */
  age: number | "static";
  line: number;
}

export function parseFdbShow(text: string, file: string): Parsed<FdbEntry[]> {
  const sink = new DiagnosticSink(file);
  const out: FdbEntry[] = [];
  for (const l of dumpLines(text)) {
    if (/^ port\s+VLAN\s+MAC\s+Age$/.test(l.text)) continue;
    const m = /^\s*(\S+)\s+(\d+)\s+([0-9a-f]{2}(?::[0-9a-f]{2}){5})\s+(\d+|static)$/.exec(l.text);
    if (!m) {
      sink.unparsed(l, "an fdb/show row (port VLAN MAC Age)");
      continue;
    }
    out.push({
      port: /^\d+$/.test(m[1]) ? Number(m[1]) : m[1],
      vlan: Number(m[2]),
      mac: m[3],
      age: m[4] === "static" ? "static" : Number(m[4]),
      line: l.line,
    });
  }
  return { value: out, diagnostics: sink.diagnostics };
}

export function parseFdbStatsShow(
  text: string,
  file: string,
): Parsed<{ bridge?: string; stats: Record<string, string> }> {
  const sink = new DiagnosticSink(file);
  const value: { bridge?: string; stats: Record<string, string> } = { stats: {} };
  for (const l of dumpLines(text)) {
    const b = /^Statistics for bridge "(.*)":$/.exec(l.text);
    if (b) value.bridge = b[1];
    else {
      const m = /^ {2}(.+?)\s*: (\S+)$/.exec(l.text);
      if (m) value.stats[m[1]] = m[2];
      else sink.unparsed(l, "fdb/stats-show output");
    }
  }
  return { value, diagnostics: sink.diagnostics };
}

export function looksLikeFdbShow(head: string): boolean {
  return /^ port\s+VLAN\s+MAC\s+Age/.test(head);
}
