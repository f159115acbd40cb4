/**
 * The fields display filters read (src/model/display-filter.ts): of a decoded frame with its replay
 * verdict (`frameRecord`), by Wireshark's names (`ip.src`, `vxlan.vni`, `tcp.flags.syn`...) plus the
 * verdict's (`drop`, `reason`, `bridge`, `table`...), and of a flow (`flowRecord`) by OVS's names
 * (`tun_id`, `nw_src`, `n_packets`...), match fields through the one field registry. Records are lazy:
 * a field is computed when a filter reads it. Pure: no I/O.
 */
import type { DecodedFrame, FieldValue, Layer } from "../decode/types.js";
import type { FlowEntry } from "../dumps/flows.js";
import type { FilterRecord, FilterScalar } from "../model/display-filter.js";
import { formatParsedValue } from "../model/field-value.js";
import { FIELDS, lookupField } from "../model/fields.js";
import { formatMatch, SHORTHANDS } from "../model/match.js";
import { traceSteps } from "../pipeline/trace.js";
import { dropsOf, hasKind } from "./branches.js";
import type { DropExplanation, FrameVerdict, VerdictKind } from "./types.js";

export interface FieldHelp {
  readonly name: string;
  /** One line, for `?` help and `--help`. */
  readonly description: string;
}

// ---- Frames ----

/** What frameRecord is given about the frame itself. */
export interface FrameInfo {
  number: number;
  length: number;
  captured: number;
  /** Seconds since the capture's first frame. */
  time?: number;
  interface?: string;
}

interface FrameCtx {
  info: FrameInfo;
  layers: readonly Layer[];
  /** Wireshark's protocol name of each layer. */
  names: readonly string[];
  verdict?: FrameVerdict;
}

type Getter<C> = (c: C) => FilterScalar[];

interface FieldSpec<C> extends FieldHelp {
  readonly get: Getter<C>;
  /** A replay verdict field (never present on a frame decoded without a replay). */
  readonly verdict?: boolean;
}

/** Our layer protos → Wireshark's protocol names; an 802.1ad S-tag is `ieee8021ad`, as tshark names it. */
function protoNames(layers: readonly Layer[]): string[] {
  return layers.map((l, i) => {
    if (l.proto === "ipv4") return "ip";
    if (l.proto === "vlan" && i > 0 && layers[i - 1].fields.type === "0x88a8") return "ieee8021ad";
    return l.proto;
  });
}

type Conv = (v: Exclude<FieldValue, null>) => FilterScalar;
const asIs: Conv = (v) => v;
/** "0x0800" → 0x800. */
const hexNum: Conv = (v) => (typeof v === "string" ? Number.parseInt(v, 16) : v);
const bit =
  (mask: number): Conv =>
  (v) =>
    ((typeof v === "string" ? Number.parseInt(v, 16) : Number(v)) & mask) !== 0;

/** A field of every layer of protocol `proto` (in `fields`, or in `detail`). */
function layerField(
  proto: string,
  key: string,
  conv: Conv = asIs,
  where: "fields" | "detail" = "fields",
): Getter<FrameCtx> {
  return (c) => {
    const out: FilterScalar[] = [];
    for (let i = 0; i < c.layers.length; i++) {
      if (c.names[i] !== proto) continue;
      const v = where === "fields" ? c.layers[i].fields[key] : c.layers[i].detail?.[key];
      if (v !== undefined && v !== null) out.push(conv(v));
    }
    return out;
  };
}
const detailField = (proto: string, key: string, conv: Conv = asIs) => layerField(proto, key, conv, "detail");

/** Several getters' values together (`ip.addr`: every ip.src and ip.dst). */
function both<C>(...getters: Array<Getter<C>>): Getter<C> {
  return (c) => getters.flatMap((g) => g(c));
}

function protocol(name: string): Getter<FrameCtx> {
  return (c) => c.names.filter((n) => n === name).map(() => true);
}

/** ICMPv6 neighbour solicitation (135) / advertisement (136) target. */
function ndTarget(type: number): Getter<FrameCtx> {
  return (c) => {
    const out: FilterScalar[] = [];
    c.layers.forEach((l, i) => {
      if (c.names[i] === "icmpv6" && l.fields.type === type && typeof l.detail?.ndTarget === "string")
        out.push(l.detail.ndTarget);
    });
    return out;
  };
}

