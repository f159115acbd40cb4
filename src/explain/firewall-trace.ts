/**
 * The firewall sections of `ovspath trace`: a flow entering at a hybrid-plugged qvo came from the VM
 * through its qbr (its port's egress rules, before the OpenFlow pipeline); an output to a hybrid qvo
 * goes to the VM through its qbr (the ingress rules, after). Each crossing is evaluated on its own
 * (conntrack holds only what `conntrack -L` gave: a trace has no history) and printed as ofproto/trace
 * prints a bridge: `iptables("qbr…")`, one line per rule matched or jumped through, then the verdict.
 */
import { evaluateBridged, type FwResult, type FwVerdict } from "../firewall/evaluate.js";
import { fwPacketOfFlow } from "../firewall/flow-packet.js";
import { type FlowKey, K } from "../model/layout.js";
import type { SimHost } from "../pipeline/switch.js";
import type { TraceResult } from "../pipeline/trace.js";
import { type HostFirewalls, type HybridPlug, plugOfQvo } from "./firewall.js";

export interface FirewallCrossing {
  host: string;
  plug: HybridPlug;
  direction: "egress" | "ingress";
  result: FwResult;
}

export function traceCrossings(
  fws: HostFirewalls,
  host: SimHost,
  r: TraceResult,
  flow: FlowKey,
  packet?: Uint8Array,
): { before: FirewallCrossing[]; after: FirewallCrossing[] } {
  const out = { before: [] as FirewallCrossing[], after: [] as FirewallCrossing[] };
  const fw = fws.get(host.name);
  if (!fw) return out;
  const inPort = host.bridges.get(r.bridge)?.ports.get(flow[K.inPort]);
  const entry = inPort ? plugOfQvo(host, inPort.name) : undefined;
  if (entry) {
    const devices = { bridge: entry.bridge, physIn: entry.tap, physOut: entry.qvb };
    const result = evaluateBridged(fw, fwPacketOfFlow(flow, packet), devices, false);
    out.before.push({ host: host.name, plug: entry, direction: "egress", result });
  }
  for (const pass of r.passes)
    for (const o of pass.outputs) {
      if (o.host !== host.name || o.tunnel) continue;
      const plug = plugOfQvo(host, o.port);
      if (!plug) continue;
      const devices = { bridge: plug.bridge, physIn: plug.qvb, physOut: plug.tap };
      const result = evaluateBridged(fw, fwPacketOfFlow(o.flow, packet), devices, false);
      out.after.push({ host: host.name, plug, direction: "ingress", result });
    }
  return out;
}

function verdictLines(v: FwVerdict, indent: string): string[] {
  switch (v.kind) {
    case "pass":
      return [`${indent}Verdict: pass (${v.why})`];
    case "accept":
      return [`${indent}Verdict: ACCEPT`];
    case "drop": {
      const where = v.rule ? `${v.rule.file}:${v.rule.line}` : `policy of ${v.chain}`;
      const lines = [`${indent}Verdict: ${v.reject ? "REJECT" : "DROP"} in ${v.table} ${v.chain} (${where})`];
      for (const n of v.nearMisses)
        lines.push(
          `${indent}  near miss ${n.rule.file}:${n.rule.line}: ${n.rule.text}: ${n.failed.join("; ")}`,
        );
      return lines;
    }
    case "undecidable":
      return [`${indent}Verdict: undecidable at ${v.rule.text} (${v.rule.file}:${v.rule.line}): ${v.reason}`];
    case "depends":
      return [
        `${indent}Verdict: depends on ipset ${v.set}: ${v.reason}`,
        `${indent}  if a member:`,
        ...stepLines(v.ifMember, `${indent}    `),
        ...verdictLines(v.ifMember, `${indent}    `),
        `${indent}  if not:`,
        ...stepLines(v.ifNot, `${indent}    `),
        ...verdictLines(v.ifNot, `${indent}    `),
      ];
    default: {
      const _: never = v;
      return _;
    }
  }
}

function stepLines(v: FwVerdict, indent: string): string[] {
  if (v.kind !== "accept" && v.kind !== "drop" && v.kind !== "undecidable") return [];
  return v.steps.map((s) =>
    s.rule
      ? `${indent}${s.table} ${s.rule.text}  -> ${s.action}`
      : `${indent}${s.table} :${s.chain}  -> ${s.action}`,
  );
}

/** The section text, in ofproto/trace's layout (a title, a rule line per step, the verdict). */
export function crossingLines(c: FirewallCrossing): string[] {
  const r = c.result;
  const zone = r.zone === null ? "untracked" : `zone ${r.zone}`;
  const port = c.direction === "egress" ? `egress of ${c.plug.tap}` : `ingress of ${c.plug.tap}`;
  return [
    "",
    `iptables("${c.plug.bridge}"): ${port}, ${c.direction === "egress" ? `${c.plug.tap} -> ${c.plug.qvb}` : `${c.plug.qvb} -> ${c.plug.tap}`}`,
    "-".repeat(30),
    ` conntrack: ${zone}, ${r.ct}${r.ctWhy ? ` (${r.ctWhy})` : ""}`,
    ...stepLines(r.verdict, " "),
    ...verdictLines(r.verdict, " "),
  ];
}

export function crossingJson(c: FirewallCrossing): unknown {
  const steps = (v: FwVerdict) =>
    v.kind === "accept" || v.kind === "drop" || v.kind === "undecidable"
      ? v.steps.map((s) => ({
          table: s.table,
          chain: s.chain,
          rule: s.rule?.text ?? null,
          file: s.rule?.file,
          line: s.rule?.line,
          action: s.action,
        }))
      : [];
  const verdict = (v: FwVerdict): unknown =>
    v.kind === "depends"
      ? { kind: v.kind, set: v.set, reason: v.reason, ifMember: verdict(v.ifMember), ifNot: verdict(v.ifNot) }
      : {
          kind: v.kind,
          steps: steps(v),
          ...(v.kind === "drop"
            ? {
                chain: v.chain,
                rule: v.rule?.text ?? null,
                file: v.rule?.file,
                line: v.rule?.line,
                reject: v.reject,
              }
            : {}),
          ...(v.kind === "undecidable" ? { rule: v.rule.text, reason: v.reason } : {}),
          ...(v.kind === "pass" ? { why: v.why } : {}),
        };
  return {
    kind: "firewall",
    host: c.host,
    bridge: c.plug.bridge,
    direction: c.direction,
    tap: c.plug.tap,
    zone: c.result.zone,
    ct: c.result.ct,
    verdict: verdict(c.result.verdict),
  };
}
