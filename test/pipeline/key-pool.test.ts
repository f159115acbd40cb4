/**
 * Pooled flow keys: a borrowed key is a copy (or zeros) in a buffer that is handed back; a replay's
 * frame keys are copies good until the next frame, written over from then on.
 */
import { describe, expect, it } from "vitest";
import { K, newFlowKey } from "../../src/model/layout.js";
import {
  borrowKey,
  borrowZeroKey,
  FrameKeys,
  releaseKey,
  releaseZeroed,
} from "../../src/pipeline/key-pool.js";

const keyWith = (inPort: number, nwDst: number) => {
  const k = newFlowKey();
  k[K.inPort] = inPort;
  k[K.nwDst] = nwDst;
  return k;
};

describe("borrowed keys", () => {
  it("a borrowed key is a copy, a zero key is zeros even in a buffer handed back dirty", () => {
    const src = keyWith(4, 0xc0a86415);
    const copy = borrowKey(src);
    expect(copy).not.toBe(src);
    expect(Array.from(copy)).toEqual(Array.from(src));
    releaseKey(copy);
    const zero = borrowZeroKey();
    expect(zero.every((w) => w === 0)).toBe(true);
    releaseKey(zero);
  });

  it("a zero key handed back with the words it was written in is zeros when borrowed again", () => {
    const mask = borrowZeroKey();
    mask[K.nwTos] = 0xfc;
    mask[K.tunId] = 0xffffffff;
    mask[K.tunId + 1] = 0xffffffff;
    const from = Math.min(K.nwTos, K.tunId);
    const to = Math.max(K.nwTos + 1, K.tunId + 2);
    releaseZeroed(mask, from, to);
    const again = borrowZeroKey();
    expect(again).toBe(mask);
    expect(again.every((w) => w === 0)).toBe(true);
    // Never written: handed back as it is, still zeros.
    releaseZeroed(again, 173, 0);
    expect(borrowZeroKey().every((w) => w === 0)).toBe(true);
  });
});

describe("a frame's keys", () => {
  it("hands out distinct copies within a frame, and the same buffers again after a reset", () => {
    const keys = new FrameKeys();
    const a = keys.copy(keyWith(1, 10));
    const b = keys.copy(keyWith(2, 20));
    const z = keys.zeroed();
    expect(new Set([a, b, z]).size).toBe(3);
    expect([a[K.inPort], a[K.nwDst], b[K.inPort], b[K.nwDst]]).toEqual([1, 10, 2, 20]);
    expect(z.every((w) => w === 0)).toBe(true);
    keys.reset();
    const again = keys.zeroed();
    expect(again).toBe(a);
    expect(again.every((w) => w === 0)).toBe(true);
    expect(keys.copy(keyWith(3, 30))).toBe(b);
    expect(b[K.inPort]).toBe(3);
    expect(keys.zeroed()).toBe(z);
    // More keys than any frame before: a new buffer joins the pool.
    const fresh = keys.copy(keyWith(4, 40));
    expect([a, b, z]).not.toContain(fresh);
  });
});
