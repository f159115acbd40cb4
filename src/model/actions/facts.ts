/**
 * What translation must know of an action beside its syntax, declared in each entry of the action table
 * (spec.ts's ActionSpec extends ActionFacts), and the small helpers entries share.
 */
import type { FieldDef } from "../fields.js";
import type { LayoutName } from "../layout.js";
import type { Action, ActionOf, ActionType } from "./types.js";

/**
 * Where a translation's megaflow mask (the flow-key bits it depended on) gets an action's reads. Each
 * method answers true so that facts chain with `&&`.
 */
export interface MegaflowMask {
  /** The translation depends on the whole slot. */
  slot(name: LayoutName): true;
  /** The translation read the field (its whole storage slot). */
  field(f: FieldDef): true;
  /** The action rewrites the field: a header's old value is read (the datapath set depends on it). */
  written(f: FieldDef): true;
  /** A nested action list's reads; false when one of its actions cannot be cached. */
  actions(list: readonly Action[]): boolean;
}

/**
 * What the translator must know of an action beside its syntax; every entry decides them (TypeScript
 * makes an entry without them incomplete).
 */
export interface ActionFacts<T extends ActionType> {
  /**
   * Its place when an action set (write_actions) runs, lower first: OpenFlow's order of pops, pushes,
   * TTL decrements, field sets, queue, group, then output. Actions OpenFlow keeps out of action sets
   * run last, with output (SET_LAST).
   */
  actionSetOrder: number;
  /**
   * Whether the datapath can undo it, so a non-final clone() of it translates in line (OVS's
   * reversible_actions); conntrack, NAT, meters and truncation cannot be undone.
   */
  reversible: boolean;
  /**
   * Adds what translating it reads to the megaflow mask; false when a translation through it cannot be
   * cached (its result depends on the whole packet, the connection tracker or hashing).
   */
  megaflow(action: ActionOf<T>, mask: MegaflowMask): boolean;
}

/** The action set's last place: output's, shared by the actions OpenFlow keeps out of action sets. */
export const SET_LAST = 24;

/** For actions whose translation depends on nothing in the flow key. */
export const readsNothing = (): boolean => true;

/** For actions whose translation cannot be cached. */
export const uncacheable = (): boolean => false;

/** For actions whose translation depends on these slots. */
export const readsSlots =
  (...slots: LayoutName[]) =>
  (_: unknown, mask: MegaflowMask): boolean =>
    slots.every((s) => mask.slot(s));
