/**
 * Reusable flow keys for translation's save/restore copies (the flow before an output, a patch port, a
 * clone; the base flow around a clone or a tunnel push). Translation makes several per packet and a
 * fresh 173-word typed array costs ~15x a copy into one that exists: a replay without its cache spends
 * most of its time allocating them otherwise. Only copies that never outlive their call are borrowed;
 * anything kept in a result (outputs, passes, trace nodes) is its own array.
 */
import { type FlowKey, newFlowKey } from "../model/layout.js";

const free: FlowKey[] = [];
/** Buffers known to hold zeros only (see releaseZeroed): a mask borrowed from here needs no fill. */
const zeroed: FlowKey[] = [];

/** A copy of `src` in a pooled buffer: hand it back with `releaseKey` when the call that took it ends. */
export function borrowKey(src: FlowKey): FlowKey {
  const k = free.pop() ?? newFlowKey();
  k.set(src);
  return k;
}

/**
 * A pooled buffer of zeros (a mask to OR bits into), handed back with `releaseZeroed` (or `releaseKey`).
 * One handed back with the words it was written in is zeroed there alone: a translation's mask (its
 * context's `wc`) is written in a few words, and zeroing all 173 of each pass's cost ~2% of a frame.
 */
export function borrowZeroKey(): FlowKey {
  const clean = zeroed.pop();
  if (clean) return clean;
  const k = free.pop();
  if (!k) return newFlowKey();
  k.fill(0);
  return k;
}

/** Hands back a buffer from borrowZeroKey that was written in words [from, to) and nowhere else. */
export function releaseZeroed(k: FlowKey, from: number, to: number): void {
  if (from < to) k.fill(0, from, to);
  if (zeroed.length < 256) zeroed.push(k);
}

export function releaseKey(k: FlowKey): void {
  // Bounded: translation nests at most MAX_DEPTH deep, so a handful of buffers serve every packet.
  if (free.length < 256) free.push(k);
}

/**
 * The keys of one frame of a replay that caches nothing and prints no trace (the replay verb's
 * --no-cache): the flows of its output records and the input of each host it crosses, which the
 * simulation reads and nothing after the frame does. Handed out in turn and all taken back when the
 * next frame starts, so such a frame allocates no key (a fresh one costs a view on a slab that was
 * zeroed for it). A cached verdict keeps its keys: a replay with its cache never uses these.
 */
export class FrameKeys {
  private readonly keys: FlowKey[] = [];
  private used = 0;

  /** A copy of `src`, good until `reset`. */
  copy(src: FlowKey): FlowKey {
    const k = this.next();
    k.set(src);
    return k;
  }

  /** A key of zeros, good until `reset`. */
  zeroed(): FlowKey {
    const k = this.next();
    k.fill(0);
    return k;
  }

  /** Takes every key back: the previous frame's keys are written over from now on. */
  reset(): void {
    this.used = 0;
  }

  private next(): FlowKey {
    let k = this.keys[this.used];
    if (k === undefined) {
      k = newFlowKey();
      this.keys.push(k);
    }
    this.used++;
    return k;
  }
}
