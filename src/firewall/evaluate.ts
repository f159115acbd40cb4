/**
 * A bridged frame crossing a Linux bridge with bridge-nf-call-iptables, as the kernel evaluates it:
 * raw PREROUTING (Neutron's CT zone per port), conntrack, mangle PREROUTING, mangle and filter
 * FORWARD, mangle POSTROUTING; in each, the chain loop of ip_tables.c (jump pushes, goto replaces,
 * RETURN pops, the policy at the bottom of a built-in chain). A match the dumps cannot decide makes
 * the verdict undecidable at that rule; unknown ipset membership gives both outcomes.
 */
import type { CtEntry, CtLookup, FwConntrack } from "./conntrack.js";
import { candidateRules } from "./index-chains.js";
import { type Family, FrameSignature, type FwPacket, fwPacketOf } from "./packet.js";
import type { Chain, CtState, Devices, Hook, MatchEnv, Rule, Ruleset, SetLookup, Unknown } from "./rule.js";

/** One rule a frame matched (or a policy it fell to), in traversal order: the firewall's trace. */
export interface FwStep {
  table: string;
  chain: string;
  /** null for a chain's policy. */
  rule: Rule | null;
  /** What happened: the target taken (`jump neutron-openvswi-sg-chain`, `RETURN`, `DROP`, `policy ACCEPT`). */
  action: string;
}

export interface NearMiss {
  rule: Rule;
  /** The conditions that failed (one or two). */
  failed: string[];
}

export type FwVerdict =
  | { kind: "pass"; why: string }
  | { kind: "accept"; steps: FwStep[] }
  | {
      kind: "drop";
      reject: boolean;
      table: string;
      chain: string;
      /** null when the chain's policy dropped it. */
      rule: Rule | null;
      steps: FwStep[];
      nearMisses: NearMiss[];
    }
  | { kind: "undecidable"; rule: Rule; reason: string; steps: FwStep[] }
  | { kind: "depends"; set: string; reason: string; rule: Rule; ifMember: FwVerdict; ifNot: FwVerdict };

export interface FwResult {
  verdict: FwVerdict;
  /** The conntrack zone (null: untracked by CT --notrack) and the frame's state. */
  zone: number | null;
  ct: CtState;
  ctWhy?: string;
}

export interface Firewall {
  v4?: Ruleset;
  v6?: Ruleset;
  sets: SetLookup;
  conntrack: FwConntrack;
}

/** A host's firewall as its dumps give it (read by `src/dumps/netfilter/firewall.ts`). */
export interface HostFirewall extends Firewall {
  /** The files the rules were read from, per family. */
  sources: Partial<Record<Family, string[]>>;
  /** What the dumps cannot tell (a listing's lost options, no ipset list, no raw table). */
  lost: string[];
}

/** The tables each hook runs for a bridged frame, in priority order (nat is not used by Neutron). */
const HOOKS: ReadonlyArray<[Hook, string[]]> = [
  ["PREROUTING", ["raw", "mangle"]],
  ["FORWARD", ["mangle", "filter"]],
  ["POSTROUTING", ["mangle"]],
];

type ChainEnd =
  | { kind: "continue" }
  | { kind: "verdict"; verdict: "DROP" | "REJECT" | "ACCEPT"; chain: string; rule: Rule | null }
  | { kind: "undecidable"; rule: Rule; reason: string }
  | { kind: "fork"; rule: Rule; unknown: Unknown };

interface Run {
  pkt: FwPacket;
  env: MatchEnv;
  steps: FwStep[];
  assume: Map<Rule, boolean>;
  zone: number | null;
  /** The filter chains the frame went through (near misses come from these). */
  visited: Chain[];
}

function matchAll(rule: Rule, run: Run): boolean | Unknown {
  let unknown: Unknown | null = null;
  for (const m of rule.matches) {
    const r = m.test(run.pkt, run.env);
    if (r === false) return false;
    if (r !== true) unknown ??= r;
  }
  if (!unknown) return true;
  return run.assume.get(rule) ?? unknown;
}

