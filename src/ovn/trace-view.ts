/**
 * A traced packet in logical terms, as `trace --ovn` prints it and the TUI's path and trace panes show
 * it: the cookie index of the loaded OVN databases, the trace text annotated step by step, the logical
 * drop (an ACL that logs counts: its packet goes to ovn-controller and no further), and the logical
 * flows a trace went through, one line each.
 */
import type { Host } from "../dumps/host/load.js";
import type { CtZone } from "../dumps/ovn/controller.js";
import { type TraceResult, traceSteps } from "../pipeline/index.js";
import { CookieIndex } from "./cookies.js";
import { ovnDatabases } from "./db.js";
import {
  annotateTraceText,
  explainOvnDrop,
  formatOvnDrop,
  formatTargets,
  type OvnDrop,
  registerNotes,
  zoneNotes,
} from "./explain.js";
import { buildOvnModel } from "./model.js";

/**
 * The cookie index of the OVN databases among `hosts` (the central node's sosreport loaded with the
 * chassis'), or why there is none.
 */
export function cookieIndexOf(hosts: readonly Host[]): CookieIndex | string {
  const model = buildOvnModel(ovnDatabases(hosts));
  if (model.datapaths.size === 0)
    return "no OVN southbound database among the loaded hosts: load the central node's sosreport with the chassis' (one directory holding both), or name it: --ovn CENTRAL";
  if (!model.haveLogicalFlows)
    return "the southbound data has no Logical_Flow rows with UUIDs (ovnsb_db.db is not in the sosreport): cookies cannot be mapped";
  return new CookieIndex(model);
}

/**
 * The logical drop, when the packet is dropped: by OVS (verdict drop), or by an ACL that logs — its
 * packet goes to ovn-controller to be logged (verdict controller) and no further.
 */
export function ovnDropOf(r: TraceResult, index: CookieIndex): OvnDrop | undefined {
  if (r.verdict !== "drop" && r.verdict !== "controller") return undefined;
  const d = explainOvnDrop(r, index);
  if (r.verdict === "drop") return d;
  return d?.acl?.log && /^(drop|reject)$/.test(d.acl.action) ? { ...d, logged: true } : undefined;
}

/** The traced chassis' conntrack zones (ovn-controller's ct-zone-list), when its sosreport has them. */
export function zonesOf(hosts: readonly Host[], r: TraceResult): CtZone[] {
  return hosts.find((h) => h.name === r.host)?.dumps.ovnCtZones.flatMap((d) => d.value) ?? [];
}

/**
 * The trace text with each step's logical reading under it, the owner of each conntrack zone under the
 * datapath actions, the logical ports under the final flow, and the logical drop at the end.
 */
export function ovnTraceText(
  text: string,
  r: TraceResult,
  index: CookieIndex,
  hosts: readonly Host[],
): string {
  const zones = zonesOf(hosts, r);
  const lines = annotateTraceText(text, index)
    .split("\n")
    .flatMap((l) =>
      l.startsWith("Datapath actions:")
        ? [l, ...zoneNotes(l, zones, index.model).map((z) => `  ${z}`)]
        : l.startsWith("Final flow:")
          ? [l, ...registerNotes(l, index.model).map((z) => `  ${z}`)]
          : [l],
    );
  const d = ovnDropOf(r, index);
  return `${lines.join("\n")}${d ? `\n${formatOvnDrop(d)}` : ""}`;
}

/**
 * Each OpenFlow step of a trace that a cookie maps, in trace order: `table N:` and what the cookie names
 * (the logical flow, and the northbound object under it), for the TUI's path pane.
 */
export function logicalStepLines(r: TraceResult, index: CookieIndex): string[] {
  const out: string[] = [];
  for (const s of traceSteps(r)) {
    if (s.cookie === undefined) continue;
    const [first, ...rest] = formatTargets(index.lookup(s.cookie));
    if (first === undefined) continue;
    out.push(`table ${s.table}: ${first.replace(/^\* /, "")}`, ...rest.map((l) => `  ${l.trim()}`));
  }
  return out;
}