const one = <T extends FilterScalar>(v: T | undefined): FilterScalar[] => (v === undefined ? [] : [v]);
const verdictIs =
  (...kinds: VerdictKind[]): Getter<FrameCtx> =>
  (c) =>
    c.verdict && hasKind(c.verdict, kinds) ? [true] : [];
/** A field of every failed branch's explanation: a flood dropped on one host of three matches. */
const dropsField =
  (get: (d: DropExplanation) => FilterScalar | undefined): Getter<FrameCtx> =>
  (c) =>
    unique(c.verdict ? dropsOf(c.verdict).flatMap((d) => one(get(d))) : []);
const unique = (xs: FilterScalar[]): FilterScalar[] => [...new Set(xs)];

const TCP_FLAGS: ReadonlyArray<[string, number, string]> = [
  ["fin", 0x001, "FIN"],
  ["syn", 0x002, "SYN"],
  ["reset", 0x004, "RST"],
  ["push", 0x008, "PSH"],
  ["ack", 0x010, "ACK"],
  ["urg", 0x020, "URG"],
  ["ece", 0x040, "ECE"],
  ["cwr", 0x080, "CWR"],
  ["ae", 0x100, "AE (formerly NS)"],
  ["res", 0xe00, "any of the 3 reserved bits"],
];

const PROTOCOLS: ReadonlyArray<[string, string]> = [
  ["eth", "Ethernet"],
  ["sll", "Linux cooked capture header"],
  ["vlan", "802.1Q tag (C-tag, or a 0x9100 tag)"],
  ["ieee8021ad", "802.1ad S-tag"],
  ["mpls", "MPLS label"],
  ["arp", "ARP or RARP"],
  ["ip", "IPv4"],
  ["ipv6", "IPv6"],
  ["icmp", "ICMP"],
  ["icmpv6", "ICMPv6"],
  ["tcp", "TCP"],
  ["udp", "UDP"],
  ["sctp", "SCTP"],
  ["gre", "GRE"],
  ["vxlan", "VXLAN"],
  ["geneve", "Geneve"],
  ["erspan", "ERSPAN type II or III"],
];

