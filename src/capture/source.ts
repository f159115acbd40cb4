import { closeSync, fstatSync, openSync, readSync } from "node:fs";

/** Where capture bytes come from: a file (read with readSync, never loaded whole) or memory. */
export interface ByteSource {
  readonly size: number;
  /** Reads up to `length` bytes at `position` into `target[targetOffset..]`; returns the count (0 at EOF). */
  read(target: Uint8Array, targetOffset: number, length: number, position: number): number;
  close(): void;
}

export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read(target, targetOffset, length, position) {
      if (position >= bytes.length) return 0;
      const n = Math.min(length, bytes.length - position);
      target.set(bytes.subarray(position, position + n), targetOffset);
      return n;
    },
    close() {},
  };
}

/** Opens a file source. Throws the fs error (ENOENT, EISDIR...) for the caller to report. */
export function fileSource(path: string): ByteSource {
  const fd = openSync(path, "r");
  let size: number;
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error(`${path} is a directory`), { code: "EISDIR" });
    size = st.size;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  let open = true;
  return {
    size,
    read(target, targetOffset, length, position) {
      return readSync(fd, target, targetOffset, length, position);
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
