/**
 * Conformance with real OVS on an OVN chassis: every ofproto/trace recorded in the OVN lab (37, on
 * hv1, hv2 and hv3, over the dumps sos wrote on each), beside the demo's OVN pair (6, with a QoS
 * meter and a rate-limited ACL log) and on the bench's big chassis (22, 63,737 flows), replayed by ovspath, gives the same OpenFlow steps and the same
 * Datapath actions by meaning (recirculation ids, zones, datapath meter ids and flood order aside).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { FlowEntry } from "../../src/dumps/flows.js";
import { loadHosts } from "../../src/dumps/host/load.js";
import { ovnDatabases } from "../../src/ovn/db.js";
import { buildOvnModel } from "../../src/ovn/model.js";
import { ctStateValue } from "../../src/pipeline/ct-state.js";
import { formatTrace, parseTraceFlow, type SimHost, switchesOf, trace } from "../../src/pipeline/index.js";
import { passOutputs, readRecordedTrace, traceSteps } from "../support/ovs-trace.js";
import { REPO_ROOT } from "../support/shared.js";

/** Each recording: its hosts' dumps, its traces, how many. */
const LABS = [
  {
    name: "the OVN lab",
    hosts: join(REPO_ROOT, "fixtures/ovn-lab"),
    traces: join(REPO_ROOT, "fixtures/ovn-lab/traces"),
    count: 37,
  },
  {
    name: "the demo's OVN pair",
    hosts: join(REPO_ROOT, "fixtures/demo/ovn/hosts"),
    traces: join(REPO_ROOT, "fixtures/ovn-demo/traces"),
    count: 6,
  },
  {
    // The bench's big chassis (63,737 flows on hv1's br-int), its central node and hv1 in one archive.
    name: "the big OVN chassis",
    hosts: join(REPO_ROOT, "fixtures/ovn-big/hosts.tar.xz"),
    traces: join(REPO_ROOT, "fixtures/ovn-big/traces"),
    count: 22,
  },
];

/**
 * Recorded traces the dumps cannot reproduce (it.fails: when one passes, this list must shrink).
 * 030 (vm1's ARP for 10.0.1.99, flooded on ls1, reaching lr1): the lab records its traces before it
 * injects its traffic, and the traffic's first frame (vm1's ARP for 10.0.1.1) taught lr1 vm1's MAC: a
 * MAC_Binding (lr1-ls1, 10.0.1.11 → fa:16:3e:00:01:01) that ovn-controller compiled into two flows on
 * hv1 (tables 66 and 67, the binding's cookie) after the trace and before the dumps. With them lr1
 * already knows the sender, so table 67 matches and no ARP goes to ovn-controller; when OVS traced, 67
 * missed and table 10 sent it (`controller(userdata=00.00.00.01…)`, the first `userspace` of the
 * Datapath actions). Nothing in a sosreport says when a trace ran, so the dumps cannot tell which
 * flows it saw; the test below shows those two flows are the whole difference.
 */
const KNOWN_DEVIATIONS = new Set<string>(["030-hv1.txt"]);

/**
 * A zone number, a recirculation id or a datapath meter id OVS allocated differs run to run (the meter's
 * is in no dump: ovspath prints the OpenFlow id): compare without them.
 */
const noIds = (lines: string[][]) =>
  lines.map((l) =>
    l.map((x) =>
      x
        .replace(/zone=\d+/g, "zone=N")
        .replace(/recirc_id=\w+/g, "recirc_id=ID")
        .replace(/meter\(\d+\)/g, "meter(ID)"),
    ),
  );

/** The `Flow:` and `Final flow:` lines, recirculation ids aside. */
const flowLines = (t: string) =>
  t
    .split("\n")
    .filter((l) => /^(Final )?[Ff]low: /.test(l))
    .map((l) => l.replace(/recirc_id=0x[0-9a-f]+/, "recirc_id=ID"));

