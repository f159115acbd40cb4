/**
 * `nft [-a] list ruleset`: tables, chains with their hook and policy, rules with their handles. On
 * iptables-nft hosts it is often the only full dump sosreport has, but nft prints iptables-nft rules
 * without the physdev device, the ipset name and the CT zone (`xt match physdev`, `xt target CT`), so
 * the firewall is evaluated from iptables-save or the -nvL listings when there are any, and from the
 * iptables-nft tables read back here (`iptables`, see nft-rules.ts) for the tables they lack; `show`
 * says what this dump cannot tell.
 */
import type { Family } from "../../firewall/packet.js";
import type { Ruleset } from "../../firewall/rule.js";
import { DiagnosticSink, dumpLines, type Parsed } from "../parsed.js";
import { nftRulesets } from "./nft-rules.js";

export interface NftRule {
  text: string;
  handle: number | null;
  line: number;
  /** 1-based column of the rule's first character. */
  column: number;
}

export interface NftChain {
  name: string;
  hook: string | null;
  policy: string | null;
  rules: NftRule[];
  line: number;
}

export interface NftTable {
  family: string;
  name: string;
  chains: NftChain[];
  /** Named sets and maps (their elements are not read). */
  sets: string[];
  line: number;
}

export interface NftRuleset {
  tables: NftTable[];
  /** Rules nft could only print as opaque xtables extensions: what was lost. */
  opaque: number;
  /** iptables-nft's tables (families ip and ip6) read back as rules. */
  iptables: Partial<Record<Family, Ruleset>>;
}

export const NFT_LOSES =
  "nft shows iptables-nft's xtables extensions (physdev, set, CT) without their options: the bridge port, ipset and zone of those rules are not in it";

export function parseNftRuleset(text: string, file: string): Parsed<NftRuleset> {
  const sink = new DiagnosticSink(file);
  const out: NftRuleset = { tables: [], opaque: 0, iptables: {} };
  let table: NftTable | null = null;
  let chain: NftChain | null = null;
  let block: "set" | null = null;
  let depth = 0;
  for (const l of dumpLines(text)) {
    const t = l.text.trim();
    const handle = /\s# handle (\d+)$/.exec(t);
    const body = handle ? t.slice(0, handle.index) : t;
    const opens = (body.match(/\{/g) ?? []).length;
    const closes = (body.match(/\}/g) ?? []).length;
    const tableLine = depth === 0 ? /^table (\S+) (\S+) \{$/.exec(body) : null;
    const chainLine = depth === 1 ? /^chain (\S+) \{$/.exec(body) : null;
    const setLine = depth === 1 ? /^(set|map|flowtable|counter|quota|ct \w+) (\S+) \{$/.exec(body) : null;
    const hookLine =
      depth === 2
        ? /^type \S+ hook (\S+) (?:device \S+ )?priority [^;]+;(?: policy (\w+);)?$/.exec(body)
        : null;
    if (tableLine) {
      table = { family: tableLine[1], name: tableLine[2], chains: [], sets: [], line: l.line };
      out.tables.push(table);
    } else if (table && chainLine) {
      chain = { name: chainLine[1], hook: null, policy: null, rules: [], line: l.line };
      table.chains.push(chain);
    } else if (table && setLine) {
      table.sets.push(setLine[2]);
      block = "set";
    } else if (depth >= 2 && block === "set") {
      // A set's type, flags and elements: not used.
    } else if (chain && hookLine) {
      chain.hook = hookLine[1];
      chain.policy = hookLine[2] ?? null;
    } else if (depth === 2 && chain && body !== "}" && opens === closes) {
      const column = l.text.length - l.text.trimStart().length + 1;
      chain.rules.push({ text: body, handle: handle ? Number(handle[1]) : null, line: l.line, column });
      if (/\bxt (match|target) /.test(body)) out.opaque++;
    } else if (body !== "}") {
      sink.unparsed(l, "nft list ruleset output");
    }
    depth += opens - closes;
    if (depth < 0) {
      sink.error(l, 1, "a `}` closes nothing", "}");
      depth = 0;
    }
    if (depth <= 1) {
      chain = depth === 1 ? null : chain;
      block = null;
    }
    if (depth === 0) table = null;
  }
  if (depth > 0)
    sink.diagnostics.push({
      severity: "warning",
      file,
      line: 0,
      column: 0,
      message: "the ruleset ends inside a block",
    });
  out.iptables = nftRulesets(out.tables, file, sink.diagnostics);
  return { value: out, diagnostics: sink.diagnostics };
}
