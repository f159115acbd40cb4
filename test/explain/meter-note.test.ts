/**
 * Meters in a trace, against OVS 3.1's own traces on the demo's OVN chassis: the `meter:N` action and a
 * controller action's `meter_id` put the meter in the Datapath actions where OVS puts it (alone before
 * the conntrack commit; in an always-taken sample around the packet-in), and the trace ends with a note
 * that the rate limit is not modelled. Datapath meter ids and recirculation ids are OVS's run-time
 * allocations: compared without them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { meterNotes, tracedMeters } from "../../src/explain/meter-note.js";
import { formatTrace } from "../../src/pipeline/index.js";
import { type OvnLab, ovnDemoLab, traceRecorded } from "../support/ovn-lab.js";
import { readRecordedTrace } from "../support/ovs-trace.js";

let lab: OvnLab;
beforeAll(async () => {
  lab = await ovnDemoLab();
});

function run(file: string) {
  const result = traceRecorded(lab, file);
  const sw = lab.switches.find((s) => s.name === result.host);
  const want = readRecordedTrace(readFileSync(join(lab.traces, file), "utf8")).output;
  return { sw, result, text: formatTrace(result), want };
}

const dpActions = (t: string) =>
  t
    .split("\n")
    .filter((l) => l.startsWith("Datapath actions:"))
    .map((l) => l.replace(/meter\(\d+\)/g, "meter(ID)").replace(/recirc(_id=|\()\w+/g, "recirc$1ID"));

/** The meter ids OVS's trace names (`meter:N`, `meter_id=N`). */
const recordedMeters = (t: string) =>
  [...t.matchAll(/^\s*(?:meter:(\d+)|controller\(.*meter_id=(\d+)\))$/gm)].map((m) => Number(m[1] ?? m[2]));

describe("meters against OVS's traces", () => {
  it.each([
    ["001-hv1.txt", "QoS bandwidth limit (set_meter): meter:N"],
    ["005-hv2.txt", "rate-limited ACL log: controller(...,meter_id=N)"],
  ])("%s (%s): the same Datapath actions, the meter OVS names, one note", (file) => {
    const { sw, result, text, want } = run(file);
    expect(dpActions(text)).toEqual(dpActions(want));
    expect(tracedMeters(result)).toEqual(recordedMeters(want));
    const notes = meterNotes(result, sw);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(
      /^Note: meter \d+ \(drop above \d+ (kbps \(burst 1000\)|pktps)\): the rate limit is not modelled, the packet passes/,
    );
  });

  it("a trace through no meter: no note", () => {
    const { sw, result } = run("002-hv2.txt");
    expect(meterNotes(result, sw)).toEqual([]);
  });
});