const FRAME_SPECS: ReadonlyArray<FieldSpec<FrameCtx>> = [
  { name: "frame", description: "every frame", get: () => [true] },
  { name: "frame.number", description: "frame number in the capture (1-based)", get: (c) => [c.info.number] },
  { name: "frame.len", description: "length on the wire", get: (c) => [c.info.length] },
  { name: "frame.cap_len", description: "captured length", get: (c) => [c.info.captured] },
  {
    name: "frame.time_relative",
    description: "seconds since the first frame of the capture",
    get: (c) => one(c.info.time),
  },
  { name: "frame.interface_name", description: "pcapng interface name", get: (c) => one(c.info.interface) },
  {
    name: "tunnel.depth",
    description: "tunnel nesting of the innermost layer (0: not tunneled)",
    get: (c) => [c.layers.reduce((d, l) => Math.max(d, l.depth), 0)],
  },
  ...PROTOCOLS.map(([name, what]) => ({ name, description: `${what} present`, get: protocol(name) })),
  { name: "eth.src", description: "Ethernet source MAC", get: layerField("eth", "src") },
  { name: "eth.dst", description: "Ethernet destination MAC", get: layerField("eth", "dst") },
  {
    name: "eth.addr",
    description: "Ethernet source or destination MAC",
    get: both(layerField("eth", "src"), layerField("eth", "dst")),
  },
  { name: "eth.type", description: "Ethernet type", get: layerField("eth", "type", hexNum) },
  { name: "eth.len", description: "802.3 length", get: detailField("eth", "length") },
  { name: "sll.etype", description: "Linux cooked capture protocol", get: layerField("sll", "type", hexNum) },
  {
    name: "sll.pkttype",
    description: "Linux cooked capture packet type",
    get: detailField("sll", "packetType"),
  },
  { name: "vlan.id", description: "802.1Q VLAN id", get: layerField("vlan", "vid") },
  { name: "vlan.priority", description: "802.1Q priority (PCP)", get: layerField("vlan", "pcp") },
  {
    name: "vlan.pcp",
    description: "802.1Q priority (same as vlan.priority)",
    get: layerField("vlan", "pcp"),
  },
  { name: "vlan.dei", description: "802.1Q drop eligible", get: detailField("vlan", "dei", (v) => v === 1) },
  { name: "vlan.etype", description: "802.1Q inner ethertype", get: layerField("vlan", "type", hexNum) },
  { name: "ieee8021ad.id", description: "802.1ad S-tag VLAN id", get: layerField("ieee8021ad", "vid") },
  {
    name: "ieee8021ad.priority",
    description: "802.1ad S-tag priority",
    get: layerField("ieee8021ad", "pcp"),
  },
  {
    name: "ieee8021ad.dei",
    description: "802.1ad S-tag drop eligible",
    get: detailField("ieee8021ad", "dei"),
  },
  { name: "mpls.label", description: "MPLS label", get: layerField("mpls", "label") },
  { name: "mpls.bottom", description: "MPLS bottom of stack", get: layerField("mpls", "bos") },
  { name: "mpls.exp", description: "MPLS traffic class", get: detailField("mpls", "tc") },
  { name: "mpls.ttl", description: "MPLS TTL", get: detailField("mpls", "ttl") },
  { name: "arp.opcode", description: "ARP opcode (1 request, 2 reply)", get: layerField("arp", "op") },
  { name: "arp.src.proto_ipv4", description: "ARP sender IPv4", get: layerField("arp", "spa") },
  { name: "arp.dst.proto_ipv4", description: "ARP target IPv4", get: layerField("arp", "tpa") },
  { name: "arp.src.hw_mac", description: "ARP sender MAC", get: detailField("arp", "sha") },
  { name: "arp.dst.hw_mac", description: "ARP target MAC", get: detailField("arp", "tha") },
  { name: "ip.src", description: "IPv4 source (outer and inner)", get: layerField("ip", "src") },
  { name: "ip.dst", description: "IPv4 destination (outer and inner)", get: layerField("ip", "dst") },
  {
    name: "ip.addr",
    description: "IPv4 source or destination",
    get: both(layerField("ip", "src"), layerField("ip", "dst")),
  },
  { name: "ip.proto", description: "IPv4 protocol", get: layerField("ip", "ipProto") },
  { name: "ip.ttl", description: "IPv4 TTL", get: layerField("ip", "ttl") },
  { name: "ip.len", description: "IPv4 total length", get: detailField("ip", "totalLength") },
  { name: "ip.id", description: "IPv4 identification", get: detailField("ip", "id") },
  { name: "ip.dsfield", description: "IPv4 DS field (TOS byte)", get: detailField("ip", "tos") },
  {
    name: "ip.dsfield.dscp",
    description: "IPv4 DSCP",
    get: detailField("ip", "tos", (v) => Number(v) >> 2),
  },
  { name: "ip.dsfield.ecn", description: "IPv4 ECN", get: detailField("ip", "tos", (v) => Number(v) & 3) },
  { name: "ip.flags.df", description: "IPv4 don't fragment", get: detailField("ip", "df") },
  { name: "ip.flags.mf", description: "IPv4 more fragments", get: layerField("ip", "mf") },
  {
    name: "ip.frag_offset",
    description: "IPv4 fragment offset (8-byte units)",
    get: layerField("ip", "fragOffset"),
  },
  { name: "ipv6.src", description: "IPv6 source", get: layerField("ipv6", "src") },
  { name: "ipv6.dst", description: "IPv6 destination", get: layerField("ipv6", "dst") },
  {
    name: "ipv6.addr",
    description: "IPv6 source or destination",
    get: both(layerField("ipv6", "src"), layerField("ipv6", "dst")),
  },
  {
    name: "ipv6.nxt",
    description: "IPv6 next header (of the fixed header)",
    get: layerField("ipv6", "nextHeader"),
  },
  { name: "ipv6.hlim", description: "IPv6 hop limit", get: layerField("ipv6", "hlim") },
  { name: "ipv6.flow", description: "IPv6 flow label", get: detailField("ipv6", "flowLabel") },
  { name: "icmp.type", description: "ICMP type", get: layerField("icmp", "type") },
  { name: "icmp.code", description: "ICMP code", get: layerField("icmp", "code") },
  { name: "icmpv6.type", description: "ICMPv6 type", get: layerField("icmpv6", "type") },
  { name: "icmpv6.code", description: "ICMPv6 code", get: layerField("icmpv6", "code") },
  { name: "icmpv6.nd.ns.target_address", description: "neighbour solicitation target", get: ndTarget(135) },
  { name: "icmpv6.nd.na.target_address", description: "neighbour advertisement target", get: ndTarget(136) },
  { name: "tcp.srcport", description: "TCP source port", get: layerField("tcp", "sport") },
  { name: "tcp.dstport", description: "TCP destination port", get: layerField("tcp", "dport") },
  {
    name: "tcp.port",
    description: "TCP source or destination port",
    get: both(layerField("tcp", "sport"), layerField("tcp", "dport")),
  },
  { name: "tcp.flags", description: "TCP flags (0x012: SYN+ACK)", get: layerField("tcp", "flags", hexNum) },
  ...TCP_FLAGS.map(([n, mask, what]) => ({
    name: `tcp.flags.${n}`,
    description: `TCP ${what} flag (present on every TCP header: compare with == 1)`,
    get: layerField("tcp", "flags", bit(mask)),
  })),
  {
    name: "tcp.seq",
    description: "TCP sequence number, absolute (Wireshark's tcp.seq is relative; this is its tcp.seq_raw)",
    get: detailField("tcp", "seq"),
  },
  { name: "tcp.seq_raw", description: "TCP sequence number, absolute", get: detailField("tcp", "seq") },
  {
    name: "tcp.ack_raw",
    description: "TCP acknowledgement number, absolute",
    get: detailField("tcp", "ack"),
  },
  { name: "tcp.window_size_value", description: "TCP window (unscaled)", get: detailField("tcp", "window") },
  { name: "udp.srcport", description: "UDP source port", get: layerField("udp", "sport") },
  { name: "udp.dstport", description: "UDP destination port", get: layerField("udp", "dport") },
  {
    name: "udp.port",
    description: "UDP source or destination port",
    get: both(layerField("udp", "sport"), layerField("udp", "dport")),
  },
  { name: "udp.length", description: "UDP length", get: detailField("udp", "length") },
  { name: "sctp.srcport", description: "SCTP source port", get: layerField("sctp", "sport") },
  { name: "sctp.dstport", description: "SCTP destination port", get: layerField("sctp", "dport") },
  {
    name: "sctp.port",
    description: "SCTP source or destination port",
    get: both(layerField("sctp", "sport"), layerField("sctp", "dport")),
  },
  { name: "sctp.verification_tag", description: "SCTP verification tag", get: detailField("sctp", "vtag") },
  { name: "gre.key", description: "GRE key (when the K bit is set)", get: layerField("gre", "key") },
  { name: "gre.proto", description: "GRE protocol type", get: layerField("gre", "ptype", hexNum) },
  { name: "vxlan.vni", description: "VXLAN network identifier", get: layerField("vxlan", "vni") },
  { name: "geneve.vni", description: "Geneve virtual network identifier", get: layerField("geneve", "vni") },
  {
    name: "geneve.proto_type",
    description: "Geneve protocol type",
    get: layerField("geneve", "ptype", hexNum),
  },
  {
    name: "erspan.version",
    description: "ERSPAN version (1: type II, 2: type III)",
    get: layerField("erspan", "version"),
  },
  { name: "erspan.spanid", description: "ERSPAN session id", get: layerField("erspan", "sessionId") },
  // The replay verdict.
  {
    name: "verdict",
    description: "delivered, tunneled, dropped, controller, loop or no-ingress (each branch)",
    get: (c) => unique([...one(c.verdict?.verdict), ...(c.verdict?.branches.map((b) => b.kind) ?? [])]),
    verdict: true,
  },
  {
    name: "drop",
    description: "the frame or a branch was dropped",
    get: verdictIs("dropped"),
    verdict: true,
  },
  {
    name: "dropped",
    description: "the frame or a branch was dropped",
    get: verdictIs("dropped"),
    verdict: true,
  },
  {
    name: "delivered",
    description: "output (on some branch) to a port of a loaded host",
    get: verdictIs("delivered"),
    verdict: true,
  },
  {
    name: "tunneled",
    description: "sent (on some branch) into a tunnel to a host not loaded",
    get: verdictIs("tunneled"),
    verdict: true,
  },
  { name: "controller", description: "sent to the controller", get: verdictIs("controller"), verdict: true },
  {
    name: "loop",
    description: "translation stopped on a loop or a limit",
    get: verdictIs("loop"),
    verdict: true,
  },
  {
    name: "no-ingress",
    description: "no ingress port of a loaded host",
    get: verdictIs("no-ingress"),
    verdict: true,
  },
  {
    name: "reason",
    description: "why it was dropped (table-miss, anti-spoofing, unknown-tunnel-id...)",
    get: dropsField((d) => d.reason),
    verdict: true,
  },
  {
    name: "host",
    description: "every host the frame crossed",
    get: (c) =>
      unique([
        ...(c.verdict?.hops.map((h) => h.host) ?? []),
        ...(c.verdict ? dropsOf(c.verdict).map((d) => d.host) : []),
      ]),
    verdict: true,
  },
  {
    name: "bridge",
    description: "every bridge the frame crossed",
    get: (c) =>
      unique([
        ...(c.verdict?.hops.flatMap((h) => one(h.bridge)) ?? []),
        ...(c.verdict?.traces.flatMap((t) => traceSteps(t).map((s) => s.bridge)) ?? []),
        ...(c.verdict ? dropsOf(c.verdict).map((d) => d.bridge) : []),
      ]),
    verdict: true,
  },
  {
    name: "table",
    description: "every OpenFlow table the frame's translation looked up (and the dropping one)",
    get: (c) =>
      unique([
        ...(c.verdict?.traces.flatMap((t) => traceSteps(t).map((s) => s.table)) ?? []),
        ...(c.verdict ? dropsOf(c.verdict).flatMap((d) => one(d.table)) : []),
      ]),
    verdict: true,
  },
  {
    name: "drop.bridge",
    description: "the bridge where it was dropped",
    get: dropsField((d) => d.bridge),
    verdict: true,
  },
  {
    name: "drop.table",
    description: "the table where it was dropped",
    get: dropsField((d) => d.table),
    verdict: true,
  },
  {
    name: "drop.host",
    description: "the host where it was dropped",
    get: dropsField((d) => d.host),
    verdict: true,
  },
  {
    name: "port",
    description: "every port of the frame's path (in, patch, out, tunnel)",
    get: (c) => unique(c.verdict?.hops.map((h) => h.port) ?? []),
    verdict: true,
  },
  {
    name: "cached",
    description: "the verdict came from the megaflow cache",
    get: (c) => (c.verdict?.cached ? [true] : []),
    verdict: true,
  },
  {
    name: "result",
    description: 'the verdict\'s one-line summary ("dropped compute2 br-tun table 4 (...)")',
    get: (c) => one(c.verdict?.summary),
    verdict: true,
  },
];

