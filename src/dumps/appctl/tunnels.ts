/**
 * Tunnel and routing state: `ofproto/list-tunnels`, `tnl/ports/show [-v]`, `tnl/arp/show` (neighbour
 * cache for native tunnels) and `ovs/route/show`.
 */
import { DiagnosticSink, dumpLines, type Parsed } from "../parsed.js";

export interface TunnelPort {
  /** The number list-tunnels prints first (the datapath port: 4789 for vxlan_sys_4789). */
  dpPort: number;
  name: string;
  type: string;
  local?: string;
  remote?: string;
  /** The comma-separated settings after the endpoints (`key=flow`, `legacy_l2`, `ttl=64`...). */
  settings: Record<string, string>;
  line: number;
}

export function parseListTunnels(text: string, file: string): Parsed<TunnelPort[]> {
  const sink = new DiagnosticSink(file);
  const out: TunnelPort[] = [];
  for (const l of dumpLines(text)) {
    const m = /^port (\d+): (\S+) \((\w+): (?:([0-9a-f.:]*)->([0-9a-f.:]*|flow))?(?:, )?(.*)\)$/.exec(l.text);
    if (!m) {
      sink.unparsed(l, "an ofproto/list-tunnels line");
      continue;
    }
    const settings: Record<string, string> = {};
    for (const s of m[6].split(", ").filter((x) => x !== "")) {
      const eq = s.indexOf("=");
      settings[eq < 0 ? s : s.slice(0, eq)] = eq < 0 ? "" : s.slice(eq + 1);
    }
    const t: TunnelPort = { dpPort: Number(m[1]), name: m[2], type: m[3], settings, line: l.line };
    if (m[4]) t.local = m[4];
    if (m[5]) t.remote = m[5];
    out.push(t);
  }
  return { value: out, diagnostics: sink.diagnostics };
}

export interface ListeningPort {
  name: string;
  dpPort: number;
  /** The decapsulation match (-v), as printed. */
  match?: string;
  line: number;
}

export function parseTnlPorts(text: string, file: string): Parsed<ListeningPort[]> {
  const sink = new DiagnosticSink(file);
  const out: ListeningPort[] = [];
  for (const l of dumpLines(text)) {
    if (l.text === "Listening ports:") continue;
    const m = /^(\S+) \((\d+)\)(?: : (.*))?$/.exec(l.text);
    if (!m) {
      sink.unparsed(l, "a tnl/ports/show line");
      continue;
    }
    const p: ListeningPort = { name: m[1], dpPort: Number(m[2]), line: l.line };
    if (m[3]) p.match = m[3];
    out.push(p);
  }
  return { value: out, diagnostics: sink.diagnostics };
}

export interface Neighbour {
  ip: string;
  mac: string;
  bridge: string;
  line: number;
}

export function parseTnlArp(text: string, file: string): Parsed<Neighbour[]> {
  const sink = new DiagnosticSink(file);
  const out: Neighbour[] = [];
  for (const l of dumpLines(text)) {
    if (/^IP\s+MAC\s+Bridge$/.test(l.text) || /^=+$/.test(l.text)) continue;
    const m = /^(\S+)\s+([0-9a-f]{2}(?::[0-9a-f]{2}){5})\s+(\S+)$/.exec(l.text);
    if (m) out.push({ ip: m[1], mac: m[2], bridge: m[3], line: l.line });
    else sink.unparsed(l, "a tnl/arp/show row");
  }
  return { value: out, diagnostics: sink.diagnostics };
}

export interface OvsRoute {
  /** `Cached` (from the kernel) or `User` (ovs/route/add). */
  origin: string;
  prefix: string;
  dev: string;
  gateway?: string;
  src?: string;
  local: boolean;
  line: number;
}

export function parseRouteShow(text: string, file: string): Parsed<OvsRoute[]> {
  const sink = new DiagnosticSink(file);
  const out: OvsRoute[] = [];
  for (const l of dumpLines(text)) {
    if (l.text === "Route Table:") continue;
    const m = /^(\w+): (\S+) dev (\S+)(?: GW (\S+))?(?: SRC (\S+))?( local)?$/.exec(l.text);
    if (!m) {
      sink.unparsed(l, "an ovs/route/show line");
      continue;
    }
    const r: OvsRoute = { origin: m[1], prefix: m[2], dev: m[3], local: m[6] !== undefined, line: l.line };
    if (m[4]) r.gateway = m[4];
    if (m[5]) r.src = m[5];
    out.push(r);
  }
  return { value: out, diagnostics: sink.diagnostics };
}
