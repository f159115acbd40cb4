/**
 * `iptables [-t TABLE] -nvL` / `-vnxL` (what sosreport's firewall_tables plugin saves): a lossy print of
 * the rules. Each rule line is mapped back to the iptables-save form (`tcp dpt:22` → `-m tcp --dport
 * 22`, `PHYSDEV match …` → `-m physdev …`, `CT zone 4097` → `-j CT --zone 4097`) and read through the same
 * match and target tables. What a listing cannot tell is listed in the ruleset's `lost`; a listing
 * phrase this table does not know is a warning and makes the rule undecidable, never silently dropped.
 */
import type { Family } from "../../firewall/packet.js";
import { parseRule } from "../../firewall/parse-rule.js";
import type { Chain, Ruleset, Table } from "../../firewall/rule.js";
import { quoteWord } from "../../firewall/tokens.js";
import { protocolName } from "../../firewall/values.js";
import { DiagnosticSink, dumpLines, type Parsed } from "../parsed.js";

export const LISTING_LOSES = [
  "the order of options within a rule (re-printed in iptables-save's order)",
  "long comments may be cut, and `-m` names of some matches are not printed",
  "with -n but without -x, counters are rounded (K, M, G)",
];

const TCP_FLAG_NAMES: Array<[number, string]> = [
  [0x01, "FIN"],
  [0x02, "SYN"],
  [0x04, "RST"],
  [0x08, "PSH"],
  [0x10, "ACK"],
  [0x20, "URG"],
];

function flagNames(hex: string): string {
  const v = Number(hex);
  if (v === 0) return "NONE";
  if (v === 0x3f) return "ALL";
  return TCP_FLAG_NAMES.filter(([b]) => v & b)
    .map(([, n]) => n)
    .join(",");
}

/** Listing phrase → iptables-save options. Each returns the options and the length it consumed. */
type Phrase = [RegExp, (m: RegExpExecArray) => string];

const neg = (s: string | undefined) => (s ? "! " : "");

const PORTS = /^(tcp|udp) ((?:(?:spts?|dpts?):!?\S+|flags:!?0x[0-9A-F]+\/0x[0-9A-F]+|option=!?\d+) ?)+/i;

function l4Options(m: RegExpExecArray): string {
  const out = [`-m ${m[1]}`];
  for (const part of m[0]
    .slice(m[1].length + 1)
    .trim()
    .split(/\s+/)) {
    const [k, raw] = part.includes("=")
      ? part.split("=")
      : [part.slice(0, part.indexOf(":")), part.slice(part.indexOf(":") + 1)];
    const n = raw.startsWith("!") ? "! " : "";
    const v = raw.replace(/^!/, "");
    if (k === "spt" || k === "spts") out.push(`${n}--sport ${v}`);
    else if (k === "dpt" || k === "dpts") out.push(`${n}--dport ${v}`);
    else if (k === "flags") {
      const [mask, comp] = v.split("/");
      out.push(`${n}--tcp-flags ${flagNames(mask)} ${flagNames(comp)}`);
    } else out.push(`${n}--tcp-option ${v}`);
  }
  return out.join(" ");
}

