/** Nesting actions (clone, write_actions), load balancing (multipath, bundle), sampling and checks. */
import { lineError } from "../../util/diagnostic.js";
import { type ActionFacts, readsNothing, SET_LAST, uncacheable } from "./facts.js";
import {
  formatPort,
  formatSubfield,
  isError,
  type PortRef,
  parsePort,
  parseSubfield,
  type Subfield,
} from "./refs.js";
import { type ActionSpec, noArg, requireArg } from "./spec.js";
import { keyValue, splitTopLevel } from "./syntax.js";
import type { Action, ActionOf } from "./types.js";

/** clone(...) and write_actions(...): a nested action list. */
function nestingAction<T extends "clone" | "writeActions">(
  type: T,
  keyword: string,
  facts: ActionFacts<T>,
): ActionSpec<T> {
  return {
    ...facts,
    keywords: [keyword],
    parse(input) {
      const actions = input.nested(
        input.arg ?? { text: "", column: input.whole.column + keyword.length + 1 },
      );
      return isError(actions) ? actions : ({ type, actions } as ActionOf<T>);
    },
    format(a, list) {
      const { actions } = a as { actions: Action[] };
      return `${keyword}(${actions.length ? list(actions) : ""})`;
    },
  };
}

export const clone = nestingAction("clone", "clone", {
  actionSetOrder: SET_LAST,
  reversible: true,
  megaflow: (a, mask) => mask.actions(a.actions),
});
export const writeActions = nestingAction("writeActions", "write_actions", {
  actionSetOrder: SET_LAST,
  reversible: true,
  megaflow: (a, mask) => mask.actions(a.actions),
});

export const clearActions: ActionSpec<"clearActions"> = {
  actionSetOrder: SET_LAST,
  reversible: true,
  megaflow: readsNothing,
  keywords: ["clear_actions"],
  parse: (i) => noArg("clearActions", i),
  format: () => "clear_actions",
};

const MULTIPATH_ALGORITHMS = ["modulo_n", "hash_threshold", "hrw", "iter_hash"];
const HASH_FIELDS = [
  "eth_src",
  "symmetric_l4",
  "symmetric_l3l4",
  "symmetric_l3l4+udp",
  "nw_src",
  "nw_dst",
  "symmetric_l3",
];

export const multipath: ActionSpec<"multipath"> = {
  actionSetOrder: SET_LAST,
  reversible: true,
  megaflow: uncacheable,
  keywords: ["multipath"],
  parse(input) {
    const arg = requireArg(input);
    if (isError(arg)) return arg;
    const p = splitTopLevel(arg.text, arg.column);
    if ("error" in p) return lineError(p.error, p.message);
    if (p.length !== 6)
      return lineError(arg.column, "multipath: expected FIELDS,BASIS,ALGORITHM,N_LINKS,ARG,DST");
    if (!HASH_FIELDS.includes(p[0].text))
      return lineError(p[0].column, `multipath: unknown fields "${p[0].text}"`);
    if (!MULTIPATH_ALGORITHMS.includes(p[2].text))
      return lineError(p[2].column, `multipath: unknown algorithm "${p[2].text}"`);
    for (const i of [1, 3, 4])
      if (!/^\d+$/.test(p[i].text)) return lineError(p[i].column, "multipath: expected a number");
    const dst = parseSubfield(p[5]);
    if (isError(dst)) return dst;
    return {
      type: "multipath",
      fields: p[0].text,
      basis: Number(p[1].text),
      algorithm: p[2].text,
      maxLink: Number(p[3].text) - 1,
      arg: Number(p[4].text),
      dst,
    };
  },
  format: (a) =>
    `multipath(${a.fields},${a.basis},${a.algorithm},${a.maxLink + 1},${a.arg},${formatSubfield(a.dst)})`,
};

