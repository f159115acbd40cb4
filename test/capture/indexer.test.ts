import { describe, expect, it } from "vitest";
import { captureFixtures } from "../../scripts/fixtures/captures.js";
import { captureFromBytes, indexCapture, recordData } from "../../src/capture/index.js";

describe("indexCapture and seek", () => {
  it.each(
    captureFixtures()
      .filter((f) => !f.rejected && f.frames.length > 1)
      .map((f) => [f.name, f] as const),
  )("re-reads every frame of %s by offset, in any order", (_n, f) => {
    const seq = captureFromBytes(f.bytes, f.name);
    if (!seq.ok) throw new Error(seq.error.message);
    const frames: Uint8Array[] = [];
    for (let r = seq.value.next(); r; r = seq.value.next()) frames.push(recordData(r).slice());

    const idxReader = captureFromBytes(f.bytes, f.name);
    if (!idxReader.ok) throw new Error(idxReader.error.message);
    const index = indexCapture(idxReader.value);
    expect(index.count).toBe(frames.length);

    const order = [...frames.keys()].reverse();
    for (const i of order) {
      idxReader.value.seek(index.offsets[i], i + 1);
      const rec = idxReader.value.next();
      expect(rec?.frame).toBe(i + 1);
      expect(rec && recordData(rec)).toEqual(frames[i]);
    }
  });
});
