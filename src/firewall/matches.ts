/**
 * THE table of match extensions (as the kernel's xt_* modules): per extension its options and how many
 * words each takes, and a builder turning the parsed options into a Match (test, near-miss text). The
 * built-in -s/-d/-i/-o/-p/-f are the table BUILTINS. Adding `-m foo` is one entry here.
 */

import type { Family } from "./packet.js";
import { type FwPacket, PROTO } from "./packet.js";
import type { CtState, Match, MatchEnv, MatchResult } from "./rule.js";
import { quoteWord } from "./tokens.js";
import {
  addrText,
  type Cidr,
  ifaceMatches,
  macOf,
  type PortRange,
  parseCidr,
  parseIcmpType,
  parseMac,
  parsePortRange,
  parseProtocol,
  protocolName,
  rangeText,
} from "./values.js";

/** One option as written: `! --dport 22` is {name: "--dport", args: ["22"], negated: true}. */
export interface Opt {
  name: string;
  args: string[];
  negated: boolean;
  column: number;
}

export interface BuildError {
  column: number;
  message: string;
  field: string;
}

export interface BuildCtx {
  family: Family;
  /** The rule's -p, when given (tcp/udp/icmp matches need it). */
  proto: number | null;
}

/** One condition of a match: several make one Match (all must hold). */
interface Cond {
  test(p: FwPacket, env: MatchEnv): MatchResult;
  miss(p: FwPacket, env: MatchEnv): string;
}

export interface MatchSpec {
  /** Option name → the number of words it takes. */
  options: Record<string, number>;
  build(opts: Opt[], ctx: BuildCtx): Cond[] | BuildError;
  /** The bridge port a plain `--physdev-in/-out DEV` requires (indexes per-port jumps). */
  physdev?(opts: Opt[]): { dir: "in" | "out"; dev: string } | undefined;
}

const err = (o: Opt, message: string): BuildError => ({ column: o.column, message, field: o.name });

function negate(c: Cond, negated: boolean): Cond {
  if (!negated) return c;
  return {
    test: (p, env) => {
      const r = c.test(p, env);
      return typeof r === "boolean" ? !r : r;
    },
    miss: (p, env) => `not (${c.miss(p, env)})`,
  };
}

function all(conds: Cond[]): Pick<Match, "test" | "miss"> {
  return {
    test(p, env) {
      let unknown: MatchResult = true;
      for (const c of conds) {
        const r = c.test(p, env);
        if (r === false) return false;
        if (r !== true) unknown = r;
      }
      return unknown;
    },
    miss(p, env) {
      return conds
        .filter((c) => c.test(p, env) === false)
        .map((c) => c.miss(p, env))
        .join("; ");
    },
  };
}

const notModelled = (what: string): Cond => ({
  test: () => ({ unknown: `${what} is not modelled` }),
  miss: () => `${what} is not modelled`,
});

function ports(o: Opt, field: "sport" | "dport", proto: string): Cond | BuildError {
  const r = parsePortRange(o.args[0]);
  if (typeof r === "string") return err(o, r);
  return negate(
    {
      test: (p) => p[field] >= r.lo && p[field] <= r.hi,
      miss: (p) => `${proto} ${field} ${rangeText(r)} allowed, frame has ${field} ${p[field]}`,
    },
    o.negated,
  );
}

const TCP_FLAGS: Record<string, number> = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ALL: 0x3f,
  NONE: 0,
};

function flagSet(text: string): number | null {
  let v = 0;
  for (const f of text.split(",")) {
    const b = TCP_FLAGS[f.toUpperCase()];
    if (b === undefined) return null;
    v |= b;
  }
  return v;
}

function flagNames(v: number): string {
  const names = Object.entries(TCP_FLAGS)
    .filter(([n, b]) => n !== "ALL" && n !== "NONE" && v & b)
    .map(([n]) => n);
  return names.length ? names.join(",") : "none";
}

function tcpFlags(o: Opt, mask: number, comp: number): Cond {
  return negate(
    {
      test: (p) => (p.tcpFlags & mask) === comp,
      miss: (p) =>
        `tcp flags ${flagNames(comp)} of ${flagNames(mask)} wanted, frame has ${flagNames(p.tcpFlags)}`,
    },
    o.negated,
  );
}

/** The tcp/udp matches also require that protocol, and no fragment (as xt_tcpudp). */
function l4(proto: number, name: string): Cond {
  return {
    test: (p) => p.proto === proto && !p.fragment,
    miss: (p) => `${name} wanted, frame is ${p.fragment ? "a fragment" : protocolName(p.proto)}`,
  };
}