function runChain(rs: Ruleset, table: string, hook: Hook, run: Run): ChainEnd {
  const t = rs.tables.get(table);
  const base = t?.chains.get(hook);
  if (!t || !base) return { kind: "continue" };
  const { physIn, physOut } = run.env.devices;
  const out = hook === "PREROUTING" ? "" : physOut;
  const stack: Array<{ chain: Chain; rules: Rule[]; i: number }> = [];
  let chain = base;
  let rules = candidateRules(chain, physIn, out);
  let i = 0;
  if (table === "filter") run.visited.push(chain);
  for (;;) {
    if (i >= rules.length) {
      const top = stack.pop();
      if (top) {
        ({ chain, rules, i } = top);
        continue;
      }
      // Off the end of the built-in chain (or RETURN from it): its policy.
      run.steps.push({ table, chain: base.name, rule: null, action: `policy ${base.policy ?? "ACCEPT"}` });
      return base.policy === "DROP"
        ? { kind: "verdict", verdict: "DROP", chain: base.name, rule: null }
        : { kind: "continue" };
    }
    const rule = rules[i++];
    const r = matchAll(rule, run);
    if (r === false) continue;
    if (r !== true) {
      if (r.set !== undefined) return { kind: "fork", rule, unknown: r };
      return { kind: "undecidable", rule, reason: r.unknown };
    }
    const tg = rule.target;
    switch (tg.kind) {
      case "verdict":
        run.steps.push({ table, chain: chain.name, rule, action: tg.verdict });
        return { kind: "verdict", verdict: tg.verdict, chain: chain.name, rule };
      case "return":
        run.steps.push({ table, chain: chain.name, rule, action: "RETURN" });
        i = rules.length;
        break;
      case "jump": {
        const next = t.chains.get(tg.chain)!;
        run.steps.push({
          table,
          chain: chain.name,
          rule,
          action: `${tg.goto ? "goto" : "jump"} ${tg.chain}`,
        });
        if (!tg.goto) stack.push({ chain, rules, i });
        chain = next;
        rules = candidateRules(chain, physIn, out);
        i = 0;
        if (table === "filter") run.visited.push(chain);
        break;
      }
      case "ct":
        // The first CT target decides the zone: conntrack runs once, after the raw table.
        run.steps.push({
          table,
          chain: chain.name,
          rule,
          action: tg.notrack ? "CT notrack" : `CT zone ${tg.zone}`,
        });
        if (tg.notrack) run.zone = null;
        else if (tg.zone !== null) run.zone = tg.zone;
        break;
      case "mark":
      case "continue":
        run.steps.push({ table, chain: chain.name, rule, action: tg.text });
        break;
      case "unknown":
        return { kind: "undecidable", rule, reason: `target ${tg.name} is not modelled` };
      default: {
        const _: never = tg;
        return _;
      }
    }
  }
}

/** Rules of the chains the frame crossed that allow traffic and failed on one or two conditions. */
function nearMisses(run: Run, limit = 5): NearMiss[] {
  const out: NearMiss[] = [];
  const seen = new Set<Chain>();
  for (const chain of run.visited) {
    if (seen.has(chain)) continue;
    seen.add(chain);
    for (const rule of candidateRules(chain, run.env.devices.physIn, run.env.devices.physOut)) {
      const allows =
        rule.target.kind === "return" || (rule.target.kind === "verdict" && rule.target.verdict === "ACCEPT");
      if (!allows) continue;
      const failed = rule.matches.filter((m) => m.test(run.pkt, run.env) === false);
      // Rules of other ports (a physdev that does not match), for another protocol or another conntrack
      // state are not "near": the frame is not the kind of traffic they are about.
      const far = (m: (typeof failed)[number]) =>
        m.physdev || m.module === "state" || m.module === "physdev" || m.text.startsWith("-p ");
      if (failed.length === 0 || failed.length > 2 || failed.some(far)) continue;
      out.push({ rule, failed: failed.map((m) => m.miss(run.pkt, run.env)) });
      if (out.length >= limit) return out;
    }
  }
  return out;
}

