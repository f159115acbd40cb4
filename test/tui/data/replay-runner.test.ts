import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadHosts } from "../../../src/dumps/host/load.js";
import { switchesOf } from "../../../src/pipeline/index.js";
import { resolveAt } from "../../../src/pipeline/ingress.js";
import { ReplayRunner } from "../../../src/tui/data/replay-runner.js";
import { BROKEN, DEMO, DEMO_CAPTURE, HAVE_BROKEN, UNDERLAY } from "../../support/tui.js";

describe("ReplayRunner", () => {
  it("replays the demo in slices: a verdict kind per frame, full verdicts kept, the drop groups", async () => {
    const hosts = await loadHosts(join(DEMO, "hosts"));
    const switches = switchesOf(hosts);
    const at = resolveAt(switches, "compute1:qvo8c2d4e6f-1a");
    if (typeof at === "string") throw new Error(at);
    const r = ReplayRunner.open(DEMO_CAPTURE, switches, { at });
    if (!r.ok) throw new Error(r.error.message);
    const run = r.value;
    expect(run.kind(1)).toBeUndefined();
    while (!run.step(0.01)) {
      // slices of ~256 frames at most
    }
    expect(run.count).toBe(14);
    expect([...Array(14).keys()].map((i) => run.kind(i + 1))).toEqual([
      "delivered",
      "delivered",
      "delivered",
      "tunneled",
      "tunneled",
      "tunneled",
      "tunneled",
      "dropped",
      "dropped",
      "dropped",
      "delivered",
      "tunneled",
      "delivered",
      "dropped",
    ]);
    expect(run.verdict(8)?.drop?.reason).toBe("anti-spoofing");
    expect(run.verdict(1)?.verdict).toBe("delivered");
    expect(run.drops().map((g) => [g.table, g.frames])).toEqual([
      [24, [9, 14]],
      [25, [8]],
      [60, [10]],
    ]);
    expect(run.verdicts).toEqual({ delivered: 5, tunneled: 5, dropped: 4 });
    run.close();
  });

  it.runIf(HAVE_BROKEN)("follows the VNI-100 frames into compute2's br-tun table 4", async () => {
    const hosts = await loadHosts(join(BROKEN, "compute2"));
    const r = ReplayRunner.open(UNDERLAY, switchesOf(hosts));
    if (!r.ok) throw new Error(r.error.message);
    while (!r.value.step(10)) {
      // until done
    }
    const g = r.value.drops();
    expect(g[0]).toMatchObject({ host: "compute2", bridge: "br-tun", table: 4, reason: "unknown-tunnel-id" });
  });
});