function l4Ports(name: "tcp" | "udp", extra: (o: Opt) => Cond | BuildError | null): MatchSpec {
  const protoNum = PROTO[name];
  return {
    options: {
      "--sport": 1,
      "--source-port": 1,
      "--dport": 1,
      "--destination-port": 1,
      ...(name === "tcp" ? { "--tcp-flags": 2, "--syn": 0, "--tcp-option": 1 } : {}),
    },
    build(opts) {
      const out: Cond[] = [l4(protoNum, name)];
      for (const o of opts) {
        const c =
          o.name === "--sport" || o.name === "--source-port"
            ? ports(o, "sport", name)
            : o.name === "--dport" || o.name === "--destination-port"
              ? ports(o, "dport", name)
              : extra(o);
        if (c === null) return err(o, `unknown ${name} option ${o.name}`);
        if ("message" in c) return c;
        out.push(c);
      }
      return out;
    },
  };
}

function portList(o: Opt, field: "sport" | "dport" | "both"): Cond | BuildError {
  const ranges: PortRange[] = [];
  for (const part of o.args[0].split(",")) {
    const r = parsePortRange(part);
    if (typeof r === "string") return err(o, r);
    ranges.push(r);
  }
  const inList = (n: number) => ranges.some((r) => n >= r.lo && n <= r.hi);
  const list = ranges.map(rangeText).join(",");
  return negate(
    {
      test: (p) =>
        field === "both"
          ? inList(p.sport) || inList(p.dport)
          : (p.proto === PROTO.tcp || p.proto === PROTO.udp || p.proto === PROTO.sctp) && inList(p[field]),
      miss: (p) =>
        field === "both"
          ? `ports ${list} allowed, frame has ${p.sport} → ${p.dport}`
          : `${field} ${list} allowed, frame has ${field} ${p[field]}`,
    },
    o.negated,
  );
}

function icmpType(o: Opt, v6: boolean): Cond | BuildError {
  const t = parseIcmpType(o.args[0], v6);
  if (typeof t === "string") return err(o, t);
  const [type, code] = t;
  const proto = v6 ? PROTO.icmpv6 : PROTO.icmp;
  const name = v6 ? "icmpv6" : "icmp";
  return negate(
    {
      test: (p) =>
        p.proto === proto && (type < 0 || (p.icmpType === type && (code === null || p.icmpCode === code))),
      miss: (p) =>
        p.proto !== proto
          ? `${name} wanted, frame is ${protocolName(p.proto)}`
          : `${name} type ${o.args[0]} allowed, frame has type ${p.icmpType}/${p.icmpCode}`,
    },
    o.negated,
  );
}

const CT_STATES: ReadonlySet<string> = new Set(["NEW", "ESTABLISHED", "RELATED", "INVALID", "UNTRACKED"]);

function ctStates(o: Opt): Cond | BuildError {
  const states = o.args[0].split(",");
  const bad = states.find((s) => !CT_STATES.has(s) && s !== "SNAT" && s !== "DNAT");
  if (bad) return err(o, `not a conntrack state: ${bad}`);
  const set = new Set(states);
  return negate(
    {
      test: (_p, env) => set.has(env.ct),
      miss: (_p, env) => `state ${states.join(",")} wanted, the frame is ${env.ct}`,
    },
    o.negated,
  );
}

function setMatch(o: Opt): Cond | BuildError {
  const [name, dirText] = o.args;
  const dirs = dirText.split(",");
  if (!dirs.every((d) => d === "src" || d === "dst"))
    return err(o, `set directions are src or dst: ${dirText}`);
  const ds = dirs as Array<"src" | "dst">;
  return negate(
    {
      test: (p, env) =>
        env.sets.has(name, p, ds) ??
        ({
          unknown: `depends on ipset ${name} membership: not in the dumps; give \`ipset list\``,
          set: name,
        } as const),
      miss: () =>
        `${ds.length === 1 ? (ds[0] === "src" ? "source" : "destination") : ds.join(",")} not in ipset ${name}`,
    },
    o.negated,
  );
}

/** Builds one condition per option (undefined: an option that does not filter), or the first error. */
function eachOption(opts: Opt[], f: (o: Opt) => Cond | BuildError | undefined): Cond[] | BuildError {
  const out: Cond[] = [];
  for (const o of opts) {
    const c = f(o);
    if (c === undefined) continue;
    if ("message" in c) return c;
    out.push(c);
  }
  return out;
}