function evaluateOnce(
  fw: Firewall,
  rs: Ruleset,
  pkt: FwPacket,
  devices: Devices,
  assume: Map<Rule, boolean>,
): { verdict: FwVerdict; zone: number | null; ct: CtLookup } | { fork: Rule; unknown: Unknown } {
  const env: MatchEnv = { hook: "PREROUTING", devices, ct: "UNTRACKED", sets: fw.sets };
  const run: Run = { pkt, env, steps: [], assume, zone: 0, visited: [] };
  let ct: CtLookup = { state: "UNTRACKED", why: "CT --notrack" };
  for (const [hook, tables] of HOOKS) {
    env.hook = hook;
    for (const table of tables) {
      if (hook === "PREROUTING" && table === "mangle") {
        // conntrack's own hook sits between raw and mangle.
        ct = run.zone === null ? ct : fw.conntrack.lookup(run.zone, pkt);
        env.ct = ct.state;
      }
      const end = runChain(rs, table, hook, run);
      if (end.kind === "continue") continue;
      if (end.kind === "fork") return { fork: end.rule, unknown: end.unknown };
      const base = { zone: run.zone, ct };
      if (end.kind === "undecidable")
        return {
          ...base,
          verdict: { kind: "undecidable", rule: end.rule, reason: end.reason, steps: run.steps },
        };
      if (end.verdict === "ACCEPT") continue; // ends this table only: the next table still runs
      return {
        ...base,
        verdict: {
          kind: "drop",
          reject: end.verdict === "REJECT",
          table,
          chain: end.chain,
          rule: end.rule,
          steps: run.steps,
          nearMisses: nearMisses(run),
        },
      };
    }
  }
  return { verdict: { kind: "accept", steps: run.steps }, zone: run.zone, ct };
}

function explore(
  fw: Firewall,
  rs: Ruleset,
  pkt: FwPacket,
  devices: Devices,
  assume: Map<Rule, boolean>,
): { verdict: FwVerdict; zone: number | null; ct: CtLookup } {
  const r = evaluateOnce(fw, rs, pkt, devices, assume);
  if (!("fork" in r)) return r;
  const yes = explore(fw, rs, pkt, devices, new Map([...assume, [r.fork, true]]));
  const no = explore(fw, rs, pkt, devices, new Map([...assume, [r.fork, false]]));
  return {
    verdict: {
      kind: "depends",
      set: r.unknown.set ?? "",
      reason: r.unknown.unknown,
      rule: r.fork,
      ifMember: yes.verdict,
      ifNot: no.verdict,
    },
    zone: yes.zone,
    ct: yes.ct,
  };
}

function accepted(v: FwVerdict): boolean {
  return v.kind === "accept" || (v.kind === "depends" && accepted(v.ifMember) && accepted(v.ifNot));
}

/**
 * The verdict cache (the firewall's megaflow): the rules' answer is a function of the frame's fields,
 * its bridge ports and its conntrack state, so a frame like one seen before (same fields, same state)
 * gets the same verdict without walking the chains. Conntrack is still looked up and updated for every
 * frame. The zone comes from the raw table, itself a function of the fields and ports.
 */
interface VerdictCache {
  /** Does any rule match on the packet length (then the length is part of the frame key). */
  usesLength: boolean;
  /** Bridge ports ("in>out") → the frames seen crossing them. */
  byPorts: Map<string, PortFrames>;
  size: number;
  /** Counts the clears (a port context of an older generation is stale). */
  generation: number;
  /** Each distinct verdict once, by its signature. */
  verdicts: Map<string, FwVerdict>;
}

