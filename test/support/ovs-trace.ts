/**
 * Reading recorded `ovs-appctl ofproto/trace` outputs (the labs' traces/NNN.txt) and comparing
 * Datapath actions the way ovs-lab/dp-actions-equal does: what each output receives, as a multiset,
 * since OVS's flood order and recirculation ids are not fixed.
 */
import { parts } from "../../src/pipeline/odp-size.js";

export interface RecordedTrace {
  args: string[];
  bridge: string;
  flow: string;
  packet?: string;
  ctNext: string[];
  output: string;
  /** OVS refused the flow string (its own rejection). */
  rejected: boolean;
}

/** Splits the shell-quoted argument line as the shell would (backslash escapes, quotes). */
export function shellWords(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let has = false;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      has = true;
    } else if (c === "\\" && i + 1 < line.length) {
      cur += line[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = "";
      has = false;
    } else cur += c;
  }
  if (has || cur) out.push(cur);
  return out;
}

export function readRecordedTrace(text: string): RecordedTrace {
  const [first, ...rest] = text.split("\n");
  const words = shellWords(first.replace(/^# ovs-appctl ofproto\/trace /, ""));
  const ctNext: string[] = [];
  const positional: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (words[i] === "--ct-next") ctNext.push(words[++i]);
    else positional.push(words[i]);
  }
  const output = rest.join("\n");
  const t: RecordedTrace = {
    args: words,
    bridge: positional[0],
    flow: positional[1],
    ctNext,
    output,
    rejected: /^Bad openflow flow syntax|^ovs-appctl: /m.test(output),
  };
  if (positional[2]) t.packet = positional[2];
  return t;
}

/** Top-level comma-separated parts, trimmed, empty ones dropped. */
function splitTop(s: string): string[] {
  return parts(s)
    .map((t) => t.trim())
    .filter(Boolean);
}

function kv(inner: string): Record<string, string> {
  const o: Record<string, string> = {};
  for (const p of splitTop(inner)) {
    const i = p.indexOf("=");
    if (i < 0) o[p] = "";
    else o[p.slice(0, i)] = p.slice(i + 1);
  }
  return o;
}

/** Datapath set() keys and the flow fields that hold their values before any set. */
const FROM_FLOW: Record<string, Record<string, string>> = {
  eth: { src: "dl_src", dst: "dl_dst" },
  arp: { sip: "arp_spa", tip: "arp_tpa", op: "arp_op", sha: "arp_sha", tha: "arp_tha" },
  ipv4: { src: "nw_src", dst: "nw_dst", tos: "nw_tos", ttl: "nw_ttl" },
  ipv6: { src: "ipv6_src", dst: "ipv6_dst", hlimit: "nw_ttl" },
  tcp: { src: "tp_src", dst: "tp_dst" },
  udp: { src: "tp_src", dst: "tp_dst" },
};

/** The packet's values of the datapath keys, from a trace's `Flow:` line. */
export function initialSets(flowLine: string): Record<string, Record<string, string>> {
  const f = kv(flowLine.replace(/^Flow:\s*/, ""));
  const out: Record<string, Record<string, string>> = {};
  for (const [key, map] of Object.entries(FROM_FLOW)) {
    const o: Record<string, string> = {};
    for (const [a, b] of Object.entries(map)) if (b in f) o[a] = canonical(f[b]);
    if (Object.keys(o).length) out[key] = o;
  }
  return out;
}

interface DpState {
  vlans: string[];
  sets: Record<string, Record<string, string>>;
  ct?: string;
  tunnel?: string;
  /**
   * Datapath ports that are tunnels: when known, the tunnel metadata stays in effect (as the datapath
   * keeps it) and is part of what each of these ports receives, and of no other port's.
   */
  tunnelPorts?: ReadonlySet<string>;
}

const NUM = /^(0x[0-9a-f]+|\d+)$/i;

/** A number as a datapath action or a flow prints it (`0`, `0x20`, `32`), in one spelling. */
function canonical(v: string): string {
  return NUM.test(v) ? BigInt(v).toString() : v;
}

/**
 * The key's values after a set: a masked numeric value (`tos=0x20/0xfc`) changes only the mask's bits
 * of what the packet had, so `tos=0/0xfc` on a packet with tos 0 leaves it 0, as the datapath does.
 */
function applySet(cur: Record<string, string>, set: Record<string, string>): Record<string, string> {
  const out = { ...cur };
  for (const [k, raw] of Object.entries(set)) {
    const [v, m] = raw.split("/");
    if (m !== undefined && NUM.test(v) && NUM.test(m)) {
      const old = NUM.test(out[k] ?? "") ? BigInt(out[k]) : 0n;
      out[k] = ((old & ~BigInt(m)) | (BigInt(v) & BigInt(m))).toString();
    } else out[k] = canonical(raw);
  }
  return out;
}

function walk(tokens: string[], st: DpState, outs: string[]): void {
  for (const t of tokens) {
    const m = /^([a-z_]+)\((.*)\)$/.exec(t);
    const name = m ? m[1] : t;
    const arg = m ? m[2] : undefined;
    if (name === "push_vlan") st.vlans.push(arg?.replace(/^tpid=0x8100,/, "") ?? "");
    else if (name === "pop_vlan") st.vlans.pop();
    else if (name === "set" || name === "set_masked") {
      const m2 = /^([a-z_0-9]+)\((.*)\)$/.exec(arg ?? "");
      if (m2 && m2[1] === "tunnel") st.tunnel = m2[2];
      else if (m2) st.sets[m2[1]] = applySet(st.sets[m2[1]] ?? {}, kv(m2[2]));
    } else if (name === "ct") st.ct = arg;
    else if (name === "clone") {
      // A clone works on a copy: what it does is not seen by the actions after it.
      walk(splitTop(arg ?? ""), structuredClone(st), outs);
    } else if (name === "check_pkt_len") {
      // Each outcome works on a copy, as a clone does; its outputs are told apart by the outcome.
      const [size, ...branches] = splitTop(arg ?? "");
      for (const b of branches) {
        const m2 = /^(gt|le)\((.*)\)$/.exec(b);
        if (!m2) continue;
        const inner: string[] = [];
        walk(m2[2] === "drop" ? [] : splitTop(m2[2]), structuredClone(st), inner);
        for (const o of inner) outs.push(`check_pkt_len(${size}) ${m2[1]}: ${o}`);
      }
    } else if (name === "tnl_push") {
      // The outer packet is switched on by the underlay bridge: its outputs follow inside.
      const inner = splitTop(arg ?? "");
      outs.push(`${JSON.stringify([st.vlans, Object.entries(st.sets).sort(), st.ct])} ${inner.join(",")}`);
    } else if (name !== "drop") {
      if (st.tunnelPorts) {
        const tunnel = st.tunnelPorts.has(t) ? st.tunnel : undefined;
        outs.push(`${JSON.stringify([st.vlans, Object.entries(st.sets).sort(), st.ct, tunnel])} ${t}`);
        continue;
      }
      outs.push(`${JSON.stringify([st.vlans, Object.entries(st.sets).sort(), st.ct, st.tunnel])} ${t}`);
      st.tunnel = undefined;
    }
  }
}

/**
 * What each output of a Datapath actions line receives, as a sorted list: equal lists mean equal
 * behaviour whatever order OVS flooded in. `start` (from the pass's Flow line) gives the packet's own
 * values, so a set back to them, or a pop and push of the same tag, equals doing nothing; a trailing
 * clone() (which OVS unwraps) equals its contents.
 */
export function normalDatapathActions(
  line: string,
  start: Record<string, Record<string, string>> = {},
  vlan?: string,
  tunnelPorts?: ReadonlySet<string>,
): string[] {
  let a = line.replace(/^Datapath actions:\s*/, "").trim();
  a = a.replace(/recirc\(0x[0-9a-f]+\)/g, "recirc(ID)");
  a = a.replace(/recirc_id=\d+/g, "recirc_id=ID");
  if (a === "" || a === "drop") return [];
  const st: DpState = {
    vlans: vlan ? [vlan] : [],
    sets: Object.fromEntries(Object.entries(start).map(([k, v]) => [k, { ...v }])),
  };
  if (tunnelPorts) st.tunnelPorts = tunnelPorts;
  const outs: string[] = [];
  walk(splitTop(a), st, outs);
  return outs.sort();
}

/** The packet's VLAN tag from a `Flow:` line, as push_vlan prints it (`vid=1,pcp=0`). */
export function initialVlan(flowLine: string): string | undefined {
  const f = kv(flowLine.replace(/^Flow:\s*/, ""));
  return f.dl_vlan === undefined ? undefined : `vid=${f.dl_vlan},pcp=${f.dl_vlan_pcp ?? 0}`;
}

/** The bridge/table/priority sequence of a trace's text (`br-int 0 9`, `br-tun 20 miss`). */
export function traceSteps(text: string): string[] {
  const out: string[] = [];
  let bridge = "";
  for (const line of text.split("\n")) {
    const b = /^\s*bridge\("([^"]+)"\)$/.exec(line);
    if (b) bridge = b[1];
    const t = /^\s*(\d+)\. (?:.*(?:, )?)?priority (\d+)(?:, cookie 0x[0-9a-f]+)?$/.exec(line);
    if (t) out.push(`${bridge} ${t[1]} ${t[2]}`);
    const miss = /^\s*(\d+)\. No match\.$/.exec(line);
    if (miss) out.push(`${bridge} ${miss[1]} miss`);
  }
  return out;
}

/** The lines of a trace's text that start with `prefix` (`Flow:`, `Datapath actions:`), one per pass. */
export function passLines(text: string, prefix: string): string[] {
  return text.split("\n").filter((l) => l.startsWith(prefix));
}

/**
 * What each output of each pass of a trace receives (normalDatapathActions, per pass), the packet's
 * starting values taken from the `Flow:` lines of `reference`: OVS's own trace of the same packet, so
 * that OVS's text and ovspath's are read against the same start.
 */
export function passOutputs(text: string, reference: string, tunnelPorts?: ReadonlySet<string>): string[][] {
  const flows = passLines(reference, "Flow:");
  return passLines(text, "Datapath actions:").map((l, i) =>
    normalDatapathActions(l, initialSets(flows[i] ?? ""), initialVlan(flows[i] ?? ""), tunnelPorts),
  );
}
