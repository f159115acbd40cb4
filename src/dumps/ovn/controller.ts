/**
 * What ovn-controller and OVS say on a chassis beside the flows:
 * - `ovn-appctl -t ovn-controller ct-zone-list`: `NAME ZONE` per line (a logical port, or a datapath
 *   UUID with `_dnat` / `_snat`): the conntrack zone of each;
 * - `ovn-appctl -t ovn-controller connection-status`: `connected` or `not connected`;
 * - `ovs-ofctl dump-tlv-map BRIDGE`: the Geneve option ↔ `tun_metadataN` mapping table.
 */
import { DiagnosticSink, dumpLines, type Parsed } from "../parsed.js";

export interface CtZone {
  name: string;
  zone: number;
  line: number;
}

export function parseCtZoneList(text: string, file: string): Parsed<CtZone[]> {
  const sink = new DiagnosticSink(file);
  const out: CtZone[] = [];
  for (const l of dumpLines(text)) {
    const m = /^(\S+) (\d+)$/.exec(l.text);
    if (m && Number(m[2]) <= 0xffff) out.push({ name: m[1], zone: Number(m[2]), line: l.line });
    else if (m) sink.error(l, m[1].length + 2, `zone ${m[2]} is over 65535`, "zone");
    else sink.unparsed(l, "a ct-zone-list line (NAME ZONE)");
  }
  return { value: out, diagnostics: sink.diagnostics };
}

export function parseConnectionStatus(text: string, file: string): Parsed<string | undefined> {
  const sink = new DiagnosticSink(file);
  const lines = dumpLines(text);
  for (const l of lines.slice(1)) sink.unparsed(l, "a connection status (one line)");
  const first = lines[0];
  if (first && !/^(connected|not connected)$/.test(first.text))
    sink.unparsed(first, "connected or not connected");
  return { value: first?.text, diagnostics: sink.diagnostics };
}

export interface TlvMapping {
  optClass: number;
  type: number;
  length: number;
  /** `tun_metadataN`. */
  field: string;
  line: number;
}

export function looksLikeTlvMap(head: string): boolean {
  return /^NXT_TLV_TABLE_REPLY/.test(head);
}

export function parseTlvMap(text: string, file: string): Parsed<TlvMapping[]> {
  const sink = new DiagnosticSink(file);
  const out: TlvMapping[] = [];
  for (const l of dumpLines(text)) {
    // Class and type as C's %#x prints them: zero is a bare 0.
    const m = /^\s+(0x[0-9a-f]+|0)\s+(0x[0-9a-f]+|0)\s+(\d+)\s+(tun_metadata\d+)$/.exec(l.text);
    if (m)
      out.push({
        optClass: Number(m[1]),
        type: Number(m[2]),
        length: Number(m[3]),
        field: m[4],
        line: l.line,
      });
    else if (
      !/^NXT_TLV_TABLE_REPLY|^\s*max option space=\d+ max fields=\d+$|^\s*allocated option space=\d+$|^\s*mapping table:$|^\s*class\s+type\s+length\s+match field$|^[\s-]+$/.test(
        l.text,
      )
    )
      sink.unparsed(l, "ovs-ofctl dump-tlv-map output");
  }
  return { value: out, diagnostics: sink.diagnostics };
}

export interface ControllerGroup {
  groupId: number;
  /** The group as ovn-controller asked for it, OpenFlow 1.5 style (`type=select,selection_method=dp_hash,...`). */
  desc: string;
  /** `selection_method=` of a select group (the OpenFlow 1.3 dump-groups does not show it). */
  selectionMethod?: string;
  line: number;
}

/** `ovn-appctl -t ovn-controller group-table-list`: `DESCRIPTION: ID` per line. */
export function parseGroupTableList(text: string, file: string): Parsed<ControllerGroup[]> {
  const sink = new DiagnosticSink(file);
  const out: ControllerGroup[] = [];
  for (const l of dumpLines(text)) {
    const m = /^(type=\S+): (\d+)$/.exec(l.text);
    if (!m) {
      sink.unparsed(l, "a group-table-list line (DESCRIPTION: ID)");
      continue;
    }
    const g: ControllerGroup = { groupId: Number(m[2]), desc: m[1], line: l.line };
    const sel = /(?:^|,)selection_method=(\w+)/.exec(m[1]);
    if (sel) g.selectionMethod = sel[1];
    out.push(g);
  }
  return { value: out, diagnostics: sink.diagnostics };
}
