/**
 * The replayer's lean translations (the replay verb prints no trace text): every verdict, hop, drop
 * explanation, near miss and table step must be what the whole trace gives, frame by frame, with and
 * without the megaflow cache; and the lean trees must hold no action lines and no nested lists.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openCapture, recordData } from "../../src/capture/index.js";
import { type Host, loadHosts } from "../../src/dumps/host/load.js";
import { Replayer } from "../../src/explain/replay.js";
import type { FrameVerdict } from "../../src/explain/types.js";
import { switchesOf, traceSteps } from "../../src/pipeline/index.js";
import type { TraceNode } from "../../src/pipeline/trace-tree.js";
import { REPO_ROOT } from "../support/shared.js";

const DEMO = join(REPO_ROOT, "fixtures", "demo");

/** The captures of the repository's own demo data, each with the hosts it is replayed through. */
const CASES = [
  { capture: "compute1-qvo8c2d4e6f-1a-rx.pcap", hosts: "hosts" },
  { capture: "compute1-tap9d3e5f70-2b-rx.pcap", hosts: "hosts" },
  { capture: "compute1-eth1-tx.pcap", hosts: "hosts" },
  { capture: join("ovn", "hv1-vm1-rx.pcap"), hosts: join("ovn", "hosts") },
];

/** A verdict as the replay verb reports it: everything but the trace trees, plus their table steps. */
function reported(v: FrameVerdict): unknown {
  const { traces, ...rest } = v;
  return { ...rest, steps: traces.flatMap(traceSteps) };
}

/** Every frame's verdict, or what `read` takes of it before the next frame is replayed. */
function replayAll(hosts: readonly Host[], capture: string, lean: boolean, cache: boolean): FrameVerdict[];
function replayAll<T>(
  hosts: readonly Host[],
  capture: string,
  lean: boolean,
  cache: boolean,
  read: (v: FrameVerdict) => T,
): T[];
function replayAll(
  hosts: readonly Host[],
  capture: string,
  lean: boolean,
  cache: boolean,
  read: (v: FrameVerdict) => unknown = (v) => v,
): unknown[] {
  // Switches of their own: a replay's learning and conntrack state carry over between frames.
  const replayer = new Replayer(switchesOf(hosts), { lean, cache });
  const opened = openCapture(join(DEMO, capture));
  if (!opened.ok) throw new Error(opened.error.message);
  const out: unknown[] = [];
  for (let r = opened.value.next(); r; r = opened.value.next())
    out.push(read(replayer.replayFrame(r.frame, recordData(r), { linkType: r.linktype, wireLength: r.len })));
  opened.value.close();
  return out;
}

/** Every node of a verdict's traces, at any depth. */
function nodesOf(v: FrameVerdict): TraceNode[] {
  const out: TraceNode[] = [];
  const walk = (nodes: readonly TraceNode[]): void => {
    for (const n of nodes) {
      out.push(n);
      walk(n.subs);
    }
  };
  for (const t of v.traces) for (const p of t.passes) walk(p.nodes);
  return out;
}

describe("lean replay (no trace text)", () => {
  const loaded = new Map<string, Host[]>();
  beforeAll(async () => {
    for (const dir of new Set(CASES.map((c) => c.hosts))) loaded.set(dir, await loadHosts(join(DEMO, dir)));
  });

  describe.each(CASES)("$capture", ({ capture, hosts }) => {
    it.each([true, false])("reports what the whole trace reports (cache %s)", (cache) => {
      const whole = replayAll(loaded.get(hosts) ?? [], capture, false, cache);
      const lean = replayAll(loaded.get(hosts) ?? [], capture, true, cache);
      expect(lean.length).toBeGreaterThan(0);
      expect(lean.map(reported)).toEqual(whole.map(reported));
    });
  });

  it("without the cache, a verdict's keys (inputs, outputs' flows) read at once are the whole trace's", () => {
    // Read frame by frame: a lean replay without its cache hands the same keys to the next frame.
    const keysOf = (v: FrameVerdict) =>
      v.traces.flatMap((t) =>
        t.passes.flatMap((p) => [Array.from(p.flow), ...p.outputs.map((o) => Array.from(o.flow))]),
      );
    let keys = 0;
    for (const { capture, hosts } of CASES) {
      const whole = replayAll(loaded.get(hosts) ?? [], capture, false, false).map(keysOf);
      const lean = replayAll(loaded.get(hosts) ?? [], capture, true, false, keysOf);
      expect(lean).toEqual(whole);
      keys += lean.flat().length;
    }
    expect(keys).toBeGreaterThan(0);
  });

  it("keeps no action lines, no nested lists and no datapath text, and the demo's drops are among the frames", () => {
    const lean = replayAll(loaded.get("hosts") ?? [], CASES[0].capture, true, false);
    const nodes = lean.flatMap(nodesOf);
    expect(nodes.some((n) => n.type === "table")).toBe(true);
    expect(nodes.filter((n) => n.type === "action")).toEqual([]);
    expect(nodes.filter((n) => n.subs.length > 0)).toEqual([]);
    expect(lean.some((v) => v.drop && v.drop.nearMisses.length > 0)).toBe(true);
    // Nor the datapath actions' text, which only a printed trace shows.
    expect(
      new Set(lean.flatMap((v) => v.traces.flatMap((t) => t.passes.map((p) => p.datapathActions)))),
    ).toEqual(new Set([""]));
  });

  it("leaves the whole trace its action lines and datapath actions by default (the TUI prints them)", () => {
    const whole = replayAll(loaded.get("hosts") ?? [], CASES[0].capture, false, false);
    const nodes = whole.flatMap(nodesOf);
    expect(nodes.some((n) => n.type === "action")).toBe(true);
    expect(nodes.some((n) => n.type === "table" && n.subs.length > 0)).toBe(true);
    expect(whole.flatMap((v) => v.traces.flatMap((t) => t.passes.map((p) => p.datapathActions)))).toContain(
      "drop",
    );
  });
});