export const MATCHES: Record<string, MatchSpec> = {
  tcp: l4Ports("tcp", (o) => {
    if (o.name === "--syn") return tcpFlags(o, 0x17, 0x02);
    if (o.name === "--tcp-flags") {
      const [m, c] = [flagSet(o.args[0]), flagSet(o.args[1])];
      if (m === null || c === null) return err(o, `not TCP flags: ${o.args.join(" ")}`);
      return tcpFlags(o, m, c);
    }
    if (o.name === "--tcp-option") return notModelled("--tcp-option");
    return null;
  }),
  udp: l4Ports("udp", () => null),
  multiport: {
    options: { "--dports": 1, "--destination-ports": 1, "--sports": 1, "--source-ports": 1, "--ports": 1 },
    build: (opts) =>
      eachOption(opts, (o) =>
        portList(
          o,
          /^--(dports|destination-ports)$/.test(o.name)
            ? "dport"
            : /^--(sports|source-ports)$/.test(o.name)
              ? "sport"
              : "both",
        ),
      ),
  },
  icmp: {
    options: { "--icmp-type": 1 },
    build: (opts) => eachOption(opts, (o) => icmpType(o, false)),
  },
  icmp6: {
    options: { "--icmpv6-type": 1 },
    build: (opts) => eachOption(opts, (o) => icmpType(o, true)),
  },
  state: {
    options: { "--state": 1 },
    build: (opts) => eachOption(opts, ctStates),
  },
  conntrack: {
    options: {
      "--ctstate": 1,
      "--ctproto": 1,
      "--ctorigsrc": 1,
      "--ctorigdst": 1,
      "--ctreplsrc": 1,
      "--ctrepldst": 1,
      "--ctorigsrcport": 1,
      "--ctorigdstport": 1,
      "--ctreplsrcport": 1,
      "--ctrepldstport": 1,
      "--ctstatus": 1,
      "--ctexpire": 1,
      "--ctdir": 1,
    },
    build: (opts) =>
      eachOption(opts, (o) => (o.name === "--ctstate" ? ctStates(o) : notModelled(`conntrack ${o.name}`))),
  },
  physdev: {
    options: {
      "--physdev-in": 1,
      "--physdev-out": 1,
      "--physdev-is-in": 0,
      "--physdev-is-out": 0,
      "--physdev-is-bridged": 0,
    },
    // As xt_physdev: the out port is known only once the bridge has decided (FORWARD, POSTROUTING).
    build: (opts) =>
      opts.map((o): Cond => {
        const out = (env: MatchEnv) => (env.hook === "PREROUTING" ? "" : env.devices.physOut);
        switch (o.name) {
          case "--physdev-in":
            return negate(
              {
                test: (_p, env) => ifaceMatches(o.args[0], env.devices.physIn),
                miss: (_p, env) =>
                  `bridge port in ${o.args[0]} wanted, frame came in on ${env.devices.physIn}`,
              },
              o.negated,
            );
          case "--physdev-out":
            return negate(
              {
                test: (_p, env) => ifaceMatches(o.args[0], out(env)),
                miss: (_p, env) =>
                  `bridge port out ${o.args[0]} wanted, frame leaves by ${out(env) || "(not decided yet)"}`,
              },
              o.negated,
            );
          case "--physdev-is-out":
          case "--physdev-is-bridged":
            return negate(
              {
                test: (_p, env) => out(env) !== "",
                miss: () => "a bridged frame wanted (the bridge has not decided yet)",
              },
              o.negated,
            );
          default:
            return negate({ test: () => true, miss: () => "" }, o.negated);
        }
      }),
    physdev: (opts) => {
      const plain = opts.filter(
        (o) => (o.name === "--physdev-in" || o.name === "--physdev-out") && !o.negated,
      );
      const o = plain[0];
      if (!o || o.args[0].endsWith("+")) return undefined;
      return { dir: o.name === "--physdev-in" ? "in" : "out", dev: o.args[0] };
    },
  },
  set: {
    options: {
      "--match-set": 2,
      "--return-nomatch": 0,
      "--update-counters": 0,
      "--update-subcounters": 0,
      "--packets-eq": 1,
      "--packets-lt": 1,
      "--packets-gt": 1,
      "--bytes-eq": 1,
      "--bytes-lt": 1,
      "--bytes-gt": 1,
    },
    build: (opts) =>
      eachOption(opts, (o) =>
        o.name === "--update-counters" || o.name === "--update-subcounters"
          ? undefined
          : o.name === "--match-set"
            ? setMatch(o)
            : notModelled(`set ${o.name}`),
      ),
  },
  mac: {
    options: { "--mac-source": 1 },
    build: (opts) =>
      eachOption(opts, (o) => {
        const mac = parseMac(o.args[0]);
        if (mac === null) return err(o, `not a MAC address: ${o.args[0]}`);
        return negate(
          {
            test: (p) => p.srcMac === mac,
            miss: (p) => `source MAC ${o.args[0].toLowerCase()} wanted, frame has ${macOf(p.srcMac)}`,
          },
          o.negated,
        );
      }),
  },
  comment: { options: { "--comment": 1 }, build: () => [] },
  addrtype: {
    options: { "--src-type": 1, "--dst-type": 1, "--limit-iface-in": 0, "--limit-iface-out": 0 },
    build: (opts) =>
      opts.map((o) => {
        const types = o.args[0]?.split(",") ?? [];
        const field = o.name === "--src-type" ? "src" : "dst";
        // Only multicast is told by the address alone; LOCAL, UNICAST, BROADCAST depend on the host's
        // addresses and routes, which the firewall dumps do not hold.
        if (types.length !== 1 || types[0] !== "MULTICAST") return notModelled(`addrtype ${o.args[0]}`);
        return negate(
          {
            test: (p: FwPacket) =>
              p.family === "ipv4" ? p[field] >> 28n === 0xen : p[field] >> 120n === 0xffn,
            miss: (p: FwPacket) => `${field} multicast wanted, frame has ${addrText(p[field], p.family!)}`,
          },
          o.negated,
        );
      }),
  },
  length: {
    options: { "--length": 1 },
    build: (opts) =>
      eachOption(opts, (o) => {
        const r = parsePortRange(o.args[0]);
        if (typeof r === "string") return err(o, `not a length or length range: ${o.args[0]}`);
        return negate(
          {
            test: (p) => p.length >= r.lo && p.length <= r.hi,
            miss: (p) => `length ${rangeText(r)} wanted, frame has ${p.length}`,
          },
          o.negated,
        );
      }),
  },
  limit: {
    options: { "--limit": 1, "--limit-burst": 1 },
    build: () => [notModelled("-m limit (rate limits)")],
  },
};