interface PortFrames {
  /** Frame key → its zone and verdicts. */
  byKey: Map<string, CachedFrame>;
  /** The same frames by their byte signature's hash (the fast path of evaluateFrame). */
  bySignature: Map<number, SignatureSlot[]>;
}

interface CachedFrame {
  zone: number | null;
  byState: Map<CtState, FwVerdict>;
}

/**
 * A frame signature seen at these ports: the frame key's cached verdicts, and the conntrack entry
 * frames with this signature found once one did. The signature holds the whole conntrack tuple (the
 * ICMP echo id too), and a tuple keeps its entry (conntrack here never replaces or removes one), so
 * later frames skip the table: the entry's `replied` tells NEW from ESTABLISHED.
 */
interface SignatureSlot {
  signature: Uint8Array;
  frame: CachedFrame;
  ct?: { table: FwConntrack; entry: CtEntry; dir: "orig" | "reply" };
  /** The result by the state the slot can tell without a lookup (see FAST_STATES), and if it accepts. */
  results: Array<FwResult | undefined>;
  accepts: boolean[];
}

/** The states a slot tells on its own: NEW and ESTABLISHED (its remembered entry), UNTRACKED (notrack). */
const FAST_STATES: readonly CtState[] = ["NEW", "ESTABLISHED", "UNTRACKED"];

/** Which of FAST_STATES a frame of this slot is in, or -1 when only a conntrack lookup can tell. */
function fastState(slot: SignatureSlot, conntrack: FwConntrack): number {
  if (slot.frame.zone === null) return 2;
  const ct = slot.ct;
  if (!ct || ct.table !== conntrack) return -1;
  return ct.dir === "reply" || ct.entry.replied ? 1 : 0;
}

/** Per firewall (its sets decide too) and per family's ruleset. */
const caches = new WeakMap<Firewall, Map<Ruleset, VerdictCache>>();
/** "in>out" per Devices object: callers that keep theirs (the replay's crossings) build it once. */
const portKeys = new WeakMap<Devices, string>();

function rulesUseLength(rs: Ruleset): boolean {
  return [...rs.tables.values()].some((t) =>
    [...t.chains.values()].some((c) => c.rules.some((r) => r.matches.some((m) => m.module === "length"))),
  );
}

function cacheOf(fw: Firewall, rs: Ruleset): VerdictCache {
  let byRs = caches.get(fw);
  if (!byRs) {
    byRs = new Map();
    caches.set(fw, byRs);
  }
  let c = byRs.get(rs);
  if (!c) {
    c = { usesLength: rulesUseLength(rs), byPorts: new Map(), size: 0, generation: 0, verdicts: new Map() };
    byRs.set(rs, c);
  }
  return c;
}

function framesAt(cache: VerdictCache, d: Devices): PortFrames {
  let ports = portKeys.get(d);
  if (ports === undefined) {
    ports = `${d.physIn}>${d.physOut}`;
    portKeys.set(d, ports);
  }
  let frames = cache.byPorts.get(ports);
  if (!frames) {
    frames = { byKey: new Map(), bySignature: new Map() };
    cache.byPorts.set(ports, frames);
  }
  return frames;
}

function frameKey(cache: VerdictCache, p: FwPacket): string {
  const fields =
    p.key ??
    `${p.src}|${p.dst}|${p.proto}|${p.sport}|${p.dport}|${p.tcpFlags}|${p.icmpType}|${p.icmpCode}|${p.srcMac}|${p.dstMac}|${p.fragment ? 1 : 0}`;
  return cache.usesLength ? `${fields}|${p.length}` : fields;
}

/**
 * One verdict object per distinct outcome: frames of different connections that take the same path
 * through the rules share it, so what callers derive from a verdict (the replay's firewall hop, its
 * spliced path) is built once, not once per connection.
 */
const ruleIds = new WeakMap<Rule, number>();
let nextRuleId = 0;

