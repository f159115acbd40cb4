import { describe, expect, it } from "vitest";
import { captureFixtures } from "../../scripts/fixtures/captures.js";
import { captureFromBytes, recordData } from "../../src/capture/index.js";

describe("readAt: random access that leaves the walk where it was", () => {
  it.each(
    captureFixtures()
      .filter((f) => !f.rejected && f.frames.length > 1)
      .map((f) => [f.name, f] as const),
  )("%s: every frame by offset, interleaved with the walk", (_n, f) => {
    const seq = captureFromBytes(f.bytes, f.name);
    if (!seq.ok) throw new Error(seq.error.message);
    const frames: Array<{ data: Uint8Array; offset: number; frame: number }> = [];
    for (let r = seq.value.next(); r; r = seq.value.next())
      frames.push({ data: recordData(r).slice(), offset: r.fileOffset, frame: r.frame });

    const r = captureFromBytes(f.bytes, f.name, { windowBytes: 64 });
    if (!r.ok) throw new Error(r.error.message);
    const reader = r.value;
    for (let i = 0; i < frames.length; i++) {
      // Between two steps of the walk, a frame the walk has passed (pcapng interfaces are known then).
      const j = Math.floor((i - 1) / 2);
      if (i > 0) {
        const other = reader.readAt(frames[j].offset, frames[j].frame);
        expect(other?.frame).toBe(frames[j].frame);
        expect(other && recordData(other)).toEqual(frames[j].data);
      }
      const rec = reader.next();
      expect(rec?.frame).toBe(frames[i].frame);
      expect(rec && recordData(rec)).toEqual(frames[i].data);
    }
    expect(reader.next()).toBeNull();
    for (const x of [...frames].reverse()) expect(reader.readAt(x.offset, x.frame)?.frame).toBe(x.frame);
    expect(reader.next()).toBeNull();
    expect(reader.diagnostics).toEqual(seq.value.diagnostics);
  });

  it("returns null for an offset past the end, without a diagnostic", () => {
    const f = captureFixtures().find((x) => !x.rejected && x.frames.length > 1);
    if (!f) throw new Error("no fixture");
    const r = captureFromBytes(f.bytes, f.name);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.readAt(f.bytes.length + 100, 9)).toBeNull();
    expect(r.value.diagnostics).toEqual([]);
    expect(r.value.next()?.frame).toBe(1);
  });
});
