/**
 * nft's listing of iptables-nft's tables (`table ip filter`, `table ip6 raw`…) mapped back to rules, for
 * what no iptables-save or -nvL listing gives (on an iptables-nft host sosreport lists only the filter
 * table, so the raw table's CT zones are known from nft alone). nft prints natively what iptables-nft
 * translated (`iifname "qvb…"`, `ip saddr`, `tcp dport 22`, `ct state`, `ether saddr`, `notrack`,
 * `ct zone set N`) and opaquely what it kept as an xtables extension (`xt match physdev`, `xt match set`,
 * `xt target CT`): their options (the bridge port, the ipset, the zone) are not in the listing. Such a
 * match makes its rule undecidable, saying what is missing; a CT target whose zone is lost sets no zone
 * (conntrack runs in one zone). One inference, from Neutron's layout (iptables_firewall.py writes each
 * port's zone rules as `--physdev-in qvbX`, `-i qvbX`, `--physdev-in tapX` with one target): an opaque
 * physdev rule right before or after an `iifname "qvbX"` rule with the same target is the physdev rule
 * of that port, and is read as such (said in `lost`).
 */
import type { Family } from "../../firewall/packet.js";
import { parseRule } from "../../firewall/parse-rule.js";
import type { Chain, Match, Rule, Ruleset, Table } from "../../firewall/rule.js";
import { quoteWord, splitWords } from "../../firewall/tokens.js";
import type { Diagnostic } from "../../util/diagnostic.js";

/** A rule of nft's listing, as the dump parser keeps it. */
export interface NftRuleText {
  text: string;
  line: number;
  /** 1-based column of the rule's first character. */
  column: number;
}

export interface NftChainText {
  name: string;
  hook: string | null;
  policy: string | null;
  rules: NftRuleText[];
  line: number;
}

/** The iptables-nft tables (family ip or ip6, the tables iptables knows). */
export const IPTABLES_TABLES: ReadonlySet<string> = new Set(["filter", "raw", "mangle", "nat", "security"]);

export const NFT_TABLE_LOSES =
  "nft's listing: xtables extensions iptables-nft keeps opaque (`xt match physdev`, `xt match set`, `xt target CT`) are printed without their options: a rule on them is undecidable, a CT zone is unknown (conntrack in one zone)";

const ICMP_TYPES: Record<string, number> = {
  "echo-reply": 0,
  "destination-unreachable": 3,
  "source-quench": 4,
  redirect: 5,
  "echo-request": 8,
  "router-advertisement": 9,
  "router-solicitation": 10,
  "time-exceeded": 11,
  "parameter-problem": 12,
  "timestamp-request": 13,
  "timestamp-reply": 14,
};

const ICMPV6_TYPES: Record<string, number> = {
  "destination-unreachable": 1,
  "packet-too-big": 2,
  "time-exceeded": 3,
  "parameter-problem": 4,
  "echo-request": 128,
  "echo-reply": 129,
  "mld-listener-query": 130,
  "mld-listener-report": 131,
  "mld-listener-done": 132,
  "nd-router-solicit": 133,
  "nd-router-advert": 134,
  "nd-neighbor-solicit": 135,
  "nd-neighbor-advert": 136,
  "nd-redirect": 137,
  "mld2-listener-report": 143,
};

/** One rule read: iptables-save words, the opaque extensions, the target as nft printed it. */
interface Read {
  src: NftRuleText;
  /** The built-in matches by option, printed first in iptables-save's order (-s -d -i -o -p). */
  builtins: Partial<Record<Builtin, string[]>>;
  /** The `-m` matches. */
  words: string[];
  /** `xt match NAME` (options lost). */
  opaque: string[];
  /** The target words, as iptables-save would print them. */
  target: string[];
  /** The target as nft printed it (Neutron's zone rules are told apart by it). */
  nftTarget: string;
  /** A CT target whose zone nft did not print. */
  zoneLost: boolean;
  iif?: string;
  counters?: { packets: number; bytes: number };
}

type Tok = { text: string; column: number };

type Builtin = "-s" | "-d" | "-i" | "-o" | "-p";
const BUILTIN_ORDER: readonly Builtin[] = ["-s", "-d", "-i", "-o", "-p"];

/** nft's wildcard `"tap*"` is iptables' `tap+`. */
const iface = (s: string) => s.replace(/\*$/, "+");

