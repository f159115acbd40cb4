/** The shape of one entry of the action table, and the small parsing helpers entries share. */
import { type LineError, lineError } from "../../util/diagnostic.js";
import type { ActionFacts } from "./facts.js";
import { isError, parseUnsigned } from "./refs.js";
import type { Piece } from "./syntax.js";
import type { Action, ActionOf, ActionType } from "./types.js";

export interface ParseInput {
  /** The keyword as written (`mod_vlan_vid`, `NORMAL`, `pop_vlan`). */
  keyword: string;
  form: "bare" | "colon" | "paren";
  /** After `:` or inside `(...)`. */
  arg?: Piece;
  /** The whole action text. */
  whole: Piece;
  /** Parses a nested action list (clone, write_actions, ct's exec). */
  nested(p: Piece): Action[] | LineError;
}

export interface ActionSpec<T extends ActionType> extends ActionFacts<T> {
  /** Keywords that parse to this action (lower case; reserved port names are matched separately). */
  keywords: readonly string[];
  /** Usually an ActionOf<T>, but a keyword may stand for another action (a masked set_field is a load). */
  parse(input: ParseInput): Action | LineError;
  /** `formatList` prints nested action lists (clone, write_actions, ct's exec). */
  format(action: ActionOf<T>, formatList: (actions: Action[]) => string): string;
}

export type ActionTable = { [T in ActionType]: ActionSpec<T> };

/** The argument, or an error pointing just after the keyword when it is missing. */
export function requireArg(input: ParseInput): Piece | LineError {
  if (input.arg === undefined || input.arg.text === "")
    return lineError(
      input.whole.column + input.keyword.length,
      `${input.keyword} needs an argument`,
      input.keyword,
    );
  return input.arg;
}

/** An unsigned number argument of at most `bits` bits. */
export function numberArg(input: ParseInput, bits: number): number | LineError {
  const arg = requireArg(input);
  if (isError(arg)) return arg;
  const v = parseUnsigned(arg, bits, input.keyword);
  return isError(v) ? v : Number(v);
}

export function bigArg(input: ParseInput, bits: number): bigint | LineError {
  const arg = requireArg(input);
  if (isError(arg)) return arg;
  return parseUnsigned(arg, bits, input.keyword);
}

/** For actions that take no argument. */
export function noArg<T extends ActionType>(type: T, input: ParseInput): ActionOf<T> | LineError {
  if (input.arg !== undefined && input.arg.text !== "")
    return lineError(input.arg.column, `${input.keyword} takes no argument`, input.keyword);
  return { type } as ActionOf<T>;
}

/** Splits `A->B` at the arrow. */
export function arrow(p: Piece, what: string): [Piece, Piece] | LineError {
  const i = p.text.lastIndexOf("->");
  if (i < 0) return lineError(p.column, `${what}: expected SRC->DST`, what);
  return [
    { text: p.text.slice(0, i), column: p.column },
    { text: p.text.slice(i + 2), column: p.column + i + 2 },
  ];
}

/** C's "%#x": zero prints as 0. */
export const hex = (v: bigint | number): string => (BigInt(v) === 0n ? "0" : `0x${v.toString(16)}`);