function ruleId(r: Rule | null): number {
  if (!r) return -1;
  let id = ruleIds.get(r);
  if (id === undefined) {
    id = nextRuleId++;
    ruleIds.set(r, id);
  }
  return id;
}

function stepsSignature(steps: readonly FwStep[]): string {
  let s = "";
  for (const st of steps) s += `${st.table}/${st.chain}/${ruleId(st.rule)}/${st.action};`;
  return s;
}

/** What makes two verdicts the same outcome (undefined: not interned). */
function verdictSignature(v: FwVerdict): string | undefined {
  switch (v.kind) {
    case "pass":
      return `pass ${v.why}`;
    case "accept":
      return `accept ${stepsSignature(v.steps)}`;
    case "drop":
      return `drop ${v.reject} ${v.table} ${v.chain} ${ruleId(v.rule)} ${stepsSignature(v.steps)} ${v.nearMisses
        .map((n) => `${ruleId(n.rule)}:${n.failed.join("\u0000")}`)
        .join(";")}`;
    case "undecidable":
      return `undecidable ${ruleId(v.rule)} ${v.reason} ${stepsSignature(v.steps)}`;
    case "depends":
      return undefined;
    default: {
      const _: never = v;
      return _;
    }
  }
}

function intern(cache: VerdictCache, v: FwVerdict): FwVerdict {
  const sig = verdictSignature(v);
  if (sig === undefined) return v;
  const known = cache.verdicts.get(sig);
  if (known) return known;
  cache.verdicts.set(sig, v);
  return v;
}

const UNTRACKED: CtLookup = { state: "UNTRACKED", why: "CT --notrack" };

/**
 * Evaluates one frame crossing a bridge; when `commit`, an accepted frame updates conntrack (as a
 * replay does, frame after frame).
 */
export function evaluateBridged(fw: Firewall, pkt: FwPacket, devices: Devices, commit = true): FwResult {
  if (pkt.family === null)
    return {
      verdict: { kind: "pass", why: "not IP: iptables does not see it" },
      zone: null,
      ct: "UNTRACKED",
    };
  const rs = pkt.family === "ipv4" ? fw.v4 : fw.v6;
  if (!rs) {
    const what = pkt.family === "ipv4" ? "iptables" : "ip6tables";
    return { verdict: { kind: "pass", why: `no ${what} rules in the dumps` }, zone: null, ct: "UNTRACKED" };
  }
  const cache = cacheOf(fw, rs);
  const frames = framesAt(cache, devices);
  const key = frameKey(cache, pkt);
  const seen = frames.byKey.get(key);
  if (seen) {
    const zone = seen.zone;
    const ct = zone === null ? UNTRACKED : fw.conntrack.lookup(zone, pkt);
    const verdict = seen.byState.get(ct.state);
    if (verdict) {
      if (commit && zone !== null && accepted(verdict)) fw.conntrack.confirm(zone, pkt, ct);
      const out: FwResult = { verdict, zone, ct: ct.state };
      if (ct.why) out.ctWhy = ct.why;
      return out;
    }
  }
  const r = explore(fw, rs, pkt, devices, new Map());
  if (r.verdict.kind !== "depends") {
    if (cache.size > 65536) {
      cache.byPorts.clear();
      cache.verdicts.clear();
      cache.size = 0;
      cache.generation++;
    }
    r.verdict = intern(cache, r.verdict);
    const entry = seen ?? { zone: r.zone, byState: new Map() };
    entry.byState.set(r.ct.state, r.verdict);
    if (!seen) {
      framesAt(cache, devices).byKey.set(key, entry);
      cache.size++;
    }
  }
  if (commit && r.zone !== null && accepted(r.verdict)) fw.conntrack.confirm(r.zone, pkt, r.ct);
  const out: FwResult = { verdict: r.verdict, zone: r.zone, ct: r.ct.state };
  if (r.ct.why) out.ctWhy = r.ct.why;
  return out;
}