/** A match for an extension the table does not know: the rule is read, its result is undecidable. */
export function unknownModule(name: string): MatchSpec {
  return { options: {}, build: () => [notModelled(`match extension ${name}`)] };
}

/** The built-in matches: -s, -d, -i, -o, -p, -f. */
export function builtin(o: Opt, ctx: BuildCtx): Cond | BuildError {
  const v = o.args[0];
  switch (o.name) {
    case "-s":
    case "-d": {
      const c: Cidr | string = parseCidr(v, ctx.family);
      if (typeof c === "string") return err(o, c);
      const f = o.name === "-s" ? "src" : "dst";
      const word = f === "src" ? "source" : "destination";
      return negate(
        {
          test: (p) => (p[f] & c.mask) === c.addr,
          miss: (p) => `${word} ${v} wanted, frame has ${word} ${addrText(p[f], ctx.family)}`,
        },
        o.negated,
      );
    }
    case "-i":
    case "-o": {
      const dev = (env: MatchEnv) => (o.name === "-i" || env.hook !== "PREROUTING" ? env.devices.bridge : "");
      const what = o.name === "-i" ? "in" : "out";
      return negate(
        {
          test: (_p, env) => ifaceMatches(v, dev(env)),
          miss: (_p, env) =>
            `${what} device ${v} wanted, a bridged frame has ${dev(env) || "none"} (the bridge, not its port)`,
        },
        o.negated,
      );
    }
    case "-p": {
      const n = parseProtocol(v);
      if (typeof n === "string") return err(o, n);
      return negate(
        {
          test: (p) => n === 0 || p.proto === n,
          miss: (p) => `protocol ${v} wanted, frame is ${protocolName(p.proto)}`,
        },
        o.negated,
      );
    }
    case "-f":
      return negate({ test: (p) => p.fragment, miss: () => "a fragment wanted" }, o.negated);
    default:
      return err(o, `unknown option ${o.name}`);
  }
}

export const BUILTIN_ARITY: Record<string, number> = { "-s": 1, "-d": 1, "-i": 1, "-o": 1, "-p": 1, "-f": 0 };

/** Makes the Match object for one `-m NAME opts…` (or one built-in option). */
export function makeMatch(module: string, opts: Opt[], conds: Cond[], physdev?: Match["physdev"]): Match {
  const words = module === "" ? [] : ["-m", module];
  for (const o of opts) {
    if (o.negated) words.push("!");
    words.push(o.name, ...o.args.map(quoteWord));
  }
  const m: Match = { module, text: words.join(" "), ...all(conds) };
  if (physdev) m.physdev = physdev;
  return m;
}

export type { Cond, CtState };