const FRAME_BY_NAME = new Map(FRAME_SPECS.map((s) => [s.name, s]));

/** Every frame field, with a one-line description (for `?` help and the `known` check). */
export const FRAME_FIELDS: readonly FieldHelp[] = FRAME_SPECS.map(({ name, description }) => ({
  name,
  description,
}));

export function isFrameField(name: string): boolean {
  return FRAME_BY_NAME.has(name);
}

/** A field of the replay verdict (`drop`, `reason`, `bridge`...): absent from a frame decoded without a replay. */
export function isVerdictField(name: string): boolean {
  return FRAME_BY_NAME.get(name)?.verdict === true;
}

/** The filter record of one decoded frame, with its replay verdict when there is one. */
export function frameRecord(frame: FrameInfo, decoded: DecodedFrame, verdict?: FrameVerdict): FilterRecord {
  const ctx: FrameCtx = { info: frame, layers: decoded.layers, names: protoNames(decoded.layers) };
  if (verdict) ctx.verdict = verdict;
  return lazyRecord(FRAME_BY_NAME, ctx);
}

function lazyRecord<C>(specs: ReadonlyMap<string, FieldSpec<C>>, ctx: C): FilterRecord {
  const memo = new Map<string, FilterScalar[] | undefined>();
  return {
    values(field) {
      if (memo.has(field)) return memo.get(field);
      const spec = specs.get(field);
      const vs = spec?.get(ctx);
      const v = vs && vs.length > 0 ? vs : undefined;
      memo.set(field, v);
      return v;
    },
  };
}

