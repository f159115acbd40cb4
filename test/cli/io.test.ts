import { Buffer } from "node:buffer";
import { beforeEach, describe, expect, it, vi } from "vitest";

/** What reached each file descriptor, and how much each write takes (a short write or EAGAIN). */
const written = vi.hoisted(() => ({
  bytes: new Map<number, Buffer[]>(),
  writes: 0,
  /** Per call, how many bytes the "kernel" takes at most (undefined: all; 0: EAGAIN). */
  takes: [] as Array<number | undefined>,
}));

vi.mock("node:fs", async (actual) => {
  const { Buffer } = await import("node:buffer");
  return {
    ...(await actual<typeof import("node:fs")>()),
    writeSync: (fd: number, buf: Uint8Array, off: number, len: number) => {
      const take = written.takes[written.writes++];
      if (take === 0) throw Object.assign(new Error("EAGAIN"), { code: "EAGAIN" });
      const n = Math.min(len, take ?? len);
      const into = written.bytes.get(fd) ?? [];
      into.push(Buffer.from(buf.subarray(off, off + n)));
      written.bytes.set(fd, into);
      return n;
    },
  };
});

const { err, flush, out } = await import("../../src/cli/io.js");

const STDOUT = 1;
const STDERR = 2;
const bytesOf = (fd: number) => Buffer.concat(written.bytes.get(fd) ?? []);
const text = (fd: number) => bytesOf(fd).toString("utf8");

beforeEach(() => {
  written.bytes.clear();
  written.writes = 0;
  written.takes = [];
});

describe("out: lines written as UTF-8, each with its newline, in order", () => {
  const arrow = "10.0.0.1 → 10.0.0.2 TCP 1 → 2 [ACK]";
  it.each([
    ["one short line", ["hello"]],
    ["empty lines", ["", "", "x", ""]],
    // Enough two-byte text to cross the buffer's end several times, mid-line.
    ["arrows past the buffer's size", Array.from({ length: 20_000 }, (_, i) => `${i} ${arrow}`)],
    ["a line longer than the buffer", ["a", "é".repeat(300_000), "b"]],
    ["astral characters (surrogate pairs)", Array.from({ length: 30_000 }, () => "🐧 ovs")],
  ])("%s", (_name, lines) => {
    for (const l of lines) out(l);
    flush();
    expect(bytesOf(STDOUT).equals(Buffer.from(lines.map((l) => `${l}\n`).join(""), "utf8"))).toBe(true);
  });

  it("a lone surrogate is encoded as a joined text would be (U+FFFD)", () => {
    const lines = ["a\ud800", "\udc00b"];
    for (const l of lines) out(l);
    flush();
    expect(bytesOf(STDOUT).equals(Buffer.from("a\ud800\n\udc00b\n", "utf8"))).toBe(true);
  });
});

describe("out without its newline: the text as it is, a line written in parts", () => {
  it.each([
    ["short parts", ["{", "\n  a", ",", "\n}"]],
    ["a part longer than the buffer", ["x", "é".repeat(300_000), "y"]],
  ])("%s", (_name, parts) => {
    for (const p of parts) out(p, false);
    out("");
    flush();
    expect(bytesOf(STDOUT).equals(Buffer.from(`${parts.join("")}\n`, "utf8"))).toBe(true);
  });
});

describe("writes", () => {
  it("nothing is written before flush for a few lines (buffered)", () => {
    out("x");
    expect(written.writes).toBe(0);
    flush();
    expect(text(STDOUT)).toBe("x\n");
    flush();
    expect(written.writes).toBe(1);
  });

  it("short writes and EAGAIN are retried until all is written", () => {
    written.takes = [3, 0, 1, undefined];
    out("hello → world");
    flush();
    expect(text(STDOUT)).toBe("hello → world\n");
  });

  it("err flushes stdout first, then writes its line", () => {
    out("before");
    err("oops");
    expect(text(STDOUT)).toBe("before\n");
    expect(text(STDERR)).toBe("oops\n");
    expect(written.writes).toBe(2);
  });
});
