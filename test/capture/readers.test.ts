import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { captureFixtures } from "../../scripts/fixtures/captures.js";
import { captureFromBytes, formatTimestamp, openCapture } from "../../src/capture/index.js";
import { REPO_ROOT } from "../support/shared.js";

const fixtures = captureFixtures();

function readAll(bytes: Uint8Array, name: string, windowBytes?: number) {
  const opened = captureFromBytes(bytes, name, windowBytes ? { windowBytes } : {});
  if (!opened.ok) return { rejected: true as const, error: opened.error };
  const r = opened.value;
  const frames = [];
  for (let rec = r.next(); rec; rec = r.next()) {
    const iface = r.interfaces[rec.interfaceId];
    frames.push({
      caplen: rec.caplen,
      len: rec.len,
      ts: formatTimestamp(rec),
      linktype: rec.linktype,
      ...(iface?.name !== undefined ? { ifName: iface.name } : {}),
      ...(rec.comment !== undefined ? { comment: rec.comment } : {}),
    });
  }
  return { rejected: false as const, frames, reader: r };
}

describe("capture readers on generated fixtures", () => {
  // A 64-byte window forces a refill and a buffer growth on nearly every record.
  it.each(
    fixtures.flatMap((f) => [
      [f.name, f, undefined] as const,
      [`${f.name} (64-byte window)`, f, 64] as const,
    ]),
  )("%s", (_label, f, windowBytes) => {
    const got = readAll(f.bytes, f.name, windowBytes);
    if (f.rejected) {
      expect(got.rejected).toBe(true);
      return;
    }
    if (got.rejected) throw new Error(got.error.message);
    expect(got.frames).toEqual(f.frames);
    const errors = got.reader.diagnostics.filter((d) => d.severity === "error");
    expect(errors.length).toBe(f.errors);
    for (const d of errors) {
      expect(d.frame).toBe(f.frames.length + 1);
      expect(d.byteOffset).toBeGreaterThan(0);
    }
    if (f.skipped) expect(got.reader.stats.skippedBlocks).toEqual(f.skipped);
  });

  it("names the problem of a file that is not a capture", () => {
    const got = captureFromBytes(new TextEncoder().encode("hello world"), "x.txt");
    expect(got.ok).toBe(false);
    if (!got.ok) expect(got.error.message).toMatch(/not a pcap or pcapng capture \(magic 0x68656c6c\)/);
  });

  it("reports a missing file", () => {
    const got = openCapture("/nonexistent/file.pcap");
    expect(got.ok).toBe(false);
    if (!got.ok) expect(got.error.message).toMatch(/no such file/);
  });
});

const tshark = spawnSync("tshark", ["--version"], { encoding: "utf8" });
const HAVE_TSHARK = tshark.status === 0;

describe.skipIf(!HAVE_TSHARK)("committed fixtures agree with tshark", () => {
  it.each(fixtures.filter((f) => !f.rejected).map((f) => [f.name, f] as const))("%s", (_n, f) => {
    const path = join(REPO_ROOT, "fixtures", "captures", f.name);
    const res = spawnSync(
      "tshark",
      ["-r", path, "-T", "fields", "-e", "frame.cap_len", "-e", "frame.len", "-e", "frame.time_epoch"],
      {
        encoding: "utf8",
      },
    );
    // Keep trailing tabs: an SPB has an empty time column.
    const rows = res.stdout
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => l.split("\t"));
    const opened = openCapture(path);
    if (!opened.ok) throw new Error(opened.error.message);
    const ours: string[][] = [];
    for (let r = opened.value.next(); r; r = opened.value.next()) {
      ours.push([String(r.caplen), String(r.len), formatTimestamp(r) ?? ""]);
    }
    expect(ours).toEqual(rows);
  });
});
