/**
 * What a trace went through that ovspath does not model, by name. OVS's answer may then differ from
 * ovspath's, so the trace must say so (and the CLI exit 1) rather than print a different answer
 * silently. Read from the host's OVSDB records (STP/RSTP, bonds, tunnel kinds and options) for the
 * bridges and ports the trace touched, and from what the translation recorded it met (TracePass.unmodelled:
 * the features its warnings name, the actions it ignored, a QoS queue, NORMAL), never from its text.
 */
import type { Host } from "../dumps/host/load.js";
import type { OvsdbValue } from "../dumps/vsctl/ovsdb-value.js";
import { K } from "../model/layout.js";
import type { SimHost } from "./switch.js";
import type { TraceResult } from "./trace.js";
import { traceSteps } from "./trace.js";

/** Tunnel interface types ovspath has no encapsulation for. */
const TUNNEL_TYPES: Record<string, string> = {
  gtpu: "GTP-U tunnels",
  erspan: "ERSPAN tunnels",
  ip6erspan: "ip6erspan tunnels",
  ip6gre: "ip6gre tunnels",
  stt: "STT tunnels",
  bareudp: "bareudp tunnels",
  srv6: "SRv6 tunnels",
};

/**
 * Tunnel interface options that change the encapsulation ovspath writes. An option set to OVS's own
 * default (`DEFAULTS`: Neutron sets `df_default=true` on every tunnel port) changes nothing.
 */
// options:csum is modelled (the csum tunnel flag; 0xffff in a pushed UDP header, as OVN's Geneve ports show).
const TUNNEL_OPTION_DEFAULTS: Readonly<Record<string, string>> = { ttl: "64", df_default: "true" };
const TUNNEL_OPTIONS: Record<string, string> = {
  ttl: "tunnel TTL option (options:ttl)",
  df_default: "tunnel DF option (options:df_default)",
  seq: "GRE sequence numbers (options:seq)",
  exts: "VXLAN extensions (options:exts=gbp/gpe)",
  egress_pkt_mark: "tunnel egress_pkt_mark",
  packet_type: "L3 tunnels (options:packet_type=legacy_l3)",
};

/** Ignored actions (by name) that stand for a whole feature ovspath does not compose, named as well. */
const IGNORED_ACTION_FEATURES: Readonly<Record<string, string>> = {
  encap: "encap/decap (NSH, packet types)",
  decap: "encap/decap (NSH, packet types)",
};

const text = (v: OvsdbValue | undefined): string => (v === undefined ? "" : String(v));

function records(host: Host, table: string) {
  return host.dumps.vsctlList.filter((l) => l.table === table).flatMap((l) => l.value);
}

/** Features the trace touched that ovspath does not model: empty when its answer is OVS's. */
export function notModelled(host: Host, sim: SimHost, result: TraceResult): string[] {
  const out = new Set<string>();
  const bridges = new Set([result.bridge, ...traceSteps(result).map((s) => s.bridge)]);
  for (const r of records(host, "bridge")) {
    if (!bridges.has(text(r.columns.get("name")))) continue;
    if (text(r.columns.get("stp_enable")) === "true") out.add("STP port states");
    if (text(r.columns.get("rstp_enable")) === "true") out.add("RSTP port states");
  }
  const ports = new Set(result.passes.flatMap((p) => p.outputs.map((o) => o.port)));
  for (const p of result.passes) {
    const input = sim.bridges.get(result.bridge)?.ports.get(p.flow[K.inPort]);
    if (input) ports.add(input.name);
  }
  for (const r of records(host, "interface")) {
    if (!ports.has(text(r.columns.get("name")))) continue;
    const type = text(r.columns.get("type"));
    if (TUNNEL_TYPES[type]) out.add(TUNNEL_TYPES[type]);
    const options = r.columns.get("options");
    if (!(options instanceof Map)) continue;
    if (text(options.get("remote_ip")).includes(":")) out.add("IPv6 tunnels");
    for (const [key, what] of Object.entries(TUNNEL_OPTIONS)) {
      if (options.has(key) && text(options.get(key)) !== TUNNEL_OPTION_DEFAULTS[key]) out.add(what);
    }
  }
  // A flow dump with lines ovspath could not read (ovs-ofctl's own "decode error" for an action it
  // cannot print): the flows the trace needed may be among them.
  for (const b of bridges) {
    const file = sim.bridges.get(b)?.flowFile;
    if (file && host.diagnostics.some((d) => d.severity === "error" && d.file === file))
      out.add(`flows of ${b} its dump could not show (see the dump's diagnostics)`);
  }
  // What the translation itself recorded it does not model.
  let ranNormal = false;
  for (const pass of result.passes) {
    const met = pass.unmodelled;
    if (!met) continue;
    for (const feature of met.features) out.add(feature);
    for (const action of met.ignoredActions) {
      const name = /^[a-z_]+/.exec(action)?.[0];
      out.add(name ? `the ${name} action` : `action "${action}"`);
      const feature = name && IGNORED_ACTION_FEATURES[name];
      if (feature) out.add(feature);
    }
    if (met.setQueue) out.add("QoS queues (set_queue)");
    ranNormal ||= met.ranNormal;
  }
  if (ranNormal) {
    for (const r of records(host, "port")) {
      const interfaces = r.columns.get("interfaces");
      if (
        Array.isArray(interfaces) &&
        interfaces.length > 1 &&
        portOn(host, text(r.columns.get("name")), bridges)
      )
        out.add("bonds");
    }
  }
  return [...out].sort();
}

/** The port belongs to one of the bridges (by the bridge records' port lists and the ports' UUIDs). */
function portOn(host: Host, port: string, bridges: ReadonlySet<string>): boolean {
  const uuid = records(host, "port")
    .find((r) => text(r.columns.get("name")) === port)
    ?.columns.get("_uuid");
  if (uuid === undefined) return false;
  return records(host, "bridge").some((b) => {
    const ports = b.columns.get("ports");
    return (
      bridges.has(text(b.columns.get("name"))) &&
      Array.isArray(ports) &&
      ports.some((p) => text(p) === text(uuid))
    );
  });
}
