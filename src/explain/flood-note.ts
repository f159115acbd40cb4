/**
 * OVS floods (NORMAL with an unknown destination, FLOOD, ALL) in the order of its internal port list,
 * which no dump shows; ovspath uses the OVSDB's port order. When a trace prints several outputs of a
 * flood, say so: a user diffing against real OVS sees the same outputs, perhaps in another order.
 */
import type { TraceResult } from "../pipeline/trace.js";
import type { TraceNode } from "../pipeline/trace-tree.js";

export const FLOOD_ORDER_NOTE =
  "Note: the flood's outputs follow the OVSDB's port order; OVS floods in the order of its internal port list, which no dump shows, so real OVS may list them in another order with the same meaning.";

const FLOODING = /flooding$|^(output:)?(FLOOD|ALL)$/;

function floods(nodes: readonly TraceNode[]): boolean {
  return nodes.some((n) => FLOODING.test(n.text) || floods(n.subs));
}

/** The note when `result` floods to two outputs or more; undefined otherwise. */
export function floodOrderNote(result: TraceResult): string | undefined {
  const outputs = result.passes.reduce((n, p) => n + p.outputs.length, 0);
  return outputs >= 2 && result.passes.some((p) => floods(p.nodes)) ? FLOOD_ORDER_NOTE : undefined;
}