/** The frames crossing one pair of bridge ports, per family, as of a cache generation. */
interface PortContext {
  fw: Firewall;
  v4?: { rs: Ruleset; cache: VerdictCache; generation: number; frames: PortFrames };
  v6?: { rs: Ruleset; cache: VerdictCache; generation: number; frames: PortFrames };
}

/** Per Devices object: callers that keep theirs (the replay's crossings) find their frames at once. */
const contexts = new WeakMap<Devices, PortContext>();

function portFrames(fw: Firewall, devices: Devices, v4: boolean): PortContext["v4"] {
  const rs = v4 ? fw.v4 : fw.v6;
  if (!rs) return undefined;
  let ctx = contexts.get(devices);
  if (!ctx || ctx.fw !== fw) {
    ctx = { fw };
    contexts.set(devices, ctx);
  }
  let c = v4 ? ctx.v4 : ctx.v6;
  if (!c || c.rs !== rs || c.generation !== c.cache.generation) {
    const cache = cacheOf(fw, rs);
    c = { rs, cache, generation: cache.generation, frames: framesAt(cache, devices) };
    if (v4) ctx.v4 = c;
    else ctx.v6 = c;
  }
  return c;
}

const scratch = new FrameSignature();

/**
 * evaluateBridged on a frame's bytes, with a fast path for frames like ones seen before at the same
 * bridge ports: found by their byte signature, with their conntrack entry remembered, they get their
 * result (one object per outcome) without being read into an FwPacket, without a conntrack lookup,
 * and without allocating. Conntrack is still updated (a reply marks its entry replied).
 */
export function evaluateFrame(fw: Firewall, data: Uint8Array, devices: Devices, commit = true): FwResult {
  // The family by the EtherType (untagged frames: the only ones the signature reads).
  const v4 = data.length >= 14 && data[12] === 0x08 && data[13] === 0x00;
  const port = portFrames(fw, devices, v4);
  if (!port || !scratch.read(data, port.cache.usesLength) || (scratch.family === "ipv4") !== v4)
    return evaluateBridged(fw, fwPacketOf(data), devices, commit);
  const slots = port.frames.bySignature.get(scratch.hash);
  let slot: SignatureSlot | undefined;
  if (slots)
    for (const x of slots)
      if (scratch.equals(x.signature)) {
        slot = x;
        break;
      }
  if (slot) {
    const i = fastState(slot, fw.conntrack);
    const known = i >= 0 ? slot.results[i] : undefined;
    if (known) {
      if (commit && i < 2 && slot.accepts[i] && slot.ct?.dir === "reply") slot.ct.entry.replied = true;
      return known;
    }
  }
  const pkt = fwPacketOf(data);
  const r = evaluateBridged(fw, pkt, devices, commit);
  if (!slot) {
    const frame = port.frames.byKey.get(frameKey(port.cache, pkt));
    if (!frame || port.generation !== port.cache.generation) return r;
    const list = slots ?? [];
    if (!slots) port.frames.bySignature.set(scratch.hash, list);
    slot = { signature: scratch.bytes.slice(0, scratch.length), frame, results: [], accepts: [] };
    list.push(slot);
    // Filled below at once: the conversation's next frame takes the fast path.
  }
  if (!slot.ct && r.zone !== null) {
    // The entry this frame made or found (after its confirm): frames like it skip the table.
    const l = fw.conntrack.lookup(r.zone, pkt);
    if (l.entry && l.dir) slot.ct = { table: fw.conntrack, entry: l.entry, dir: l.dir };
  }
  const i = FAST_STATES.indexOf(r.ct);
  if (i >= 0 && i === fastState(slot, fw.conntrack) && r.verdict.kind !== "depends") {
    slot.results[i] = r;
    slot.accepts[i] = accepted(r.verdict);
  }
  return r;
}
