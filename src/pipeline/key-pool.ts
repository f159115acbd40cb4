/**
 * Reusable flow keys for translation's save/restore copies (the flow before an output, a patch port, a
 * clone; the base flow around a clone or a tunnel push). Translation makes several per packet and a
 * fresh 173-word typed array costs ~15x a copy into one that exists: a replay without its cache spends
 * most of its time allocating them otherwise. Only copies that never outlive their call are borrowed;
 * anything kept in a result (outputs, passes, trace nodes) is its own array.
 */
import { type FlowKey, newFlowKey } from "../model/layout.js";

const free: FlowKey[] = [];

/** A copy of `src` in a pooled buffer: hand it back with `releaseKey` when the call that took it ends. */
export function borrowKey(src: FlowKey): FlowKey {
  const k = free.pop() ?? newFlowKey();
  k.set(src);
  return k;
}

/** A pooled buffer of zeros (a mask to OR bits into), handed back with `releaseKey`. */
export function borrowZeroKey(): FlowKey {
  const k = free.pop();
  if (!k) return newFlowKey();
  k.fill(0);
  return k;
}

export function releaseKey(k: FlowKey): void {
  // Bounded: translation nests at most MAX_DEPTH deep, so a handful of buffers serve every packet.
  if (free.length < 256) free.push(k);
}
