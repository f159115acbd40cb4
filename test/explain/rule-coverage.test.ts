import { describe, expect, it } from "vitest";
import { openCapture, recordData } from "../../src/capture/index.js";
import { loadHosts } from "../../src/dumps/host/load.js";
import { Replayer } from "../../src/explain/replay.js";
import { countedButMissed, FlowCoverage, flowKey } from "../../src/explain/rule-coverage.js";
import type { FrameVerdict } from "../../src/explain/types.js";
import { switchesOf } from "../../src/pipeline/index.js";
import { resolveAt } from "../../src/pipeline/ingress.js";

/** The demo: vm1's capture replayed through compute1 from its port (14 frames). */
async function demoVerdicts() {
  const switches = switchesOf(await loadHosts("fixtures/demo/hosts"));
  const at = resolveAt(switches, "compute1:qvo8c2d4e6f-1a");
  if (typeof at === "string") throw new Error(at);
  const replayer = new Replayer(switches, { at });
  const r = openCapture("fixtures/demo/compute1-qvo8c2d4e6f-1a-rx.pcap");
  if (!r.ok) throw new Error(r.error.message);
  const verdicts: FrameVerdict[] = [];
  for (let rec = r.value.next(); rec; rec = r.value.next())
    verdicts.push(replayer.replayFrame(rec.frame, recordData(rec), { linkType: rec.linktype }));
  r.value.close();
  return { switches, verdicts };
}

describe("FlowCoverage", () => {
  it("counts each frame once per flow it crossed, with the first; every flow listed, hit or not", async () => {
    const { switches, verdicts } = await demoVerdicts();
    const cov = new FlowCoverage();
    for (const v of verdicts) cov.add(v);
    // A frame added twice (a cached verdict shares its traces) still counts once.
    cov.add(verdicts[verdicts.length - 1]);
    const flows = cov.report(switches);
    const all = switches
      .flatMap((s) => [...s.bridges.values()])
      .reduce((n, b) => {
        let k = 0;
        for (const t of b.classifier.tables.values()) k += t.flows().length;
        return n + k;
      }, 0);
    expect(flows).toHaveLength(all);
    // Every frame enters br-int table 0 (some twice, through another port); the priority-9 flow of vm1's
    // port takes the 7 frames that are not ARP or NA, the first of them frame 4.
    const table0 = flows.filter((f) => f.bridge === "br-int" && f.table === 0 && f.frames > 0);
    expect(table0.reduce((n, f) => n + f.frames, 0)).toBeGreaterThanOrEqual(14);
    expect(Math.min(...table0.map((f) => f.firstFrame ?? 99))).toBe(1);
    const vm1 = flows.filter(
      (f) => f.bridge === "br-int" && f.table === 0 && f.priority === 9 && f.frames > 0,
    );
    expect(vm1).toEqual([expect.objectContaining({ frames: 7, firstFrame: 4 })]);
    for (const f of flows) {
      expect(cov.framesAt(flowKey(f.file, f.line))).toBe(f.frames);
      if (f.frames === 0) expect(f.firstFrame).toBeUndefined();
    }
    // The dump counted some flows this capture never reached.
    expect(countedButMissed(flows).every((f) => f.frames === 0 && (f.nPackets ?? 0) > 0)).toBe(true);
  });
});
