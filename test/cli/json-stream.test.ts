/**
 * `replay --json` writes its frames one by one (JsonListStream): the text must be exactly what one
 * toJson of the whole document printed, for any list and members, so that scripts reading it see the
 * same document, now without the memory of every frame.
 */
import { Buffer } from "node:buffer";
import { beforeEach, describe, expect, it, vi } from "vitest";

const written = vi.hoisted(() => ({ chunks: [] as Buffer[] }));
vi.mock("node:fs", async (actual) => {
  const { Buffer } = await import("node:buffer");
  return {
    ...(await actual<typeof import("node:fs")>()),
    writeSync: (fd: number, buf: Uint8Array, off: number, len: number) => {
      if (fd === 1) written.chunks.push(Buffer.from(buf.subarray(off, off + len)));
      return len;
    },
  };
});

const { flush } = await import("../../src/cli/io.js");
const { toJson } = await import("../../src/cli/commands/hosts.js");
const { JsonListStream } = await import("../../src/cli/json-stream.js");

beforeEach(() => {
  written.chunks = [];
});

const frame = (n: number) => ({
  frame: n,
  summary: `10.0.0.${n} → 10.0.0.2 "quoted"\nnewline`,
  cookie: 0x6a1f3c9e2b7d4a15n * BigInt(n),
  tree: { hops: [{ host: "compute1", port: "qvo1" }], forks: [] },
  byPort: new Map([["a", 1]]),
  steps: n % 2 ? [] : [{ table: 0, ties: [] }],
  drop: undefined,
});

describe("JsonListStream writes what toJson of the whole document prints", () => {
  it.each([
    ["no items, members", [], { verdicts: { delivered: 0 }, stats: { frames: 0 } }],
    ["one item, members", [frame(1)], { verdicts: { delivered: 1 }, drops: [] }],
    ["many items, members", [1, 2, 3, 4, 5].map(frame), { verdicts: { delivered: 5 }, counters: [1, 2] }],
    ["items, no members", [frame(1), frame(2)], {}],
    ["no items, no members", [], {}],
  ])("%s", (_name, items, rest) => {
    const stream = new JsonListStream("frames");
    for (const i of items) stream.item(i);
    stream.end(rest);
    flush();
    expect(Buffer.concat(written.chunks).toString("utf8")).toBe(`${toJson({ frames: items, ...rest })}\n`);
  });
});
