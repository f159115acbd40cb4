/**
 * The translation's report as ofproto/trace builds it: a tree of nodes (bridges, tables, actions and
 * their notes) printed with OVS's indentation rule, so the text layout is the same as OVS's.
 */

import type { FlowKey } from "../model/layout.js";

export type TraceNodeType = "action" | "detail" | "warn" | "error" | "bridge" | "table" | "thaw" | "bucket";

export interface TraceNode {
  type: TraceNodeType;
  text: string;
  subs: TraceNode[];
  /** For table nodes: the flow that matched (absent on a miss). */
  step?: TraceStep;
  /** For table nodes: the flow key the lookup saw (the explainer's near misses compare against it). */
  key?: FlowKey;
}

export interface TraceStep {
  host: string;
  bridge: string;
  table: number;
  /** Absent on a table miss. */
  priority?: number;
  cookie?: bigint;
  file?: string;
  line?: number;
  match?: string;
  actions?: string;
  /** Other flows of the same priority that also matched (OVS leaves the choice undefined). */
  ties: Array<{ file: string; line: number }>;
}

const TERMINAL: ReadonlySet<TraceNodeType> = new Set(["action", "detail", "warn", "error", "bucket"]);

/**
 * The children of a node that never has any (an action, a note): one frozen empty list shared by all of
 * them, since a translation makes a dozen such nodes per bridge and each list of its own cost an
 * allocation. Frozen, a push onto it throws instead of corrupting every trace.
 */
const NO_SUBS = Object.freeze([]) as unknown as TraceNode[];
/**
 * The node a lean translation (a replay that prints no trace) hands back for a line it does not keep:
 * in no list, frozen so that nothing can be hung on it.
 */
export const SINK: TraceNode = Object.freeze({
  type: "action",
  text: "",
  subs: NO_SUBS,
  step: undefined,
  key: undefined,
}) as TraceNode;
/** The node types translation reports under (a table's actions, a bridge's tables, a bucket's...). */
const hasSubs = (type: TraceNodeType): boolean =>
  type === "table" || type === "bridge" || type === "thaw" || type === "bucket";

/** `flat`: the node gets no list of children (a lean translation reports them beside it, see XlateContext). */
export function report(list: TraceNode[], type: TraceNodeType, text: string, flat = false): TraceNode {
  // Every field present from the start: nodes then share one shape, which keeps the walks over them fast.
  const node: TraceNode = {
    type,
    text,
    subs: !flat && hasSubs(type) ? [] : NO_SUBS,
    step: undefined,
    key: undefined,
  };
  list.push(node);
  return node;
}

/**
 * OVS's rule: a node is printed one level deeper than its list, unless it is the last of its list
 * and not terminal (a table reached by a final resubmit, a bridge reached by a final patch output):
 * then it stays at its parent's level, so long chains do not march to the right.
 */
export function printTrace(nodes: readonly TraceNode[], level = 0, out: string[] = []): string[] {
  nodes.forEach((n, i) => {
    if (n.type === "bridge") out.push("");
    const more = i !== nodes.length - 1 || TERMINAL.has(n.type) ? 1 : 0;
    const pad = " ".repeat((level + more) * 4);
    switch (n.type) {
      case "detail":
        out.push(`${pad} -> ${n.text}`);
        break;
      case "warn":
        out.push(`${pad} >> ${n.text}`);
        break;
      case "error":
        out.push(`${pad} >>>> ${n.text} <<<<`);
        break;
      case "bridge":
        out.push(`${pad}${n.text}`, `${pad}${"-".repeat(n.text.length)}`);
        break;
      default:
        out.push(`${pad}${n.text}`);
    }
    printTrace(n.subs, level + 2 * more, out);
  });
  return out;
}

/** Every table step in the order they were reached (depth first, as printed). */
export function stepsOf(nodes: readonly TraceNode[], out: TraceStep[] = []): TraceStep[] {
  for (const n of nodes) {
    if (n.step) out.push(n.step);
    stepsOf(n.subs, out);
  }
  return out;
}
