/**
 * `conntrack -L [-o extended]`: one connection per line, `[ipv4 2] tcp 6 TIMEOUT [STATE] src= dst=
 * sport= dport= [UNREPLIED] src= dst= sport= dport= [ASSURED] mark= [zone=] use=`. The first
 * src/dst/ports are the original direction, the second the reply. Entries seed the firewall's conntrack
 * and are marked pre-existing.
 */
import type { CtEntry, CtTuple } from "../../firewall/conntrack.js";
import { parseIpv4, parseIpv6 } from "../../model/field-value.js";
import { DiagnosticSink, dumpLines, type Parsed } from "../parsed.js";

const SUMMARY = /^conntrack v[\d.]+ \(conntrack-tools\): \d+ flow entries have been shown\.$/;

export function parseConntrackList(text: string, file: string): Parsed<CtEntry[]> {
  const sink = new DiagnosticSink(file);
  const out: CtEntry[] = [];
  for (const l of dumpLines(text)) {
    if (SUMMARY.test(l.text.trim())) continue;
    const words = [...l.text.matchAll(/\S+/g)].map((m) => ({ w: m[0], col: m.index + 1 }));
    let i = 0;
    if (words[0]?.w === "ipv4" || words[0]?.w === "ipv6") i = 2;
    const proto = Number(words[i + 1]?.w);
    if (!words[i + 1] || !Number.isInteger(proto) || !/^\d+$/.test(words[i + 2]?.w ?? "")) {
      sink.unparsed(l, "conntrack -L output (PROTO NUMBER TIMEOUT …)");
      continue;
    }
    const tuples: Array<Partial<Record<string, string>>> = [];
    let zone = 0;
    let unreplied = false;
    let bad = false;
    for (const { w, col } of words.slice(i + 3)) {
      if (/^[A-Z_]+$/.test(w)) continue; // the TCP state
      if (w === "[UNREPLIED]") {
        unreplied = true;
        continue;
      }
      if (/^\[[A-Z_]+\]$/.test(w)) continue;
      const kv = /^([a-z-]+)=(.*)$/.exec(w);
      if (!kv) {
        sink.error(l, col, `not KEY=VALUE: ${w}`, "entry");
        bad = true;
        break;
      }
      const [, k, v] = kv;
      if (k === "src") tuples.push({});
      if (k === "zone" || k === "zone-orig") zone = Number(v);
      else if (["src", "dst", "sport", "dport", "type", "id"].includes(k) && tuples.length > 0)
        tuples[tuples.length - 1][k] = v;
    }
    if (bad) continue;
    const [o, r] = tuples.map((t) => tupleFrom(t, proto));
    if (!o || !r) {
      sink.unparsed(l, "conntrack -L output (two src= dst= tuples)");
      continue;
    }
    out.push({
      zone,
      orig: o,
      reply: r,
      replied: !unreplied,
      preexisting: true,
      source: `${file}:${l.line}`,
    });
  }
  return { value: out, diagnostics: sink.diagnostics };
}

function tupleFrom(t: Partial<Record<string, string>>, proto: number): CtTuple | null {
  const parse = (a: string | undefined) =>
    a === undefined ? null : a.includes(":") ? parseIpv6(a) : parseIpv4(a);
  const src = parse(t.src);
  const dst = parse(t.dst);
  if (src === null || dst === null) return null;
  const icmp = t.type !== undefined;
  return {
    proto,
    src,
    dst,
    sport: Number(icmp ? (t.id ?? 0) : (t.sport ?? 0)),
    dport: Number(icmp ? t.type : (t.dport ?? 0)),
  };
}

export const looksLikeConntrackList = (head: string): boolean =>
  /^(ipv[46]\s+\d+\s+)?(tcp|udp|icmp|icmpv6|sctp|unknown)\s+\d+\s+\d+\s/.test(head);
