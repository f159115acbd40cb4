/**
 * `ovn-nbctl show` and `ovn-sbctl show` (ovn/utilities/ovn-nbctl.c, ovn-sbctl.c): indented trees.
 * NB: `switch UUID (NAME)` / `router UUID (NAME)`, then `port NAME` with `key: value` lines below.
 * SB: `Chassis NAME` with `hostname:`, `Encap TYPE` (`ip:`, `options:`), `Port_Binding NAME` lines.
 */
import { DiagnosticSink, type DumpLine, dumpLines, type Parsed } from "../parsed.js";

export interface ShownPort {
  name: string;
  line: number;
  /** `type: router`, `addresses: [...]`, `router-port: lr1-ls1`, `mac: "..."`, `networks: [...]`. */
  attrs: Map<string, string>;
}

export interface ShownDatapath {
  kind: "switch" | "router";
  uuid: string;
  name: string;
  line: number;
  attrs: Map<string, string>;
  ports: ShownPort[];
}

export interface ShownEncap {
  type: string;
  line: number;
  attrs: Map<string, string>;
}

export interface ShownChassis {
  name: string;
  line: number;
  attrs: Map<string, string>;
  encaps: ShownEncap[];
  bindings: string[];
}

const indent = (l: DumpLine) => l.text.length - l.text.trimStart().length;
const ATTR = /^\s+([\w-]+): (.*)$/;

/** Unquotes ovs-style `"text"` values (C escapes); other values are returned as printed. */
export function unquote(v: string): string {
  return /^".*"$/.test(v) ? (JSON.parse(v) as string) : v;
}

export function looksLikeNbctlShow(head: string): boolean {
  return /^(switch|router) [0-9a-f-]{36} \(.*\)\n/.test(head);
}

export function looksLikeSbctlShow(head: string): boolean {
  return /^Chassis "?[^\n]+"?\n {4}(hostname|Encap) /.test(head);
}

export function parseNbctlShow(text: string, file: string): Parsed<ShownDatapath[]> {
  const sink = new DiagnosticSink(file);
  const out: ShownDatapath[] = [];
  for (const l of dumpLines(text)) {
    const dp = out.at(-1);
    const port = dp?.ports.at(-1);
    const top = /^(switch|router) ([0-9a-f-]{36}) \((.*)\)$/.exec(l.text);
    const p = /^ {4}port (.+)$/.exec(l.text);
    const a = ATTR.exec(l.text);
    if (top)
      out.push({
        kind: top[1] as "switch" | "router",
        uuid: top[2],
        name: top[3],
        line: l.line,
        attrs: new Map(),
        ports: [],
      });
    else if (p && dp) dp.ports.push({ name: unquote(p[1]), line: l.line, attrs: new Map() });
    else if (a && indent(l) === 8 && port) port.attrs.set(a[1], a[2]);
    else if (a && indent(l) === 4 && dp) dp.attrs.set(a[1], a[2]);
    else sink.unparsed(l, "ovn-nbctl show output (switch, router, port or key: value line)");
  }
  return { value: out, diagnostics: sink.diagnostics };
}

export function parseSbctlShow(text: string, file: string): Parsed<ShownChassis[]> {
  const sink = new DiagnosticSink(file);
  const out: ShownChassis[] = [];
  for (const l of dumpLines(text)) {
    const ch = out.at(-1);
    const encap = ch?.encaps.at(-1);
    const top = /^Chassis (.+)$/.exec(l.text);
    const e = /^ {4}Encap (\S+)$/.exec(l.text);
    const pb = /^ {4}Port_Binding (.+)$/.exec(l.text);
    const a = ATTR.exec(l.text);
    if (top) out.push({ name: unquote(top[1]), line: l.line, attrs: new Map(), encaps: [], bindings: [] });
    else if (e && ch) ch.encaps.push({ type: e[1], line: l.line, attrs: new Map() });
    else if (pb && ch) ch.bindings.push(unquote(pb[1]));
    else if (a && indent(l) === 8 && encap) encap.attrs.set(a[1], a[2]);
    else if (a && indent(l) === 4 && ch) ch.attrs.set(a[1], a[2]);
    else sink.unparsed(l, "ovn-sbctl show output (Chassis, Encap, Port_Binding or key: value line)");
  }
  return { value: out, diagnostics: sink.diagnostics };
}
