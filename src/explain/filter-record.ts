/**
 * What the frame, verdict and flow filter fields share: a field's spec (name, help, type, how to
 * compute its values from a record's context) and the lazy record over a table of them. Pure.
 */
import type { FilterFieldType, FilterRecord, FilterScalar } from "../model/display-filter.js";

export interface FieldHelp {
  readonly name: string;
  /** One line, for `?` help and `--help`. */
  readonly description: string;
}

export type Getter<C> = (c: C) => readonly FilterScalar[];

export interface FieldSpec<C> extends FieldHelp {
  readonly type: FilterFieldType;
  readonly get: Getter<C>;
}

/** One value, or none. */
export const one = <T extends FilterScalar>(v: T | undefined): FilterScalar[] => (v === undefined ? [] : [v]);

/** A record computing each field when a filter first reads it, over `ctx`. */
export function lazyRecord<C>(specs: ReadonlyMap<string, FieldSpec<C>>, ctx: C): FilterRecord {
  const memo = new Map<string, readonly FilterScalar[] | undefined>();
  return {
    values(field) {
      if (memo.has(field)) return memo.get(field);
      const vs = specs.get(field)?.get(ctx);
      const v = vs && vs.length > 0 ? vs : undefined;
      memo.set(field, v);
      return v;
    },
  };
}

/** The name → spec table of a list of specs. */
export function specTable<C>(specs: ReadonlyArray<FieldSpec<C>>): ReadonlyMap<string, FieldSpec<C>> {
  return new Map(specs.map((s) => [s.name, s]));
}

/** The help lines of a list of specs. */
export const helpOf = (specs: readonly FieldHelp[]): FieldHelp[] =>
  specs.map(({ name, description }) => ({ name, description }));
