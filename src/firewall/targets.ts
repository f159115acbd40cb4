/**
 * THE table of targets (as the kernel's standard verdicts and xt_* target modules): per target its
 * options and a builder. A `-j NAME` that is neither a chain of the table nor here is read and makes
 * the rule undecidable when a frame reaches it.
 */
import type { BuildError, Opt } from "./matches.js";
import type { Target } from "./rule.js";

export interface TargetSpec {
  /** Option name → number of words; null: read any options generically (targets that never decide). */
  options: Record<string, number> | null;
  build(opts: Opt[], text: string): Target | BuildError;
}

const simple = (t: (text: string) => Target): TargetSpec => ({ options: {}, build: (_o, text) => t(text) });

const cont: TargetSpec = {
  // Options are read generically: these targets never change the verdict.
  options: null,
  build: (_o, text) => ({ kind: "continue", text }),
};

function num(text: string): number | null {
  return /^(0x[0-9a-f]+|\d+)$/i.test(text) ? Number(text) : null;
}

export const TARGETS: Record<string, TargetSpec> = {
  ACCEPT: simple((text) => ({ kind: "verdict", verdict: "ACCEPT", text })),
  DROP: simple((text) => ({ kind: "verdict", verdict: "DROP", text })),
  RETURN: simple((text) => ({ kind: "return", text })),
  REJECT: {
    options: { "--reject-with": 1 },
    build: (_o, text) => ({ kind: "verdict", verdict: "REJECT", text }),
  },
  CT: {
    options: {
      "--zone": 1,
      "--zone-orig": 1,
      "--zone-reply": 1,
      "--notrack": 0,
      "--helper": 1,
      "--ctevents": 1,
    },
    build(opts, text) {
      let zone: number | null = null;
      let notrack = false;
      for (const o of opts) {
        if (o.name === "--notrack") notrack = true;
        else if (o.name === "--zone" || o.name === "--zone-orig") {
          zone = num(o.args[0]);
          if (zone === null || zone > 65535)
            return { column: o.column, message: "not a zone", field: o.name };
        }
      }
      return { kind: "ct", zone, notrack, text };
    },
  },
  NOTRACK: simple((text) => ({ kind: "ct", zone: null, notrack: true, text })),
  MARK: {
    options: { "--set-xmark": 1, "--set-mark": 1, "--and-mark": 1, "--or-mark": 1, "--xor-mark": 1 },
    build(opts, text) {
      const o = opts[0];
      if (!o) return { column: 0, message: "MARK without an option", field: "MARK" };
      const [v, m] = o.args[0].split("/");
      const value = num(v);
      const mask = m === undefined ? 0xffffffff : num(m);
      if (value === null || mask === null) return { column: o.column, message: "not a mark", field: o.name };
      return { kind: "mark", value, mask, text };
    },
  },
  LOG: cont,
  NFLOG: cont,
  TRACE: cont,
};
