/**
 * Why a translation dropped a frame: the table where it ended, the flow that dropped it, a reason class
 * the drops summary counts, one sentence, and the near misses. The reasons read what OVS reported
 * during translation (NORMAL's VLAN and learning notes, dec_ttl's exception) and Neutron's table layout
 * (ML2/OVS agent constants: br-int 24/25 anti-spoofing, 71 firewall egress base, 93 dropped traffic;
 * br-tun 3/4/6 tunnel → local VLAN).
 */
import type { FlowEntry } from "../dumps/flows.js";
import { CS, type FlowKey, K } from "../model/layout.js";
import type { SimHost } from "../pipeline/switch.js";
import type { TraceResult } from "../pipeline/trace.js";
import type { TraceNode } from "../pipeline/trace-tree.js";
import { nearMisses, tunnelIdsOf } from "./near-miss.js";
import type { DropExplanation, DropReason } from "./types.js";

const BR_INT_ANTI_SPOOFING = new Set([24, 25]);
const FW_EGRESS_BASE = 71;
const FW_DROPPED = 93;
const BR_TUN_TUNNEL_TO_LV: Readonly<Record<number, string>> = { 3: "GRE key", 4: "VNI", 6: "VNI" };
const DEAD_VLAN = 4095;

function walk(nodes: readonly TraceNode[], out: TraceNode[] = []): TraceNode[] {
  for (const n of nodes) {
    out.push(n);
    walk(n.subs, out);
  }
  return out;
}

