/**
 * THE action table: every action's keywords, parser and printer in one place (the executor is the
 * pipeline's own table keyed by the same types). `parseActions` and `formatActions` are the only
 * entry points the rest of ovspath uses.
 */
import { type LineError, lineError } from "../../util/diagnostic.js";
import { SpanCache } from "../../util/span-cache.js";
import { reservedPort } from "../field-value.js";
import { lookupField } from "../fields.js";
import { conjunction, ct, ctClear, nat } from "./conntrack.js";
import { learn } from "./learn.js";
import {
  bundle,
  checkPktLarger,
  clearActions,
  clone,
  multipath,
  sample,
  unknown,
  writeActions,
} from "./misc.js";
import * as modify from "./modify.js";
import * as out from "./output.js";
import { isError } from "./refs.js";
import type { ActionSpec, ActionTable, ParseInput } from "./spec.js";
import { keywordOf, type Piece, splitTopLevel } from "./syntax.js";
import type { Action, ActionType } from "./types.js";

export const ACTIONS: ActionTable = {
  ...out,
  ...modify,
  ct,
  nat,
  ctClear,
  conjunction,
  learn,
  clone,
  writeActions,
  clearActions,
  multipath,
  bundle,
  sample,
  checkPktLarger,
  unknown,
};

const BY_KEYWORD = new Map<string, ActionType>();
for (const [type, spec] of Object.entries(ACTIONS) as Array<[ActionType, ActionSpec<ActionType>]>) {
  for (const k of spec.keywords) BY_KEYWORD.set(k, type);
}

export type ActionsResult =
  | { ok: true; value: Action[]; warnings: LineError[] }
  | { ok: false; error: LineError };

/**
 * What an action's parser is given. A class with `nested` as a method, not a literal with a closure:
 * one object per action of a large dump instead of an object, a closure and a copy (and under tsx, which
 * names every closure it makes, a property definition on each).
 */
class ActionInput implements ParseInput {
  constructor(
    public keyword: string,
    public form: ParseInput["form"],
    public arg: Piece | undefined,
    public whole: Piece,
    /** The warnings of the list being parsed: a nested list's join them. */
    private readonly warnings: LineError[],
  ) {}

  nested(inner: Piece): Action[] | LineError {
    const r = parseList(inner, this.warnings, true);
    return r.ok ? r.value : r.error;
  }
}

function parseOne(p: Piece, warnings: LineError[]): Action | LineError {
  if (p.text === "") return lineError(p.column, "empty action");
  if (/^\d+$/.test(p.text) || p.text.startsWith('"'))
    return ACTIONS.output.parse(new ActionInput("output", "colon", p, p, warnings));
  const { keyword, arg, form } = keywordOf(p);
  const lower = keyword.toLowerCase();
  let type = BY_KEYWORD.get(lower);
  if (type === "output" && lower === "output") {
    if (form === "paren") type = "outputTrunc";
    // As OVS: a port (number or reserved name) first, then a subfield (`reg1`, `NXM_NX_REG0[0..15]`).
    else if (
      arg &&
      (arg.text.includes("[") || (lookupField(arg.text) && reservedPort(arg.text) === undefined))
    )
      type = "outputReg";
  }
  if (type === undefined) {
    warnings.push(lineError(p.column, `unknown action "${keyword || p.text}" kept as written`, keyword));
    return { type: "unknown", text: p.text };
  }
  const spec = ACTIONS[type] as ActionSpec<ActionType>;
  return spec.parse(new ActionInput(type === "output" ? keyword : lower, form, arg, p, warnings));
}

function parseList(p: Piece, warnings: LineError[], allowEmpty: boolean): ActionsResult {
  const text = p.text;
  if (text === "drop" || (allowEmpty && text === "")) return { ok: true, value: [], warnings };
  const pieces = splitTopLevel(text, p.column);
  if ("error" in pieces) return { ok: false, error: lineError(pieces.error, pieces.message, "actions") };
  // Sized up front: an array grown by push keeps room for 16 more, 128 bytes per flow of a large dump.
  const value: Action[] = new Array(pieces.length);
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i];
    if (piece.text === "drop")
      return { ok: false, error: lineError(piece.column, '"drop" must be the only action', "drop") };
    // A list of one action was just looked up whole (by parseActions) and not found: the action alone
    // is looked up and kept only as part of a longer list, as a list of one is kept whole.
    const alone = pieces.length === 1 && !allowEmpty;
    const known = alone ? undefined : parsedActions.get(piece.text, 0, piece.text.length);
    if (known !== undefined) {
      value[i] = known;
      continue;
    }
    const before = warnings.length;
    const a = parseOne(piece, warnings);
    if (isError(a)) return { ok: false, error: a };
    // Only an action parsed without a warning is shared: a warning carries its own column.
    if (warnings.length === before && !alone) parsedActions.set(piece.text, 0, piece.text.length, a);
    value[i] = a;
  }
  return { ok: true, value, warnings };
}

/**
 * Actions already parsed, by their text, shared by the flows that repeat them (`goto_table:73`,
 * `ct(commit,zone=NXM_NX_REG6[0..15])` on flow after flow of a firewall dump). Actions hold no column
 * and are never modified after parsing. Emptied when full, keeping the actions of the flows just read.
 */
const PARSED_ACTIONS_BOUND = 16384;
const parsedActions = new SpanCache<Action>(PARSED_ACTIONS_BOUND);

/**
 * Parses an action list as ovs-ofctl prints it (`actions=` text); `column` is where it starts in its
 * line. Unknown actions are kept (type "unknown") and reported as warnings.
 */
export function parseActions(text: string, column = 1): ActionsResult {
  return parseActionsIn(text, 0, text.length, column);
}

/**
 * parseActions of text[from, to): a flow dump's loader reads a flow's actions inside the dump, and cuts
 * them out only when they were not read before.
 */
export function parseActionsIn(text: string, from: number, to: number, column: number): ActionsResult {
  const known = parsedLists.get(text, from, to);
  if (known !== undefined) return { ok: true, value: known, warnings: NO_WARNINGS };
  const warnings: LineError[] = [];
  const r = parseList({ text: text.slice(from, to), column }, warnings, false);
  if (r.ok && warnings.length === 0) parsedLists.set(text, from, to, r.value);
  return r;
}

/**
 * Whole action lists already parsed, by their text: `goto_table:73` or `ct(commit,zone=...),goto_table:73`
 * ends flow after flow, and those flows then share one array (never modified, as the actions in it).
 * Only lists parsed with no warning (whose warnings would carry their columns) are kept.
 */
const parsedLists = new SpanCache<Action[]>(PARSED_ACTIONS_BOUND);
const NO_WARNINGS: LineError[] = [];

export function formatAction(a: Action): string {
  return (ACTIONS[a.type] as ActionSpec<ActionType>).format(a, formatActions);
}

/** Prints an action list in OVS's canonical form (an empty list is `drop`). */
export function formatActions(actions: readonly Action[]): string {
  return actions.length === 0 ? "drop" : actions.map(formatAction).join(",");
}