describe.each(LABS)("recorded ofproto/trace of $name", ({ hosts, traces: TRACES, count }) => {
  let switches: SimHost[];
  // The big chassis takes seconds to unpack and parse on a loaded machine: more than a hook's default 10 s.
  beforeAll(async () => {
    switches = switchesOf(await loadHosts(hosts));
  }, 120_000);
  const files = readdirSync(TRACES)
    .filter((f) => /^\d+-\w+\.txt$/.test(f))
    .sort();
  it(`has the ${count} traces`, () => expect(files).toHaveLength(count));
  const expected = files.filter((f) => !KNOWN_DEVIATIONS.has(f));
  const known = files.filter((f) => KNOWN_DEVIATIONS.has(f));
  it.each(expected)("%s", (file) => check(switches, TRACES, file));
  if (known.length > 0) it.fails.each(known)("%s (known deviation)", (file) => check(switches, TRACES, file));
});

/** A recorded trace, replayed by ovspath on `switches`, against OVS's. */
function check(switches: readonly SimHost[], traces: string, file: string): void {
  const host = /^\d+-(\w+)\.txt$/.exec(file)?.[1];
  const sw = switches.find((s) => s.name === host);
  expect(sw, `host ${host}`).toBeDefined();
  if (!sw) return;
  const rec = readRecordedTrace(readFileSync(join(traces, file), "utf8"));
  const br = sw.bridges.get(rec.bridge);
  const parsed = parseTraceFlow(rec.flow, (n) => br?.byName.get(n)?.ofport);
  expect(parsed.ok, parsed.ok ? "" : parsed.message).toBe(true);
  if (!parsed.ok) return;
  const ctNext = rec.ctNext.map((c) => ctStateValue(c) as number);
  const result = trace({ host: sw, bridge: rec.bridge, flow: parsed.flow, withPacket: false, ctNext });
  const text = formatTrace(result);
  const flooded = /flooding$|_MC_flood|clone\(/m.test(rec.output);
  const steps = (t: string) => (flooded ? traceSteps(t).sort() : traceSteps(t));
  expect(steps(text)).toEqual(steps(rec.output));
  expect(noIds(passOutputs(text, rec.output)), text).toEqual(noIds(passOutputs(rec.output, rec.output)));
  // Every Flow: and Final flow: line as OVS prints it, the Geneve options (tun_metadata0) included.
  expect(flowLines(text)).toEqual(flowLines(rec.output));
}

describe("030-hv1 without the MAC binding learned after it", () => {
  it("the binding's flows are the youngest in hv1's dump; without them ovspath's trace is OVS's", async () => {
    const LAB = join(REPO_ROOT, "fixtures/ovn-lab");
    const hosts = await loadHosts(LAB);
    const bindings = buildOvnModel(ovnDatabases(hosts)).macBindings;
    expect(bindings.map((b) => [b.logicalPort, b.ip, b.mac])).toEqual([
      ["lr1-ls1", "10.0.1.11", "fa:16:3e:00:01:01"],
    ]);
    const cookie = BigInt(`0x${bindings[0].uuid.slice(0, 8)}`);
    const hv1 = hosts.find((h) => h.name === "hv1");
    const dumps = hv1?.dumps.flows.filter((d) => d.bridge === "br-int") ?? [];
    expect(dumps.length).toBeGreaterThan(0);
    const seconds = (f: FlowEntry) => Number.parseFloat(f.stats.duration ?? "");
    for (const d of dumps) {
      const learned = d.value.flows.filter((f) => f.cookie === cookie);
      expect(learned.map((f) => f.table).sort()).toEqual([66, 67]);
      // Installed seconds after every other flow: the dump's durations count from installation.
      const youngest = Math.min(...d.value.flows.filter((f) => f.cookie !== cookie).map(seconds));
      for (const f of learned) expect(seconds(f)).toBeLessThan(youngest - 5);
      d.value.flows = d.value.flows.filter((f) => f.cookie !== cookie);
    }
    check(switchesOf(hosts), join(LAB, "traces"), "030-hv1.txt");
  });
});