// ---- Flows ----

interface FlowCtx {
  host: string;
  bridge: string;
  flow: FlowEntry;
}

const num = (text: string | undefined): FilterScalar[] => {
  if (text === undefined) return [];
  const n = Number.parseFloat(text);
  return Number.isNaN(n) ? [] : [n];
};

const FLOW_SPECS: ReadonlyArray<FieldSpec<FlowCtx>> = [
  { name: "host", description: "the host", get: (c) => [c.host] },
  { name: "bridge", description: "the bridge", get: (c) => [c.bridge] },
  { name: "table", description: "OpenFlow table", get: (c) => [c.flow.table] },
  { name: "priority", description: "priority", get: (c) => [c.flow.priority] },
  { name: "cookie", description: "cookie", get: (c) => [c.flow.cookie] },
  { name: "n_packets", description: "packets counted", get: (c) => num(c.flow.stats.n_packets) },
  { name: "n_bytes", description: "bytes counted", get: (c) => num(c.flow.stats.n_bytes) },
  {
    name: "duration",
    description: "seconds since the flow was added",
    get: (c) => num(c.flow.stats.duration),
  },
  { name: "idle_timeout", description: "idle timeout (seconds)", get: (c) => num(c.flow.stats.idle_timeout) },
  { name: "hard_timeout", description: "hard timeout (seconds)", get: (c) => num(c.flow.stats.hard_timeout) },
  {
    name: "idle_age",
    description: "seconds since the flow last matched",
    get: (c) => num(c.flow.stats.idle_age),
  },
  {
    name: "hard_age",
    description: "seconds since the flow was added or modified",
    get: (c) => num(c.flow.stats.hard_age),
  },
  { name: "importance", description: "eviction importance", get: (c) => num(c.flow.stats.importance) },
  {
    name: "actions",
    description: "the actions as dumped (for contains/matches)",
    get: (c) => [c.flow.actionsText],
  },
  {
    name: "match",
    description: "the match as dumped (for contains/matches)",
    get: (c) => [formatMatch(c.flow.match)],
  },
  { name: "text", description: "the whole flow line as dumped", get: (c) => [c.flow.text] },
  { name: "flags", description: "flow flags (send_flow_rem...)", get: (c) => c.flow.flags },
  { name: "file", description: "the dump file", get: (c) => [c.flow.file] },
  { name: "line", description: "line in the dump file", get: (c) => [c.flow.line] },
  ...Object.entries(SHORTHANDS).map(([name, sh]) => ({
    name,
    description: `the flow matches ${name} (dl_type=0x${sh.dlType.toString(16).padStart(4, "0")}${sh.nwProto !== undefined ? `, nw_proto=${sh.nwProto}` : ""})`,
    get: (c: FlowCtx) => (c.flow.match.shorthand === name ? [true] : []),
  })),
];

