/**
 * `--ovn` for trace: the OVN databases of the loaded hosts (or of the central node's sosreport given
 * to `--ovn`), each step's logical flow and northbound object, and the logical reading of a drop.
 */
import type { Host } from "../../dumps/host/load.js";
import type { FrameVerdict } from "../../explain/types.js";
import type { CookieIndex, CookieTarget } from "../../ovn/cookies.js";
import { ovnDatabases } from "../../ovn/db.js";
import { formatOvnDrop, formatTargets, type OvnDrop, stepTargets, zoneNotes } from "../../ovn/explain.js";
import { buildOvnModel } from "../../ovn/model.js";
import { buildOvnTopology } from "../../ovn/topology.js";
import { cookieIndexOf, ovnDropOf, zonesOf } from "../../ovn/trace-view.js";
import { type TraceResult, traceSteps } from "../../pipeline/index.js";
import { ovnTopoDot, ovnTopoMermaid, ovnTopoText } from "../../present/ovn-topo-view.js";
import { escapeText } from "../../util/escape.js";
import { EXIT, out, UsageError } from "../io.js";
import { errorCount, loadInputs, toJson } from "./hosts.js";

/** The cookie index of the OVN databases found in the loaded hosts and in `extra` (a path), if any. */
export async function ovnIndex(hosts: readonly Host[], extra: string | true): Promise<CookieIndex> {
  const all = typeof extra === "string" ? [...hosts, ...(await loadInputs([extra], {}))] : hosts;
  const index = cookieIndexOf(all);
  if (typeof index === "string") throw new UsageError(`--ovn: ${index}`);
  return index;
}

/** The JSON additions: `ovn` on each step (what its cookie names), `ovnDrop` for a drop. */
export function ovnTraceJson(
  r: TraceResult,
  index: CookieIndex,
  hosts: readonly Host[],
): { steps: unknown[]; ovnDrop?: unknown; ovnZones: string[][] } {
  const steps = traceSteps(r).map((s) => stepTargets(s, index));
  const zones = zonesOf(hosts, r);
  const ovnZones = r.passes.map((p) =>
    zoneNotes(p.datapathActions, zones, index.model).map((z) => z.slice(2)),
  );
  const out: { steps: unknown[]; ovnDrop?: unknown; ovnZones: string[][] } = { steps, ovnZones };
  const d = ovnDropOf(r, index);
  if (d) out.ovnDrop = d;
  return out;
}

/** `topo --ovn`: the logical network over the loaded chassis; exit 1 on an error finding or damaged input. */
export function ovnTopo(
  hosts: readonly Host[],
  opts: { json?: boolean; dot?: boolean; mermaid?: boolean },
): void {
  const model = buildOvnModel(ovnDatabases(hosts));
  if (model.datapaths.size === 0 && model.nb.size === 0)
    throw new UsageError(
      "--ovn: no OVN databases among the loaded hosts: load the central node's sosreport (with the chassis')",
    );
  const t = buildOvnTopology(model, hosts);
  if (opts.json) out(toJson(t));
  else if (opts.dot) out(ovnTopoDot(t));
  else if (opts.mermaid) out(ovnTopoMermaid(t));
  else for (const l of ovnTopoText(t)) out(l);
  if (errorCount(hosts) > 0 || t.findings.some((f) => f.severity === "error"))
    process.exitCode = EXIT.failure;
}

/**
 * A replayed frame's logical drops, one per dropping trace (a logged ACL drop, whose packet went to
 * ovn-controller, counts): the stage, the ACL, the logical ports and the ACL near misses.
 */
export function ovnFrameDrops(v: FrameVerdict, index: CookieIndex): OvnDrop[] {
  return v.traces.flatMap((t) => ovnDropOf(t, index) ?? []);
}

/** Those drops under the frame's lines, as `trace --ovn` ends with them. */
export function ovnFrameDropLines(drops: readonly OvnDrop[]): string[] {
  return drops.flatMap((d) =>
    formatOvnDrop(d)
      .split("\n")
      .map((l) => `         ${escapeText(l)}`),
  );
}

/** What a dropping flow's cookie names (`0x…` as replay prints it), for `replay --ovn`. */
export function ovnDropTargets(cookie: string, index: CookieIndex): CookieTarget[] | undefined {
  if (!/^0x[0-9a-f]+$/i.test(cookie)) return undefined;
  const t = index.lookup(BigInt(cookie));
  return t.length > 0 ? t : undefined;
}

/** Those targets under the frame's drop lines, as trace --ovn prints them under a step. */
export function ovnDropLines(targets: readonly CookieTarget[]): string[] {
  return formatTargets(targets).map(
    (l) => `         ovn: ${escapeText(l.replace(/^\* /, "").replace(/^ {3}\* /, "  "))}`,
  );
}
