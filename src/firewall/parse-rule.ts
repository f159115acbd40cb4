/**
 * One rule as iptables-save prints it (`-A CHAIN [!] -s … -m MOD [!] --opt … -j TARGET …`) → a Rule
 * built through the match and target tables, or the column and field of what is wrong with it.
 */
import {
  BUILTIN_ARITY,
  type BuildError,
  builtin,
  MATCHES,
  type MatchSpec,
  makeMatch,
  type Opt,
  unknownModule,
} from "./matches.js";
import type { Family } from "./packet.js";
import type { Match, Target } from "./rule.js";
import { TARGETS } from "./targets.js";
import { quoteWord, splitWords, type Word } from "./tokens.js";
import { parseProtocol } from "./values.js";

export interface ParsedRule {
  chain: string;
  matches: Match[];
  target: Target;
  /** Re-printed: equal to the input for iptables-save's canonical output. */
  text: string;
}

export type RuleResult = { ok: true; rule: ParsedRule } | { ok: false; error: BuildError };

const fail = (column: number, message: string, field: string): RuleResult => ({
  ok: false,
  error: { column, message, field },
});

/** Reads the options of one module (or target) from `words[i]` on, up to the next -m/-j/-g/built-in. */
function readOpts(
  words: Word[],
  i: number,
  arity: Record<string, number> | null,
): [Opt[], number] | BuildError {
  const opts: Opt[] = [];
  while (i < words.length) {
    let negated = false;
    let j = i;
    if (words[j].text === "!") {
      negated = true;
      j++;
    }
    const w = words[j];
    if (!w?.text.startsWith("--")) break;
    let n = arity ? arity[w.text] : undefined;
    if (n === undefined) {
      if (arity) return { column: w.column, message: `unknown option ${w.text}`, field: w.text };
      // A module we do not know: take the words up to the next option as its arguments.
      n = 0;
      while (j + 1 + n < words.length && !/^(-|!$)/.test(words[j + 1 + n].text)) n++;
    }
    const args = words.slice(j + 1, j + 1 + n).map((x) => x.text);
    if (args.length < n) return { column: w.column, message: `${w.text} needs ${n} value(s)`, field: w.text };
    opts.push({ name: w.text, args, negated, column: negated ? words[i].column : w.column });
    i = j + 1 + n;
  }
  return [opts, i];
}

/**
 * Parses the words after the counters of one `-A` line. `chains` are the table's declared chains
 * (a `-j NAME` naming one is a jump).
 */
export function parseRule(line: string, family: Family, chains: ReadonlySet<string>): RuleResult {
  const split = splitWords(line);
  if (!split.ok) return fail(split.column, split.message, "rule");
  const words = split.words;
  if (words[0]?.text !== "-A" || !words[1])
    return fail(words[0]?.column ?? 1, "a rule starts with -A CHAIN", "-A");
  const chain = words[1].text;
  if (!chains.has(chain)) return fail(words[1].column, `chain ${chain} is not declared in this table`, "-A");
  const matches: Match[] = [];
  let target: Target = { kind: "continue", text: "" };
  let proto: number | null = null;
  let i = 2;
  while (i < words.length) {
    const negated = words[i].text === "!";
    const w = words[negated ? i + 1 : i];
    if (!w) return fail(words[i].column, "`!` at the end of the rule", "!");
    const arity = BUILTIN_ARITY[w.text];
    if (arity !== undefined) {
      const args = words.slice(i + (negated ? 2 : 1), i + (negated ? 2 : 1) + arity).map((x) => x.text);
      if (args.length < arity) return fail(w.column, `${w.text} needs a value`, w.text);
      const o: Opt = { name: w.text, args, negated, column: words[i].column };
      if (w.text === "-p") {
        const p = parseProtocol(args[0]);
        if (typeof p === "number") proto = p;
      }
      const c = builtin(o, { family, proto });
      if ("message" in c) return { ok: false, error: c };
      matches.push(makeMatch("", [o], [c]));
      i += (negated ? 2 : 1) + arity;
      continue;
    }
    if (negated) return fail(words[i].column, `\`!\` before ${w.text}, which cannot be negated`, w.text);
    if (w.text === "-m" || w.text === "--match") {
      const name = words[i + 1]?.text;
      if (!name) return fail(w.column, "-m needs a module name", "-m");
      const spec: MatchSpec = MATCHES[name] ?? unknownModule(name);
      const r = readOpts(words, i + 2, MATCHES[name] ? spec.options : null);
      if (!Array.isArray(r)) return { ok: false, error: r };
      const [opts, next] = r;
      const conds = spec.build(opts, { family, proto });
      if (!Array.isArray(conds)) return { ok: false, error: conds };
      matches.push(makeMatch(name, opts, conds, spec.physdev?.(opts)));
      i = next;
      continue;
    }
    if (w.text === "-j" || w.text === "-g" || w.text === "--jump" || w.text === "--goto") {
      const name = words[i + 1]?.text;
      if (!name) return fail(w.column, `${w.text} needs a target`, w.text);
      const isGoto = w.text === "-g" || w.text === "--goto";
      const spec = chains.has(name) ? null : TARGETS[name];
      const r = readOpts(words, i + 2, spec ? spec.options : chains.has(name) ? {} : null);
      if (!Array.isArray(r)) return { ok: false, error: r };
      const [opts, next] = r;
      if (next < words.length) return fail(words[next].column, "words after the target", "target");
      const text = [
        w.text,
        name,
        ...opts.flatMap((o) => [...(o.negated ? ["!"] : []), o.name, ...o.args.map(quoteWord)]),
      ].join(" ");
      if (chains.has(name)) target = { kind: "jump", chain: name, goto: isGoto, text };
      else if (isGoto) return fail(words[i + 1].column, `goto to an undeclared chain ${name}`, w.text);
      else if (!spec) target = { kind: "unknown", name, text };
      else {
        const t = spec.build(opts, text);
        if ("message" in t) return { ok: false, error: t };
        target = t;
      }
      i = next;
      continue;
    }
    return fail(w.column, `not understood: ${w.text}`, w.text);
  }
  const text = ["-A", chain, ...matches.map((m) => m.text), ...(target.text ? [target.text] : [])].join(" ");
  return { ok: true, rule: { chain, matches, target, text } };
}
