/**
 * Keeps a long replay's memory flat. Per frame, a replay allocates short-lived objects some of which
 * outlive a young-generation collection (conntrack and firewall cache keys, verdict copies) and are
 * then garbage in the old generation; V8 lets that grow to several times the live heap before it
 * collects it, so a 4 GB replay's peak RSS rose with the file though its live data stays ~20 MB. A
 * full collection whenever the heap passes a ceiling above its live data keeps the peak where the start
 * leaves it.
 * V8's own collector is reached through `--expose-gc` set at run time and a new context, which is how
 * Node lets a program have `gc` without a command-line flag.
 *
 * The young generation is held too: V8 doubles its two semi-spaces (up to 16 MB each) whenever enough
 * objects survived its collections, and keeps them resident, so a long replay's young generation ended at
 * 32 MB, a third of the peak. Its maximum (`--max-semi-space-size`) is fixed when the process starts,
 * but the growth factor is read at each growth: set to 1 once the young generation has reached
 * YOUNG_CEILING, it stops growing there (measured: a 300,000-frame replay of the demo host peaked at
 * 88 MB instead of 113 MB, same CPU time). Held from the start instead (1 MB semi-spaces), more
 * objects outlive them into the old generation and the peak is higher (105 MB).
 */
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * Above this much used old generation a full collection runs: a replay's live data is ~16 MB there.
 * (The young generation is left out: it is emptied by its own collections, and counting it would
 * make every look at the heap a full collection.)
 */
export const HEAP_CEILING = 24 << 20;
/**
 * The ceiling while `replay`'s decoder thread runs beside it: that thread is another V8 isolate
 * (~14 MB with its heap), paid for by less garbage here. With the live data at ~16 MB, a full
 * collection then runs 2 MB above it (at 24 MB, 12 MB above): measured on a 0.7 M-frame replay, the
 * peak RSS went from 108 MB to 99 MB, for 8 more full collections (~0.2 s of CPU).
 */
export const HEAP_CEILING_BESIDE_A_THREAD = 4 << 20;
/** Both semi-spaces together, past which the young generation is not let grow. */
export const YOUNG_CEILING = 8 << 20;
/** Frames between two looks at the heap (reading its statistics costs about a microsecond). */
const CHECK_EVERY = 4096;
/**
 * Frames between two looks at the young generation until it is held: it doubles at a scavenge, and
 * 4,096 frames of a fast replay (~14 MB allocated, several scavenges) can let it double twice between
 * two looks. 256 frames allocate less than a semi-space.
 */
const YOUNG_CHECK_EVERY = 256;

export interface HeapCap {
  /** Call once per frame. */
  tick(): void;
  /** Full collections run so far. */
  readonly collections: number;
}

/** The young generation's committed size, and a way to stop its growth (V8's unless given). */
export interface YoungGeneration {
  size(): number;
  hold(): void;
  /** Lets it grow again (V8's default growth). */
  release?(): void;
}

/**
 * Holds the young generation where it is while the hosts load, before the replay's heapCap takes over:
 * loading grew it to 8 or to 16 MB by chance (the survivors of a few scavenges decide), and at 16 no
 * collection gives the memory back (a 0.5 GB replay then peaked at 104 MB instead of 97). Call the
 * returned function once the hosts are loaded and any worker thread has started (Node sets V8's flags
 * anew when one starts, which undoes a hold): it lets the young generation grow again if it is under
 * YOUNG_CEILING, where heapCap then holds it, else holds it again where it is.
 */
export function holdYoungWhileLoading(young: YoungGeneration = V8_YOUNG): () => void {
  young.hold();
  return () => {
    if (young.size() < YOUNG_CEILING) young.release?.();
    else young.hold();
  };
}

/** A heap cap; `gc` and `used` are the collector and the old generation's use (V8's unless given). */
export function heapCap(
  ceiling = HEAP_CEILING,
  gc: () => void = v8Gc() ?? (() => {}),
  used: () => number = oldSpaceUsed,
  young: YoungGeneration = V8_YOUNG,
): HeapCap {
  let frames = 0;
  let collections = 0;
  // Loading the host may have grown it past the ceiling already: it is then held where it is.
  let youngHeld = false;
  const holdYoung = () => {
    if (youngHeld || young.size() < YOUNG_CEILING) return;
    young.hold();
    youngHeld = true;
  };
  holdYoung();
  // The bar moves with the live heap: a host of 100k flows keeps far more than the ceiling alive, and
  // a fixed bar would then collect in full every CHECK_EVERY frames. Garbage is capped at half the
  // ceiling above what the last full collection left: with the whole ceiling, a replay whose live
  // data is ~16 MB let its old generation reach 48 MB between collections, and a 0.5 GB replay
  // peaked at 109 MB where its first collection, at 32 MB, had left it at 95 MB.
  let bar = ceiling;
  return {
    tick() {
      ++frames;
      if (!youngHeld && frames % YOUNG_CHECK_EVERY === 0) holdYoung();
      if (frames % CHECK_EVERY !== 0) return;
      // Held again at every look: Node sets V8's flags anew when a worker thread starts (the replay's
      // decoder thread does, beside the replay), which let the young generation double past the hold.
      if (youngHeld) young.hold();
      if (used() < bar) return;
      gc();
      collections++;
      bar = Math.max(ceiling, used() + ceiling / 2);
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

const V8_YOUNG: YoungGeneration = {
  size() {
    for (const s of getHeapSpaceStatistics()) if (s.space_name === "new_space") return s.space_size;
    return 0;
  },
  hold() {
    growthFactor(1);
  },
  release() {
    growthFactor(2);
  },
};

/** V8's semi-space growth factor (2 by default), read at each growth of the young generation. */
function growthFactor(factor: number): void {
  // The process's other V8 flags are left as they are; a runtime that refuses this one keeps growing.
  try {
    setFlagsFromString(`--semi-space-growth-factor=${factor}`);
  } catch {
    // No hold: memory is then only capped in the old generation.
  }
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
