import type { CaptureReader } from "./types.js";

/** Byte offsets of every record, for random access (the TUI's packet list over millions of frames). */
export interface CaptureIndex {
  count: number;
  /** offsets[i] is the file offset of frame i + 1 (a typed array, not an array of objects). */
  offsets: Float64Array;
}

/** Walks the reader to its end once, recording each record's offset. `onProgress` gets frames so far. */
export function indexCapture(reader: CaptureReader, onProgress?: (frames: number) => void): CaptureIndex {
  let offsets = new Float64Array(1024);
  let count = 0;
  for (let rec = reader.next(); rec; rec = reader.next()) {
    if (count === offsets.length) {
      const grown = new Float64Array(offsets.length * 2);
      grown.set(offsets);
      offsets = grown;
    }
    offsets[count++] = rec.fileOffset;
    if (onProgress && (count & 0xffff) === 0) onProgress(count);
  }
  return { count, offsets: offsets.subarray(0, count) };
}
