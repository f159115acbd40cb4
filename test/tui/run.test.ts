import { describe, expect, it } from "vitest";
import { openTuiData } from "../../src/tui/run.js";
import { DEMO_CAPTURE, demoData } from "../support/tui.js";

describe("openTuiData", () => {
  it("indexes the first slice before the first render and compiles filters", async () => {
    const data = await demoData();
    expect(data.source?.count).toBe(14);
    expect(data.replay).toBeDefined();
    const bad = data.compileFilter("ip.src ==");
    expect(bad.ok).toBe(false);
    const unknown = data.compileFilter("nosuch.field");
    expect(unknown).toMatchObject({ ok: false, column: 1 });
    expect(data.compileFilter('reason == "unknown-tunnel"')).toMatchObject({ ok: false, column: 11 });
    const good = data.compileFilter("drop");
    if (!good.ok) throw new Error(good.message);
    expect(typeof data.openScan?.(good.filter)).toBe("object");
  });

  it("a verdict filter without hosts says what is missing; a missing capture is an error", () => {
    const data = openTuiData({ capture: DEMO_CAPTURE, hosts: [], switches: [], title: "t" });
    if (typeof data === "string") throw new Error(data);
    expect(data.replay).toBeUndefined();
    const f = data.compileFilter("drop");
    if (!f.ok) throw new Error(f.message);
    expect(data.openScan?.(f.filter)).toMatch(/load hosts/);
    expect(openTuiData({ capture: "/nonexistent.pcap", hosts: [], switches: [], title: "t" })).toMatch(
      /no such file/,
    );
  });
});
