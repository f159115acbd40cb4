/**
 * `ovs-ofctl dump-groups BR`: group_id, type and buckets. Each bucket's actions go through the action
 * table, with columns pointing into the line.
 */
import { type Action, parseActions } from "../../model/actions/index.js";
import { splitTopLevel } from "../../model/actions/syntax.js";
import { atLine } from "../../util/diagnostic.js";
import { DiagnosticSink, dumpLines, type Parsed } from "../parsed.js";

export interface GroupBucket {
  /** Bucket properties before `actions=` (weight, watch_port, watch_group, bucket_id). */
  props: Record<string, string>;
  actions: Action[];
  actionsText: string;
}

export interface GroupDesc {
  groupId: number;
  type: string;
  /** Group properties other than group_id/type (selection_method, fields...). */
  props: Record<string, string>;
  buckets: GroupBucket[];
  line: number;
}

const HEADER = /^(OFPST|NXST)_GROUP_DESC reply(?: \(OF1\.\d\))? \(xid=0x[0-9a-f]+\):$/;

export function parseOfctlDumpGroups(text: string, file: string): Parsed<GroupDesc[]> {
  const sink = new DiagnosticSink(file);
  const out: GroupDesc[] = [];
  for (const l of dumpLines(text)) {
    if (HEADER.test(l.text)) continue;
    const lead = l.text.length - l.text.trimStart().length;
    const body = l.text.slice(lead);
    if (!body.startsWith("group_id=")) {
      sink.unparsed(l, "ovs-ofctl dump-groups output");
      continue;
    }
    // Buckets start at ",bucket=" (their actions contain commas, so split there first).
    const pieces = body.split(/,bucket=/);
    const head = splitTopLevel(pieces[0], lead + 1);
    if ("error" in head) {
      sink.error(l, head.error, head.message);
      continue;
    }
    const g: GroupDesc = { groupId: -1, type: "", props: {}, buckets: [], line: l.line };
    for (const p of head) {
      const eq = p.text.indexOf("=");
      const key = eq < 0 ? p.text : p.text.slice(0, eq);
      const value = eq < 0 ? "" : p.text.slice(eq + 1);
      if (key === "group_id" && /^\d+$/.test(value)) g.groupId = Number(value);
      else if (key === "type") g.type = value;
      else g.props[key] = value;
    }
    if (g.groupId < 0) {
      sink.error(l, lead + 10, "expected group_id=N", "group_id");
      continue;
    }
    let column = lead + 1 + pieces[0].length + ",bucket=".length;
    let ok = true;
    for (const b of pieces.slice(1)) {
      const at = b.indexOf("actions=");
      const bucket: GroupBucket = { props: {}, actions: [], actionsText: at < 0 ? "" : b.slice(at + 8) };
      for (const kv of (at < 0 ? b : b.slice(0, at)).split(",").filter((x) => x !== "")) {
        const m = /^([a-z_]+)[:=](.*)$/.exec(kv);
        if (m) bucket.props[m[1]] = m[2];
      }
      if (at >= 0) {
        const r = parseActions(bucket.actionsText, column + at + 8);
        if (!r.ok) {
          sink.diagnostics.push(atLine(file, l.line, l.text, r.error));
          ok = false;
          break;
        }
        bucket.actions = r.value;
        for (const w of r.warnings) sink.diagnostics.push(atLine(file, l.line, l.text, w, "warning"));
      }
      g.buckets.push(bucket);
      column += b.length + ",bucket=".length;
    }
    if (ok) out.push(g);
  }
  return { value: out, diagnostics: sink.diagnostics };
}