const PHRASES: Phrase[] = [
  [/^\/\* (.*?) \*\//, (m) => `-m comment --comment ${quoteWord(m[1])}`],
  [
    /^PHYSDEV match ((?:!? ?--physdev-[a-z-]+(?: (?!\/\*)[^\s-]\S*)? ?)+)/,
    (m) => `-m physdev ${m[1].trim()}`,
  ],
  [PORTS, l4Options],
  [/^multiport (dports|sports|ports) (!)?(\S+)/, (m) => `-m multiport ${neg(m[2])}--${m[1]} ${m[3]}`],
  [
    /^(state|ctstate) (!)?(\S+)/,
    (m) =>
      m[1] === "state"
        ? `-m state ${neg(m[2])}--state ${m[3]}`
        : `-m conntrack ${neg(m[2])}--ctstate ${m[3]}`,
  ],
  [/^(!)?\s?match-set (\S+) (\S+)/, (m) => `-m set ${neg(m[1])}--match-set ${m[2]} ${m[3]}`],
  [/^MAC (!)?\s?(\S+)/, (m) => `-m mac ${neg(m[1])}--mac-source ${m[2]}`],
  [
    /^(!)?icmptype (\d+|any)(?: code (\d+))?/,
    (m) => `-m icmp ${neg(m[1])}--icmp-type ${m[2]}${m[3] ? `/${m[3]}` : ""}`,
  ],
  [
    /^(!)?ipv6-icmptype (\d+)(?: code (\d+))?/,
    (m) => `-m icmp6 ${neg(m[1])}--icmpv6-type ${m[2]}${m[3] ? `/${m[3]}` : ""}`,
  ],
  [/^length (!)?\s?(\S+)/, (m) => `-m length ${neg(m[1])}--length ${m[2]}`],
  [
    /^ADDRTYPE match ((?:!? ?(?:src|dst)-type \S+ ?)+)/,
    (m) => `-m addrtype ${m[1].trim().replace(/(src|dst)-type/g, "--$1-type")}`,
  ],
  [/^limit: avg (\S+) burst (\d+)/, (m) => `-m limit --limit ${m[1]} --limit-burst ${m[2]}`],
];

/** Target phrases: printed after the matches. */
const TARGET_PHRASES: Phrase[] = [
  [/^CT zone (\d+)/, (m) => `--zone ${m[1]}`],
  [/^CT notrack/, () => "--notrack"],
  [/^reject-with (\S+)/, (m) => `--reject-with ${m[1]}`],
  [/^MARK xset (\S+)/, (m) => `--set-xmark ${m[1]}`],
  [/^MARK set (\S+)/, (m) => `--set-xmark ${m[1]}/0xffffffff`],
  [/^LOG flags \d+ level \d+(?: prefix "[^"]*")?/, () => ""],
];

function addrOption(flag: string, text: string, family: Family): string {
  const n = text.startsWith("!") ? "! " : "";
  const v = text.replace(/^!/, "");
  const any = family === "ipv4" ? "0.0.0.0/0" : "::/0";
  if (v === any) return "";
  return `${n}${flag} ${v.includes("/") ? v : `${v}/${family === "ipv4" ? 32 : 128}`}`;
}

function ifOption(flag: string, text: string): string {
  if (text === "*") return "";
  return text.startsWith("!") ? `! ${flag} ${text.slice(1)}` : `${flag} ${text}`;
}

const OPT = /^(--|-f|!f)$/;

/** The columns of a rule line: the target column is empty for a rule without -j. */
function columns(text: string): string[] | null {
  const words = [...text.matchAll(/\S+/g)];
  const hasTarget = words.length >= 9 && OPT.test(words[4][0]);
  if (!hasTarget && !(words.length >= 8 && OPT.test(words[3][0]))) return null;
  const w = words.map((m) => m[0]);
  const fixed = hasTarget ? w.slice(0, 9) : [w[0], w[1], "", ...w.slice(2, 8)];
  const last = words[hasTarget ? 8 : 7];
  return [...fixed, text.slice(last.index + last[0].length)];
}

export function parseIptablesListing(
  text: string,
  file: string,
  family: Family,
  table: string,
): Parsed<Ruleset> {
  const sink = new DiagnosticSink(file);
  const t: Table = { name: table, chains: new Map() };
  const rs: Ruleset = {
    family,
    file,
    source: "listing",
    tables: new Map([[table, t]]),
    lost: [...LISTING_LOSES],
  };
  const lines = dumpLines(text);
  // Chains first: a rule may jump to a chain listed further down.
  for (const l of lines) {
    const c = /^Chain (\S+) \((?:policy (ACCEPT|DROP) (\d+) packets, (\d+) bytes|\d+ references)\)$/.exec(
      l.text,
    );
    if (!c) continue;
    const chain: Chain = {
      name: c[1],
      policy: (c[2] as "ACCEPT" | "DROP" | undefined) ?? null,
      rules: [],
      line: l.line,
    };
    if (c[3] !== undefined) chain.counters = { packets: Number(c[3]), bytes: Number(c[4]) };
    t.chains.set(chain.name, chain);
  }
  const names = new Set(t.chains.keys());
  let cur: Chain | null = null;
  for (const l of lines) {
    if (l.text.startsWith("Chain ")) {
      cur = t.chains.get(l.text.split(" ")[1]) ?? null;
      if (!cur) sink.unparsed(l, "a listing's Chain line");
      continue;
    }
    if (/^\s*pkts\s+bytes\s+target/.test(l.text)) continue;
    const m = columns(l.text);
    if (!cur || !m || !/^\d+[KMGT]?$/.test(m[0])) {
      sink.unparsed(l, `${family === "ipv4" ? "iptables" : "ip6tables"} -nvL output`);
      continue;
    }
    const [pk, by, target, prot, opt, inIf, outIf, src, dst, extra] = m;
    const words = ["-A", cur.name];
    words.push(
      addrOption("-s", src, family),
      addrOption("-d", dst, family),
      ifOption("-i", inIf),
      ifOption("-o", outIf),
    );
    // Newer iptables print the protocol by number; iptables-save prints it by name.
    const p = prot.replace(/^!/, "");
    const pname = /^\d+$/.test(p) ? protocolName(Number(p)) : p;
    if (pname !== "all")
      words.push(
        `${prot.startsWith("!") ? "! " : ""}-p ${family === "ipv6" && pname === "icmpv6" ? "ipv6-icmp" : pname}`,
      );
    if (opt === "-f" || opt === "!f") words.push(opt === "-f" ? "-f" : "! -f");
    let rest = extra.trim();
    let unknown = "";
    const targetOpts: string[] = [];
    while (rest) {
      const p = PHRASES.find(([re]) => re.test(rest));
      const tp = TARGET_PHRASES.find(([re]) => re.test(rest));
      const hit = p ?? tp;
      if (!hit) {
        unknown = rest;
        break;
      }
      const mm = hit[0].exec(rest)!;
      (p ? words : targetOpts).push(hit[1](mm));
      rest = rest.slice(mm[0].length).trim();
    }
    if (unknown) {
      const column = l.text.indexOf(unknown) + 1;
      sink.diagnostics.push({
        severity: "warning",
        file,
        line: l.line,
        column,
        field: "listing",
        message: `listing text not mapped back to a rule option (the rule is undecidable): ${unknown}`,
        text: l.text,
      });
      words.push(`-m listing-only --text ${quoteWord(unknown)}`);
    }
    if (target) words.push(`-j ${target}`, ...targetOpts);
    const saveText = words.filter((w) => w !== "").join(" ");
    const r = parseRule(saveText, family, names);
    if (!r.ok) {
      sink.error(l, 1, `${r.error.message} (in the rule as re-read: ${saveText})`, r.error.field);
      continue;
    }
    cur.rules.push({
      family,
      table,
      chain: cur.name,
      index: cur.rules.length,
      file,
      line: l.line,
      text: r.rule.text,
      matches: r.rule.matches,
      target: r.rule.target,
      ...(/^\d+$/.test(pk) && /^\d+$/.test(by)
        ? { counters: { packets: Number(pk), bytes: Number(by) } }
        : {}),
    });
  }
  return { value: rs, diagnostics: sink.diagnostics };
}

export const looksLikeIptablesListing = (head: string): boolean =>
  /^Chain \S+ \((policy|\d+ references)/.test(head) && /\bpkts\s+bytes\s+target/.test(head);
