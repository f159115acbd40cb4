/**
 * Lists most of which stay empty or hold one entry (a pass's outputs and recirculations, a frame's
 * visits and ends): they start as one shared, frozen empty list and get a list of their own on their
 * first entry, made whole ([item]) rather than grown from empty by a push. A per-frame path made a
 * handful of empty arrays, and grew each on its first push.
 */

const NO_ITEMS: readonly never[] = Object.freeze([]);

/** The shared empty list (frozen: an add to it in place throws rather than leaks between owners). */
export function noItems<T>(): T[] {
  return NO_ITEMS as unknown as T[];
}

/** `list` with `item` at its end: `list` itself, or a new list of one when it was the shared empty one. */
export function withItem<T>(list: T[], item: T): T[] {
  if (list === (NO_ITEMS as unknown)) return [item];
  list.push(item);
  return list;
}