export const bundle: ActionSpec<"bundle"> = {
  actionSetOrder: SET_LAST,
  reversible: true,
  megaflow: uncacheable,
  keywords: ["bundle", "bundle_load"],
  parse(input) {
    const arg = requireArg(input);
    if (isError(arg)) return arg;
    const p = splitTopLevel(arg.text, arg.column);
    if ("error" in p) return lineError(p.error, p.message);
    const load = input.keyword === "bundle_load";
    const fixed = load ? 5 : 4;
    const membersAt = p.findIndex((x) => /^(members|slaves):/.test(x.text));
    if (membersAt !== fixed)
      return lineError(arg.column, `${input.keyword}: expected ${fixed} arguments then members:PORTS`);
    if (!HASH_FIELDS.includes(p[0].text))
      return lineError(p[0].column, `${input.keyword}: unknown fields "${p[0].text}"`);
    if (!/^\d+$/.test(p[1].text)) return lineError(p[1].column, `${input.keyword}: expected a basis number`);
    if (p[2].text !== "hrw" && p[2].text !== "active_backup")
      return lineError(p[2].column, `${input.keyword}: unknown algorithm "${p[2].text}"`);
    let dst: Subfield | undefined;
    if (load) {
      const d = parseSubfield(p[4]);
      if (isError(d)) return d;
      dst = d;
    }
    const colon = p[membersAt].text.indexOf(":");
    const members: PortRef[] = [];
    const first = { text: p[membersAt].text.slice(colon + 1), column: p[membersAt].column + colon + 1 };
    for (const m of [first, ...p.slice(membersAt + 1)]) {
      if (m.text === "") continue;
      const port = parsePort(m);
      if (isError(port)) return port;
      members.push(port);
    }
    const a: ActionOf<"bundle"> = {
      type: "bundle",
      load,
      fields: p[0].text,
      basis: Number(p[1].text),
      algorithm: p[2].text,
      ofport: p[3].text,
      members,
    };
    if (dst) a.dst = dst;
    return a;
  },
  format(a) {
    const dst = a.dst ? `${formatSubfield(a.dst)},` : "";
    const members = a.members.map(formatPort).join(",");
    return `${a.load ? "bundle_load" : "bundle"}(${a.fields},${a.basis},${a.algorithm},${a.ofport},${dst}members:${members})`;
  },
};

export const sample: ActionSpec<"sample"> = {
  actionSetOrder: SET_LAST,
  reversible: true,
  megaflow: uncacheable,
  keywords: ["sample"],
  parse(input) {
    const arg = requireArg(input);
    if (isError(arg)) return arg;
    const parts = splitTopLevel(arg.text, arg.column);
    if ("error" in parts) return lineError(parts.error, parts.message);
    const a: ActionOf<"sample"> = {
      type: "sample",
      probability: 0,
      collectorSetId: 0,
      obsDomain: 0,
      obsPoint: 0,
    };
    let sawProbability = false;
    for (const p of parts) {
      const { key, value } = keyValue(p);
      const num = value && /^\d+$/.test(value.text) ? Number(value.text) : undefined;
      if (key === "probability" && num !== undefined && num > 0 && num <= 65535) {
        a.probability = num;
        sawProbability = true;
      } else if (key === "collector_set_id" && num !== undefined) a.collectorSetId = num;
      else if ((key === "obs_domain_id" || key === "obs_point_id") && value) {
        let v: number | Subfield;
        if (num !== undefined) v = num;
        else {
          const sf = parseSubfield(value);
          if (isError(sf)) return sf;
          v = sf;
        }
        if (key === "obs_domain_id") a.obsDomain = v;
        else a.obsPoint = v;
      } else if (key === "sampling_port" && value) {
        const port = parsePort(value);
        if (isError(port)) return port;
        a.samplingPort = port;
      } else if ((key === "ingress" || key === "egress") && !value) a.direction = key;
      else return lineError(p.column, `sample: cannot parse "${p.text}"`, key);
    }
    if (!sawProbability)
      return lineError(arg.column, "sample: probability=1..65535 is required", "probability");
    return a;
  },
  format(a) {
    const id = (v: number | Subfield) => (typeof v === "number" ? String(v) : formatSubfield(v));
    let s = `sample(probability=${a.probability},collector_set_id=${a.collectorSetId}`;
    s += `,obs_domain_id=${id(a.obsDomain)},obs_point_id=${id(a.obsPoint)}`;
    if (a.samplingPort) s += `,sampling_port=${formatPort(a.samplingPort)}`;
    if (a.direction) s += `,${a.direction}`;
    return `${s})`;
  },
};

export const checkPktLarger: ActionSpec<"checkPktLarger"> = {
  actionSetOrder: SET_LAST,
  reversible: true,
  megaflow: uncacheable,
  keywords: ["check_pkt_larger"],
  parse(input) {
    const arg = requireArg(input);
    if (isError(arg)) return arg;
    const m = /^\((\d+)\)->(.+)$/.exec(arg.text);
    if (!m) return lineError(arg.column, "check_pkt_larger: expected check_pkt_larger(LEN)->DST[]");
    const dst = parseSubfield({ text: m[2], column: arg.column + m[1].length + 4 });
    if (isError(dst)) return dst;
    if (dst.nBits !== 1)
      return lineError(arg.column + m[1].length + 4, "check_pkt_larger: DST must be one bit");
    return { type: "checkPktLarger", length: Number(m[1]), dst };
  },
  format: (a) => `check_pkt_larger(${a.length})->${formatSubfield(a.dst)}`,
};

export const unknown: ActionSpec<"unknown"> = {
  actionSetOrder: SET_LAST,
  reversible: true,
  megaflow: uncacheable,
  keywords: [],
  parse: (input) => ({ type: "unknown", text: input.whole.text }),
  format: (a) => a.text,
};