const FLOW_BY_NAME = new Map(FLOW_SPECS.map((s) => [s.name, s]));

/** The flow fields: the flow's own (`table`, `n_packets`, `actions`...) then every match field of the registry. */
export const FLOW_FIELDS: readonly FieldHelp[] = [
  ...FLOW_SPECS.map(({ name, description }) => ({ name, description })),
  ...FIELDS.map((f) => ({
    name: f.name,
    description: `match field${f.aliases.length > 0 ? ` (also ${f.aliases.join(", ")})` : ""}: as the dump prints it, present when the flow matches on it`,
  })),
];

export function isFlowField(name: string): boolean {
  return FLOW_BY_NAME.has(name) || lookupField(name) !== undefined;
}

/** A match field's values in a flow: as the dump prints them; dl_type/nw_proto also from a shorthand. */
function matchValues(flow: FlowEntry, name: string): FilterScalar[] | undefined {
  const def = lookupField(name);
  if (!def) return undefined;
  const out: FilterScalar[] = flow.match.fields
    .filter((mf) => mf.field === def)
    .map((mf) => formatParsedValue(mf.field, mf.value));
  const sh = flow.match.shorthand === undefined ? undefined : SHORTHANDS[flow.match.shorthand];
  if (sh && def.name === "dl_type" && out.length === 0) out.push(sh.dlType);
  if (sh?.nwProto !== undefined && def.name === "nw_proto" && out.length === 0) out.push(sh.nwProto);
  return out.length > 0 ? out : undefined;
}

/** The filter record of one flow of a bridge's dump. */
export function flowRecord(host: string, bridge: string, flow: FlowEntry): FilterRecord {
  const own = lazyRecord(FLOW_BY_NAME, { host, bridge, flow });
  return {
    values(field) {
      return FLOW_BY_NAME.has(field) ? own.values(field) : matchValues(flow, field);
    },
  };
}
