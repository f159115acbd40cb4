/**
 * `ovn-sbctl lflow-list` (ovn/utilities/ovn-sbctl.c): the logical flows grouped by datapath and
 * pipeline, one per line — `table=N (stage), priority=P, match=(...), action=(...)`, with a leading
 * `uuid=0x........, ` when run with `--uuid` (the first 32 bits of the flow's UUID: the OpenFlow cookie).
 */
import { DiagnosticSink, dumpLines, LineMatch, type Parsed } from "../parsed.js";

export type LogicalPipeline = "ingress" | "egress";

export interface ListedLogicalFlow {
  /** First 32 bits of the Logical_Flow UUID, when listed with --uuid. */
  cookie?: number;
  table: number;
  stage: string;
  priority: number;
  match: string;
  actions: string;
  line: number;
}

export interface ListedDatapath {
  name: string;
  uuid: string;
  pipeline: LogicalPipeline;
  line: number;
  flows: ListedLogicalFlow[];
}

const DATAPATH = /^Datapath: "((?:[^"\\]|\\.)*)" \(([0-9a-f-]{36})\) {2}Pipeline: (ingress|egress)$/;
const FLOW =
  /^ {2}(?:uuid=0x([0-9a-f]{1,8}), )?table=(\d+) ?\(([\w-]+) *\), priority=(\d+) *, match=\((.*)\), action=\((.*)\)$/;

export function looksLikeLflowList(head: string): boolean {
  return /^Datapath: ".*" \([0-9a-f-]{36}\) {2}Pipeline: (ingress|egress)\n/.test(head);
}

export function parseLflowList(text: string, file: string): Parsed<ListedDatapath[]> {
  const sink = new DiagnosticSink(file);
  const out: ListedDatapath[] = [];
  for (const l of dumpLines(text)) {
    const lm = new LineMatch(l.text);
    if (lm.is(DATAPATH))
      out.push({
        name: lm.g(1),
        uuid: lm.g(2),
        pipeline: lm.g(3) as LogicalPipeline,
        line: l.line,
        flows: [],
      });
    else if (lm.is(FLOW)) {
      const dp = out.at(-1);
      if (!dp) {
        sink.error(l, 3, "logical flow before any Datapath: line", "table");
        continue;
      }
      // The match and the action are both parenthesised and both may hold "), action=(": the action
      // is what follows the last one (northd's actions never contain that text; matches could).
      const body = l.text.slice(l.text.indexOf("match=(") + 7, -1);
      const cut = body.lastIndexOf("), action=(");
      const flow: ListedLogicalFlow = {
        table: Number(lm.g(2)),
        stage: lm.g(3),
        priority: Number(lm.g(4)),
        match: body.slice(0, cut),
        actions: body.slice(cut + 11),
        line: l.line,
      };
      if (lm.g(1)) flow.cookie = Number.parseInt(lm.g(1), 16);
      dp.flows.push(flow);
    } else sink.unparsed(l, "ovn-sbctl lflow-list output (Datapath: or table= line)");
  }
  return { value: out, diagnostics: sink.diagnostics };
}