/** The flow of a table step, found back in the bridge's classifier by dump file and line. */
function flowOfStep(host: SimHost, node: TraceNode): FlowEntry | undefined {
  const s = node.step;
  if (!s || s.priority === undefined) return undefined;
  const t = host.bridges.get(s.bridge)?.classifier.tables.get(s.table);
  return t?.flows().find((cf) => cf.flow.line === s.line && cf.flow.file === s.file)?.flow;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** Explains a translation on `host` that produced no output. */
export function explainDrop(host: SimHost, result: TraceResult): DropExplanation {
  const pass = result.passes[result.passes.length - 1];
  const all = walk(pass.nodes);
  const tables = all.filter((n) => n.type === "table");
  const last = tables[tables.length - 1];
  const step = last?.step;
  const bridgeName = step?.bridge ?? result.bridge;
  const bridge = host.bridges.get(bridgeName);
  const key: FlowKey | undefined = last?.key;
  const base: DropExplanation = {
    host: host.name,
    bridge: bridgeName,
    reason: "drop-flow",
    detail: "",
    nearMisses: [],
  };
  if (step) base.table = step.table;
  const flow = last ? flowOfStep(host, last) : undefined;
  if (flow && step)
    base.flow = {
      file: flow.file,
      line: flow.line,
      cookie: `0x${flow.cookie.toString(16)}`,
      text: flow.text.trim(),
    };
  const notes = all
    .filter((n) => n.type === "warn" || n.type === "detail" || n.type === "error")
    .map((n) => n.text);
  const has = (re: RegExp) => notes.find((t) => re.test(t));
  const where = step ? `${bridgeName} table ${step.table}` : bridgeName;
  // Near misses come from tables the frame was looked up in; any other is labelled not visited.
  const visited = new Set(tables.flatMap((n) => (n.step ? [`${n.step.bridge}\u0000${n.step.table}`] : [])));
  const set = (reason: DropReason, detail: string): DropExplanation => {
    base.reason = reason;
    base.detail = detail;
    if (bridge && step && key) base.nearMisses = nearMisses(host.name, bridge, step.table, key, flow);
    if (reason === "unknown-tunnel-id" && bridge && step && key) {
      // Which ids the dropping table does map, so an unknown one is told apart from a typo'd one.
      const ids = tunnelIdsOf(bridge, step.table);
      base.tunnelIds = ids;
      base.detail +=
        ids.length > 0
          ? `; table ${step.table} maps ${ids.join(", ")}`
          : `; table ${step.table} maps no tun_id`;
      // A segment id nobody maps here: the sibling tunnel tables (GRE 3, VXLAN 4, Geneve 6) may map it
      // for another tunnel type. The frame never reached them: their flows are labelled so.
      if (base.nearMisses.length === 0)
        for (const t of Object.keys(BR_TUN_TUNNEL_TO_LV).map(Number))
          if (t !== step.table && !visited.has(`${bridgeName}\u0000${t}`))
            for (const n of nearMisses(host.name, bridge, t, key))
              base.nearMisses.push({ ...n, notVisited: true });
    }
    return base;
  };

  if (pass.error) return set("translation-error", `translation failed: ${pass.error}`);
  const ttl = has(/decrement TTL exception/);
  if (ttl) return set("ttl-expired", `dec_ttl in ${where}: the TTL reached 0`);
  const vlan = has(/disallowed VLAN VID|dropping VLAN/);
  if (vlan) return set("vlan-mismatch", `NORMAL in ${bridgeName}: ${vlan}`);
  const inPort = key ? bridge?.ports.get(key[K.inPort]) : undefined;
  if (!step) return set("table-miss", `no flow table on ${bridgeName}`);
  if (step.priority === undefined) {
    if (bridgeName === "br-int" && BR_INT_ANTI_SPOOFING.has(step.table))
      return set("anti-spoofing", `no anti-spoofing flow in ${where} admits this source (table miss)`);
    const tun = BR_TUN_TUNNEL_TO_LV[step.table];
    if (tun && key && inPort?.tunnel)
      return set("unknown-tunnel-id", `no flow in ${where} matches tun_id=${hex(key[K.tunId + 1])} (${tun})`);
    return set("table-miss", `no flow in ${where} matches (table miss)`);
  }
  if (key && step.match?.includes("+inv") && key[K.ctState] & CS.inv)
    return set("ct-invalid", `conntrack says invalid (ct_state=+inv) in ${where}`);
  const tun = BR_TUN_TUNNEL_TO_LV[step.table];
  if (bridgeName === "br-tun" && tun && key && inPort?.tunnel)
    return set(
      "unknown-tunnel-id",
      `no flow in ${where} takes tun_id=${hex(key[K.tunId + 1])} (${tun}) to a local VLAN; the default flow drops it`,
    );
  if (bridgeName === "br-int" && BR_INT_ANTI_SPOOFING.has(step.table))
    return set(
      "anti-spoofing",
      `${where} (anti-spoofing) drops this source: ${step.match || "default flow"}`,
    );
  if (bridgeName === "br-int" && step.table === FW_EGRESS_BASE)
    return set("anti-spoofing", `the OVS firewall's egress base table (71) drops it: ${step.match}`);
  if (step.table === FW_DROPPED && tables.length >= 2) {
    const before = tables[tables.length - 2].step;
    const why = before?.table === FW_EGRESS_BASE ? "anti-spoofing" : "drop-flow";
    return set(
      why,
      `the OVS firewall drops it: ${before?.bridge ?? bridgeName} table ${before?.table} (${before?.match || "default"}) sends it to table 93`,
    );
  }
  if (bridgeName === "br-int" && step.table === 0 && inPort?.tag === DEAD_VLAN)
    return set(
      "vlan-mismatch",
      `port ${inPort.name} is in the dead VLAN 4095 (unbound or disabled Neutron port)`,
    );
  if (bridgeName === "br-int" && step.table === 0 && inPort && /^int-br-|^patch-/.test(inPort.name))
    return set("vlan-mismatch", `no flow in ${where} maps this VLAN from ${inPort.name} to a local VLAN`);
  const normal = has(/learned port is input port|no learned MAC/);
  if (normal)
    return set("normal-no-port", `NORMAL in ${bridgeName}: ${normal}, and no other port is in the VLAN`);
  return set("drop-flow", `${where} priority ${step.priority} drops it (${step.match || "any"})`);
}
