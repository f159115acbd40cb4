/**
 * Keeps a long replay's memory flat. Per frame, a replay allocates short-lived objects some of which
 * outlive a young-generation collection (conntrack and firewall cache keys, verdict copies) and are
 * then garbage in the old generation; V8 lets that grow to several times the live heap before it
 * collects it, so a 4 GB replay's peak RSS rose with the file though its live data stays ~20 MB. A
 * full collection whenever the heap passes a ceiling above its live data keeps the peak where the start
 * leaves it.
 * V8's own collector is reached through `--expose-gc` set at run time and a new context, which is how
 * Node lets a program have `gc` without a command-line flag.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * Above this much used old generation a full collection runs: a replay's live data is ~16 MB there.
 * (The young generation is left out: it is emptied by its own collections, and counting it would
 * make every look at the heap a full collection.)
 */
export const HEAP_CEILING = 32 << 20;
/** Frames between two looks at the heap (reading its statistics costs about a microsecond). */
const CHECK_EVERY = 4096;

export interface HeapCap {
  /** Call once per frame. */
  tick(): void;
  /** Full collections run so far. */
  readonly collections: number;
}

/** A heap cap; `gc` and `used` are the collector and the old generation's use (V8's unless given). */
export function heapCap(
  ceiling = HEAP_CEILING,
  gc: () => void = v8Gc() ?? (() => {}),
  used: () => number = oldSpaceUsed,
): HeapCap {
  let frames = 0;
  let collections = 0;
  // The bar moves with the live heap: a host of 100k flows keeps far more than the ceiling alive, and
  // a fixed bar would then collect in full every CHECK_EVERY frames. Garbage is capped at `ceiling`
  // above what the last full collection left.
  let bar = ceiling;
  return {
    tick() {
      if (++frames % CHECK_EVERY !== 0 || used() < bar) return;
      gc();
      collections++;
      bar = Math.max(ceiling, used() + ceiling);
    },
    get collections() {
      return collections;
    },
  };
}

function oldSpaceUsed(): number {
  for (const s of getHeapSpaceStatistics()) if (s.space_name === "old_space") return s.space_used_size;
  return 0;
}

/** V8's full collector; undefined where a runtime refuses it (memory is then only not capped). */
export function v8Gc(): (() => void) | undefined {
  try {
    setFlagsFromString("--expose-gc");
    const gc: unknown = runInNewContext("typeof gc === 'function' ? gc : undefined");
    if (typeof gc === "function") return gc as () => void;
  } catch {
    // A runtime without the flag: no cap.
  }
  return undefined;
}
