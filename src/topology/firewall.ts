/**
 * Security groups in the topology: for each hybrid-plugged port (VM → tap → qbr → qvb ⇄ qvo) of a host
 * whose dumps hold iptables rules, the rules in effect and the firewall findings.
 */
import type { Host } from "../dumps/host/load.js";
import { firewallOfDumps } from "../dumps/netfilter/firewall.js";
import { type PortRules, portFindings, portRules } from "../firewall/port-rules.js";
import type { Finding, VmFirewall, VmPath } from "./model.js";

function view(p: PortRules): VmFirewall {
  const ev = (r: PortRules["ingress"][number]) => ({ file: r.file, line: r.line, rule: r.text });
  const v: VmFirewall = {
    mode: p.mode,
    ingress: p.ingress.map(ev),
    egress: p.egress.map(ev),
    ipsets: p.ipsets,
  };
  if (p.zone !== undefined) v.zone = p.zone;
  return v;
}

/** Adds each hybrid port's firewall to its path; returns the findings. */
export function firewallTopology(hosts: readonly Host[], paths: readonly VmPath[]): Finding[] {
  const out: Finding[] = [];
  for (const h of hosts) {
    const fw = firewallOfDumps(h.dumps);
    if (!fw) continue;
    const mine = paths.filter((p) => p.host === h.name && p.role === "vm-hybrid");
    const rules: PortRules[] = [];
    for (const p of mine) {
      const tap = p.hops.find((x) => x.kind === "tap")?.name ?? `tap${p.port.slice(3)}`;
      const r = portRules(fw, tap);
      p.firewall = view(r);
      rules.push(r);
    }
    const setDumps = [...h.dumps.ipsetList, ...h.dumps.ipsetSave];
    const known = setDumps.length > 0 ? new Set(setDumps.flatMap((l) => l.value.map((s) => s.name))) : null;
    for (const f of portFindings(fw, rules, known)) out.push({ ...f, host: h.name });
  }
  return out;
}
