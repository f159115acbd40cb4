import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openCapture, recordData } from "../../../src/capture/index.js";
import { CaptureSource } from "../../../src/tui/data/capture-source.js";
import { REPO_ROOT } from "../../support/shared.js";
import { DEMO, DEMO_CAPTURE } from "../../support/tui.js";

describe("CaptureSource", () => {
  it("indexes in slices, then reads any frame's row and bytes by its offset", () => {
    const r = CaptureSource.open(DEMO_CAPTURE);
    if (!r.ok) throw new Error(r.error.message);
    const s = r.value;
    expect(s.count).toBe(0);
    expect(s.progress).toBe(0);
    s.indexAll();
    expect(s.indexed).toBe(true);
    expect(s.count).toBe(14);
    expect(s.progress).toBe(1);
    const row = s.row(8);
    expect(row).toMatchObject({
      frame: 8,
      time: "9.333224",
      summary: "192.168.100.11 → 192.168.100.12 ICMP echo request",
    });
    expect(s.row(0)).toBeUndefined();
    expect(s.row(15)).toBeUndefined();

    // The same bytes as a plain walk, in any order.
    const walk = openCapture(DEMO_CAPTURE);
    if (!walk.ok) throw new Error(walk.error.message);
    const all: Uint8Array[] = [];
    for (let rec = walk.value.next(); rec; rec = walk.value.next()) all.push(recordData(rec).slice());
    for (const f of [14, 1, 7, 8, 2]) expect(s.detail(f)?.data).toEqual(all[f - 1]);
    expect(s.detail(8)?.decoded.layers.map((l) => l.proto)).toEqual(["eth", "ipv4", "icmp"]);
    s.close();
  });

  it("keeps the pcapng interface name of a frame, raw (the panes escape it)", () => {
    const r = CaptureSource.open(join(REPO_ROOT, "fixtures", "captures", "pcapng-control-chars.pcapng"));
    if (!r.ok) throw new Error(r.error.message);
    r.value.indexAll();
    expect(r.value.detail(1)?.ifName).toBe("tap\u001b[31mevil");
    r.value.close();
  });

  it("reports a file that is not a capture", () => {
    const r = CaptureSource.open(`${DEMO}/hosts/compute1`);
    expect(r.ok).toBe(false);
  });
});