function portValue(t: Tok): { single: string } | { list: string } {
  if (t.text.startsWith("{")) {
    const items = t.text
      .replace(/^\{|\}$/g, "")
      .split(",")
      .map((x) => x.trim().replace("-", ":"))
      .filter((x) => x);
    return { list: items.join(",") };
  }
  return { single: t.text.replace("-", ":") };
}

/** Reads one rule's words; unknown expressions are reported and make the rule undecidable. */
function readRule(src: NftRuleText, family: Family, file: string, diags: Diagnostic[]): Read {
  const split = splitWords(src.text);
  const toks: Tok[] = [];
  if (split.ok) {
    // A set `{ 80, 443 }` is one value.
    for (let i = 0; i < split.words.length; i++) {
      const w = split.words[i];
      if (w.text !== "{") {
        toks.push(w);
        continue;
      }
      let j = i + 1;
      const parts: string[] = [];
      while (j < split.words.length && split.words[j].text !== "}") parts.push(split.words[j++].text);
      toks.push({ text: `{${parts.join(" ")}}`, column: w.column });
      i = j;
    }
  }
  const r: Read = { src, builtins: {}, words: [], opaque: [], target: [], nftTarget: "", zoneLost: false };
  if (!split.ok) {
    diags.push({
      severity: "warning",
      file,
      line: src.line,
      column: src.column + split.column - 1,
      field: "nft rule",
      message: `${split.message} (the rule is undecidable)`,
      text: src.text,
    });
    r.opaque.push(`expression ${JSON.stringify(src.text)}`);
    return r;
  }
  let proto: string | null = null;
  const l4: Record<string, string[]> = {};
  const unknown: Tok[] = [];
  const setProto = (p: string) => {
    if (proto === null) {
      proto = p;
      r.builtins["-p"] = ["-p", p];
    }
  };
  const neg = (i: number) => toks[i]?.text === "!=";
  let i = 0;
  while (i < toks.length) {
    const a = toks[i].text;
    const b = toks[i + 1]?.text;
    const n = neg(i + 2) ? 1 : 0;
    const bang = n ? ["!"] : [];
    const value = toks[i + 2 + n];
    if (a === "counter" && b === "packets" && toks[i + 3]?.text === "bytes") {
      r.counters = { packets: Number(toks[i + 2].text), bytes: Number(toks[i + 4]?.text) };
      i += 5;
    } else if ((a === "iifname" || a === "oifname") && b !== undefined) {
      const m = b === "!=" ? 1 : 0;
      const v = toks[i + 1 + m]?.text ?? "";
      if (a === "iifname" && !m) r.iif = v;
      const flag = a === "iifname" ? "-i" : "-o";
      r.builtins[flag] = [...(m ? ["!"] : []), flag, iface(v)];
      i += 2 + m;
    } else if ((a === "ip" || a === "ip6") && (b === "saddr" || b === "daddr") && value) {
      const v = value.text.includes("/") ? value.text : `${value.text}/${family === "ipv4" ? 32 : 128}`;
      const flag = b === "saddr" ? "-s" : "-d";
      r.builtins[flag] = [...bang, flag, v];
      i += 3 + n;
    } else if (
      ((a === "meta" && b === "l4proto") ||
        (a === "ip" && b === "protocol") ||
        (a === "ip6" && b === "nexthdr")) &&
      value &&
      !n
    ) {
      setProto(value.text === "icmpv6" ? "ipv6-icmp" : value.text);
      i += 3;
    } else if ((a === "tcp" || a === "udp") && (b === "sport" || b === "dport") && value) {
      setProto(a);
      const v = portValue(value);
      if ("list" in v) r.words.push("-m", "multiport", ...bang, `--${b}s`, v.list);
      else l4[a] = [...(l4[a] ?? []), ...bang, `--${b}`, v.single];
      i += 3 + n;
    } else if ((a === "icmp" || a === "icmpv6") && b === "type" && value) {
      const types = a === "icmp" ? ICMP_TYPES : ICMPV6_TYPES;
      const t = /^\d+$/.test(value.text) ? Number(value.text) : types[value.text];
      if (t === undefined) {
        unknown.push(toks[i], toks[i + 1], value);
      } else {
        setProto(a === "icmp" ? "icmp" : "ipv6-icmp");
        r.words.push(
          "-m",
          a === "icmp" ? "icmp" : "icmp6",
          ...bang,
          a === "icmp" ? "--icmp-type" : "--icmpv6-type",
        );
        r.words.push(String(t));
      }
      i += 3 + n;
    } else if (a === "ct" && b === "state" && value) {
      r.words.push("-m", "state", ...bang, "--state", value.text.toUpperCase());
      i += 3 + n;
    } else if (a === "ether" && b === "saddr" && value) {
      r.words.push("-m", "mac", ...bang, "--mac-source", value.text);
      i += 3 + n;
    } else if (a === "comment" && b !== undefined) {
      r.words.push("-m", "comment", "--comment", quoteWord(b));
      i += 2;
    } else if (a === "xt" && b === "match" && toks[i + 2]) {
      r.opaque.push(toks[i + 2].text.replace(/"/g, ""));
      i += 3;
    } else {
      const t = readTarget(toks, i, r);
      if (t > i) i = t;
      else unknown.push(toks[i++]);
    }
  }
  for (const [m, opts] of Object.entries(l4)) r.words.push("-m", m, ...opts);
  if (unknown.length > 0) {
    const text = unknown.map((t) => t.text).join(" ");
    diags.push({
      severity: "warning",
      file,
      line: src.line,
      column: src.column + unknown[0].column - 1,
      field: "nft rule",
      message: `nft expression not mapped back to an iptables option (the rule is undecidable): ${text}`,
      text: src.text,
    });
    r.opaque.push(`expression ${JSON.stringify(text)}`);
  }
  return r;
}

/** A target at toks[i]: returns the index after it, or i when there is none. */
function readTarget(toks: Tok[], i: number, r: Read): number {
  const a = toks[i].text;
  const b = toks[i + 1]?.text;
  const set = (nft: string, words: string[], next: number) => {
    r.nftTarget = nft;
    r.target = words;
    return next;
  };
  const rest = () =>
    toks
      .slice(i)
      .map((t) => t.text)
      .join(" ");
  switch (a) {
    case "accept":
      return set(a, ["-j", "ACCEPT"], i + 1);
    case "drop":
      return set(a, ["-j", "DROP"], i + 1);
    case "return":
      return set(a, ["-j", "RETURN"], i + 1);
    case "notrack":
      return set(a, ["-j", "CT", "--notrack"], i + 1);
    case "jump":
    case "goto":
      return b ? set(`${a} ${b}`, [a === "jump" ? "-j" : "-g", b], i + 2) : i;
    case "reject":
      return set(rest(), ["-j", "REJECT"], toks.length);
    case "log":
      return set(rest(), ["-j", "LOG"], toks.length);
    case "ct":
      if (b === "zone" && toks[i + 2]?.text === "set" && toks[i + 3])
        return set(rest(), ["-j", "CT", "--zone", toks[i + 3].text], i + 4);
      return i;
    case "meta":
      if (b === "mark" && toks[i + 2]?.text === "set" && toks[i + 3])
        return set(rest(), ["-j", "MARK", "--set-xmark", `${toks[i + 3].text}/0xffffffff`], i + 4);
      return i;
    case "xt":
      if (b === "target" && toks[i + 2]) {
        const name = toks[i + 2].text.replace(/"/g, "");
        if (name === "CT") r.zoneLost = true;
        return set(`xt target ${name}`, ["-j", name], i + 3);
      }
      return i;
    default:
      return i;
  }
}

/** A match whose options nft did not print: undecidable, saying what is missing. */
function opaqueMatch(what: string): Match {
  const expression = /^expression (.*)$/.exec(what)?.[1];
  if (expression !== undefined) {
    const lost = `the nft expression ${expression} is not mapped back to iptables`;
    return {
      module: "nft",
      text: `(nft expression ${expression} not mapped back)`,
      test: () => ({ unknown: lost }),
      miss: () => lost,
    };
  }
  const option =
    what === "physdev" ? "the bridge port" : what === "set" ? "the ipset's name" : "what it matches";
  const lost = `nft's listing prints \`xt match ${what}\` without its options (${option}): not in the dumps; give iptables-save`;
  return {
    module: what,
    text: `-m ${what} (options not in nft's listing)`,
    test: () => ({ unknown: lost }),
    miss: () => lost,
  };
}

/**
 * Neutron's zone rules: an opaque physdev rule before `iifname "qvbX"` (same target) is
 * `--physdev-in qvbX`, one after it `--physdev-in tapX`. Returns how many were read so.
 */
function inferNeutronPhysdev(reads: Read[]): number {
  let n = 0;
  reads.forEach((r, i) => {
    if (
      r.opaque.length !== 1 ||
      r.opaque[0] !== "physdev" ||
      r.words.length > 0 ||
      Object.keys(r.builtins).length > 0
    )
      return;
    const next = reads[i + 1];
    const prev = reads[i - 1];
    const beside = (o: Read | undefined) =>
      o?.iif?.startsWith("qvb") && o.nftTarget === r.nftTarget && o.opaque.length === 0 ? o.iif : undefined;
    const qvbAfter = beside(next);
    const qvbBefore = beside(prev);
    const dev = qvbAfter ?? (qvbBefore ? `tap${qvbBefore.slice(3)}` : undefined);
    if (!dev) return;
    r.opaque = [];
    r.words.push("-m", "physdev", "--physdev-in", dev);
    n++;
  });
  return n;
}

/**
 * One iptables-nft table of nft's listing as a Table of rules (rule texts re-printed as iptables-save
 * would print them, opaque extensions marked). `inferred` counts the physdev rules read by Neutron's layout.
 */
export function nftTable(
  name: string,
  chains: readonly NftChainText[],
  family: Family,
  file: string,
  diags: Diagnostic[],
): { table: Table; inferred: number } {
  const table: Table = { name, chains: new Map() };
  const names = new Set(chains.map((c) => c.name));
  let inferred = 0;
  for (const c of chains) {
    const policy = c.policy === "drop" ? "DROP" : c.hook ? "ACCEPT" : null;
    const chain: Chain = { name: c.name, policy, rules: [], line: c.line };
    table.chains.set(c.name, chain);
    const reads = c.rules.map((r) => readRule(r, family, file, diags));
    if (name === "raw") inferred += inferNeutronPhysdev(reads);
    for (const r of reads) {
      const builtins = BUILTIN_ORDER.flatMap((k) => r.builtins[k] ?? []);
      const saveText = ["-A", c.name, ...builtins, ...r.words, ...r.target].join(" ");
      const parsed = parseRule(saveText, family, names);
      if (!parsed.ok) {
        diags.push({
          severity: "error",
          file,
          line: r.src.line,
          column: r.src.column,
          field: parsed.error.field,
          message: `${parsed.error.message} (in the rule as read back: ${saveText})`,
          text: r.src.text,
        });
        continue;
      }
      const matches = [...parsed.rule.matches, ...r.opaque.map(opaqueMatch)];
      const target = parsed.rule.target;
      if (r.zoneLost && target.kind === "ct") target.text = "-j CT (zone not in nft's listing)";
      if (target.kind === "unknown") target.text = `-j ${target.name} (options not in nft's listing)`;
      const rule: Rule = {
        family,
        table: name,
        chain: c.name,
        index: chain.rules.length,
        file,
        line: r.src.line,
        text: ["-A", c.name, ...matches.map((m) => m.text), ...(target.text ? [target.text] : [])].join(" "),
        matches,
        target,
      };
      if (r.counters) rule.counters = r.counters;
      chain.rules.push(rule);
    }
  }
  return { table, inferred };
}

/** The iptables-nft rulesets of a listing: family ip → ipv4, ip6 → ipv6, iptables' tables only. */
export function nftRulesets(
  tables: ReadonlyArray<{ family: string; name: string; chains: readonly NftChainText[] }>,
  file: string,
  diags: Diagnostic[],
): Partial<Record<Family, Ruleset>> {
  const out: Partial<Record<Family, Ruleset>> = {};
  for (const t of tables) {
    const family: Family | null = t.family === "ip" ? "ipv4" : t.family === "ip6" ? "ipv6" : null;
    if (!family || !IPTABLES_TABLES.has(t.name)) continue;
    const rs: Ruleset = out[family] ?? {
      family,
      file,
      source: "nft",
      tables: new Map(),
      lost: [NFT_TABLE_LOSES],
    };
    out[family] = rs;
    const { table, inferred } = nftTable(t.name, t.chains, family, file, diags);
    rs.tables.set(t.name, table);
    if (inferred > 0)
      rs.lost.push(
        `nft's listing: the bridge port of ${inferred} ${t.name} rule(s) (\`xt match physdev\`) read from Neutron's layout (the \`iifname "qvb…"\` rule beside each)`,
      );
  }
  return out;
}
