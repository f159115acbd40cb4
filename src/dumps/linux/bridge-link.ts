/** `bridge link` / `bridge -d link` / `bridge -s -s -d link show`: the ports of Linux bridges. */
import { DiagnosticSink, dumpLines, type Parsed } from "../parsed.js";

export interface BridgePort {
  index: number;
  name: string;
  peer?: string;
  flags: string[];
  mtu?: number;
  master?: string;
  state?: string;
  priority?: number;
  cost?: number;
  /** The -d detail words as key/value pairs (`hairpin off learning on ...`). */
  params: Record<string, string>;
  line: number;
}

const HEADER = /^(\d+): ([^:@\s]+)(?:@(\S+))?: <([^>]*)>(.*)$/;

export function parseBridgeLink(text: string, file: string): Parsed<BridgePort[]> {
  const sink = new DiagnosticSink(file);
  const out: BridgePort[] = [];
  for (const l of dumpLines(text)) {
    const m = HEADER.exec(l.text);
    if (m) {
      const w = m[5].trim().split(/\s+/);
      const attrs: Record<string, string> = {};
      for (let i = 0; i + 1 < w.length; i += 2) attrs[w[i]] = w[i + 1];
      const p: BridgePort = {
        index: Number(m[1]),
        name: m[2],
        flags: m[4] ? m[4].split(",") : [],
        params: {},
        line: l.line,
      };
      if (m[3]) p.peer = m[3];
      if (attrs.mtu) p.mtu = Number(attrs.mtu);
      if (attrs.master) p.master = attrs.master;
      if (attrs.state) p.state = attrs.state;
      if (attrs.priority) p.priority = Number(attrs.priority);
      if (attrs.cost) p.cost = Number(attrs.cost);
      out.push(p);
    } else if (out.length > 0 && /^\s/.test(l.text)) {
      const w = l.text.trim().split(/\s+/);
      for (let i = 0; i + 1 < w.length; i += 2) out[out.length - 1].params[w[i]] = w[i + 1];
    } else sink.unparsed(l, "bridge link output");
  }
  return { value: out, diagnostics: sink.diagnostics };
}

export function looksLikeBridgeLink(head: string): boolean {
  return /^\d+: \S+: <[A-Z0-9_,-]*> mtu \d+ master \S+ state \S+/m.test(head) && !/link\/ether/.test(head);
}
