/** `ovs-appctl dpctl/dump-conntrack [-m]` and `dpctl/ct-stats-show`. */
import { DiagnosticSink, dumpLines, type Parsed } from "../parsed.js";
import { type OdpNode, parseOdp } from "./odp-syntax.js";

export interface ConntrackEntry {
  protocol: string;
  orig: Record<string, string>;
  reply: Record<string, string>;
  zone: number;
  mark?: string;
  labels?: string;
  /** Every other attribute (id, status, timeout, protoinfo...), as printed. */
  attrs: Record<string, string>;
  protoinfo?: Record<string, string>;
  line: number;
}

export function parseDumpConntrack(text: string, file: string): Parsed<ConntrackEntry[]> {
  const sink = new DiagnosticSink(file);
  const out: ConntrackEntry[] = [];
  for (const l of dumpLines(text)) {
    const parsed = parseOdp(l.text);
    const [proto, ...rest] = parsed.ok ? parsed.value : [];
    if (!parsed.ok || !proto || proto.call) {
      sink.error(
        l,
        parsed.ok ? 1 : parsed.offset + 1,
        "not a conntrack entry (PROTO,orig=(...),reply=(...),...)",
      );
      continue;
    }
    const e: ConntrackEntry = { protocol: proto.name, orig: {}, reply: {}, zone: 0, attrs: {}, line: l.line };
    for (const n of rest as OdpNode[]) {
      const eq = n.name.indexOf("=");
      const key = eq < 0 ? n.name : n.name.slice(0, eq);
      const value = eq < 0 ? "" : n.name.slice(eq + 1);
      const inner = /^\((.*)\)$/.exec(value)?.[1];
      if ((key === "orig" || key === "reply" || key === "protoinfo") && inner !== undefined) {
        const fields: Record<string, string> = {};
        for (const kv of inner.split(",")) {
          const i = kv.indexOf("=");
          fields[kv.slice(0, i)] = kv.slice(i + 1);
        }
        if (key === "protoinfo") e.protoinfo = fields;
        else e[key] = fields;
      } else if (key === "zone") e.zone = Number(value);
      else if (key === "mark") e.mark = value;
      else if (key === "labels") e.labels = value;
      else e.attrs[key] = value;
    }
    out.push(e);
  }
  return { value: out, diagnostics: sink.diagnostics };
}
