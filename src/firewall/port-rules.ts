/**
 * A Neutron port's security group as its host's iptables hold it: the chains the per-port jumps lead
 * to (ingress: `--physdev-out tap…`, egress: `--physdev-in tap…`), their rules with file:line, the ipsets
 * they name, the conntrack zone of the raw table; and what is wrong with it: no chains at all (port
 * security off without its ACCEPT rules, or the agent out of sync), a rule naming an ipset the dumps do
 * not hold, a zone shared with another port, DROP rules whose counters show drops already happening.
 */
import type { HostFirewall } from "./evaluate.js";
import type { Chain, Rule, Ruleset } from "./rule.js";

export interface PortRules {
  tap: string;
  /** "security-groups", "port-security-off" (ACCEPT in FORWARD), or "none" (no rule names the tap). */
  mode: "security-groups" | "port-security-off" | "none";
  ingress: Rule[];
  egress: Rule[];
  ipsets: string[];
  zone: number | null | undefined;
}

export interface PortFinding {
  severity: "error" | "warning";
  kind: "fw-no-chains" | "fw-missing-ipset" | "fw-shared-zone" | "fw-drops-counted";
  message: string;
  evidence: Array<{ file: string; line: number }>;
}

function physdevJump(rs: Ruleset, dir: "in" | "out", tap: string): Rule[] {
  const filter = rs.tables.get("filter");
  const out: Rule[] = [];
  for (const c of filter?.chains.values() ?? [])
    for (const r of c.rules)
      if (r.matches.some((m) => m.physdev?.dir === dir && m.physdev.dev === tap)) out.push(r);
  return out;
}

/** The rules of a chain and of the user chains it jumps to (the s… anti-spoofing chain), in order. */
function chainRules(rs: Ruleset, name: string, seen = new Set<string>()): Rule[] {
  const chain: Chain | undefined = rs.tables.get("filter")?.chains.get(name);
  if (!chain || seen.has(name) || /sg-fallback$|sg-chain$/.test(name)) return [];
  seen.add(name);
  const out: Rule[] = [];
  for (const r of chain.rules) {
    out.push(r);
    if (r.target.kind === "jump") out.push(...chainRules(rs, r.target.chain, seen));
  }
  return out;
}

function portChain(rs: Ruleset, dir: "in" | "out", tap: string): string | undefined {
  for (const r of physdevJump(rs, dir, tap))
    if (r.target.kind === "jump" && !/sg-chain$/.test(r.target.chain)) return r.target.chain;
  return undefined;
}

const setsOf = (rules: Rule[]) =>
  rules.flatMap((r) =>
    r.matches.filter((m) => m.module === "set").map((m) => /--match-set (\S+)/.exec(m.text)?.[1] ?? ""),
  );

export function portRules(fw: HostFirewall, tap: string): PortRules {
  const ingress: Rule[] = [];
  const egress: Rule[] = [];
  let mode: PortRules["mode"] = "none";
  let zone: number | null | undefined;
  for (const rs of [fw.v4, fw.v6]) {
    if (!rs) continue;
    const i = portChain(rs, "out", tap);
    const o = portChain(rs, "in", tap);
    if (i) ingress.push(...chainRules(rs, i));
    if (o) egress.push(...chainRules(rs, o));
    if (i || o) mode = "security-groups";
    else if (
      mode === "none" &&
      physdevJump(rs, "out", tap).some((r) => r.target.kind === "verdict" && r.target.verdict === "ACCEPT")
    )
      mode = "port-security-off";
    for (const c of rs.tables.get("raw")?.chains.values() ?? [])
      for (const r of c.rules)
        if (r.target.kind === "ct" && r.matches.some((m) => m.physdev?.dev === tap))
          zone ??= r.target.notrack ? null : r.target.zone;
  }
  return { tap, mode, ingress, egress, ipsets: [...new Set(setsOf([...ingress, ...egress]))], zone };
}

/** Findings for the ports of one host (`taps`: the hybrid-plugged ports the topology found). */
export function portFindings(
  fw: HostFirewall,
  ports: readonly PortRules[],
  setsKnown: ReadonlySet<string> | null,
): PortFinding[] {
  const out: PortFinding[] = [];
  const byZone = new Map<number, string[]>();
  for (const p of ports) {
    if (p.mode === "none")
      out.push({
        severity: "warning",
        kind: "fw-no-chains",
        message: `${p.tap}: no iptables rule names it (port security off without its ACCEPT rules, or the agent out of sync): frames cross its qbr unfiltered`,
        evidence: [],
      });
    if (setsKnown)
      for (const s of p.ipsets)
        if (!setsKnown.has(s)) {
          const r = [...p.ingress, ...p.egress].find((x) => x.text.includes(`--match-set ${s} `));
          out.push({
            severity: "error",
            kind: "fw-missing-ipset",
            message: `${p.tap}: a rule names ipset ${s}, which the ipset dump does not hold`,
            evidence: r ? [{ file: r.file, line: r.line }] : [],
          });
        }
    if (typeof p.zone === "number") byZone.set(p.zone, [...(byZone.get(p.zone) ?? []), p.tap]);
    for (const r of [...p.ingress, ...p.egress])
      if (r.target.kind === "verdict" && r.target.verdict !== "ACCEPT" && (r.counters?.packets ?? 0) > 0)
        out.push({
          severity: "warning",
          kind: "fw-drops-counted",
          message: `${p.tap}: ${r.counters?.packets} packets already dropped by ${r.text}`,
          evidence: [{ file: r.file, line: r.line }],
        });
  }
  for (const [zone, taps] of byZone)
    if (taps.length > 1)
      out.push({
        severity: "warning",
        kind: "fw-shared-zone",
        message: `conntrack zone ${zone} is shared by ${taps.join(", ")}: their connections can collide`,
        evidence: [],
      });
  // The fallback chain is shared: its drops are counted once for the host.
  for (const rs of [fw.v4, fw.v6])
    for (const c of rs?.tables.get("filter")?.chains.values() ?? [])
      if (/sg-fallback$/.test(c.name))
        for (const r of c.rules)
          if ((r.counters?.packets ?? 0) > 0 && r.target.kind === "verdict")
            out.push({
              severity: "warning",
              kind: "fw-drops-counted",
              message: `${r.counters?.packets} packets already dropped by the security groups' fallback: ${r.text}`,
              evidence: [{ file: r.file, line: r.line }],
            });
  return out;
}
