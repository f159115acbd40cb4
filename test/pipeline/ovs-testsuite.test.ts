/**
 * Open vSwitch's own trace tests (../shared/ovs-lab/ovs-testsuite: 150 switches built by OVS 3.1.0's
 * tests/*.at, 761 ofproto/trace calls recorded from real OVS). Every trace must either agree with OVS
 * (Datapath actions by meaning, as dp-actions-equal compares them; OVS's rejections rejected), or name
 * the feature ovspath does not model (the CLI then says so and exits 1): never a silent different answer.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Host, loadHosts } from "../../src/dumps/host/load.js";
import { ctStateValue } from "../../src/pipeline/ct-state.js";
import {
  flowFromPacket,
  formatTrace,
  parseHexPacket,
  parseTraceFlow,
  type SimHost,
  switchesOf,
  trace,
} from "../../src/pipeline/index.js";
import { notModelled } from "../../src/pipeline/not-modelled.js";
import { passOutputs, readRecordedTrace } from "../support/ovs-trace.js";
import { HAVE_SHARED, NEEDS, SHARED, skipWithoutShared } from "../support/shared.js";

const ROOT = join(SHARED, "ovs-lab", "ovs-testsuite");
const cases =
  HAVE_SHARED && existsSync(ROOT)
    ? readdirSync(ROOT, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];

/**
 * Geneve option tables changed between traces (an option deleted from the TLV map, metadata on a
 * second switch): counted as "not modelled yet", not asserted, until the TLV map's history is modelled.
 */
const NOT_YET: Array<[RegExp, string]> = [
  [
    /^tunnel--(geneve-metadata|geneve-option-present|delete-geneve-option|mix-geneve-gre-options)/,
    "Geneve options",
  ],
  [/^tunnel-push-pop--action--s9$/, "Geneve options"],
];

/**
 * Traces ovspath answers differently without naming why yet: each a failing case to fix or to name
 * (it.fails: when one starts passing, it must leave this list).
 */
const KNOWN_DEVIATIONS = new Set<string>([
  "bundle--bundle-action-with-ports-up-and-down/002.txt",
  "bundle--bundle-action-with-ports-up-and-down/003.txt",
  "mpls-xlate--mpls-xlate-action-patch-port/001.txt",
  "ofproto-dpif--datapath-port-number-change/002.txt",
  "ofproto-dpif--fragment-handling-trace/005.txt",
  "ofproto-dpif--fragment-handling-trace/006.txt",
  "ofproto-dpif--fragment-handling-trace/008.txt",
]);

type Outcome = { kind: "agree" } | { kind: "named"; features: string[] } | { kind: "differs"; why: string };

function outcome(host: Host, sw: SimHost, file: string): Outcome {
  const rec = readRecordedTrace(readFileSync(file, "utf8"));
  const br = sw.bridges.get(rec.bridge);
  const parsed = parseTraceFlow(rec.flow, (n) => br?.byName.get(n)?.ofport);
  if (rec.rejected)
    return parsed.ok ? { kind: "differs", why: "OVS rejected the flow, ovspath took it" } : { kind: "agree" };
  if (!parsed.ok)
    return parsed.notModelled
      ? { kind: "named", features: [parsed.notModelled] }
      : { kind: "differs", why: `rejected: ${parsed.message}` };
  let flow = parsed.flow;
  if (rec.packet) {
    const bytes = parseHexPacket(rec.packet);
    if (typeof bytes === "string") return { kind: "differs", why: bytes };
    flow = flowFromPacket(flow, bytes);
  }
  const result = trace({
    host: sw,
    bridge: rec.bridge,
    flow,
    withPacket: rec.packet !== undefined,
    ctNext: rec.ctNext.map((c) => ctStateValue(c) as number),
  });
  const text = formatTrace(result);
  const features = notModelled(host, sw, result, text);
  const same =
    JSON.stringify(passOutputs(text, rec.output)) === JSON.stringify(passOutputs(rec.output, rec.output));
  if (same) return { kind: "agree" };
  if (features.length > 0) return { kind: "named", features };
  const dp = (t: string) => t.split("\n").filter((l) => l.startsWith("Datapath actions:"));
  return { kind: "differs", why: `OVS ${dp(rec.output).join(" | ")}\novspath ${dp(text).join(" | ")}` };
}

describe.skipIf(skipWithoutShared(NEEDS.ovsTestsuite) || cases.length === 0)(
  "OVS's own trace tests (ovs-testsuite)",
  () => {
    const counts = { agree: 0, named: 0, notYet: 0, deviations: 0 };
    const features = new Map<string, number>();
    afterAll(() => {
      const total = counts.agree + counts.named + counts.notYet + counts.deviations;
      console.log(
        `ovs-testsuite: ${counts.agree}/${total} traces agree with OVS, ${counts.named} name a feature not ` +
          `modelled, ${counts.notYet} not modelled yet (Geneve option tables), ${counts.deviations} known deviations`,
      );
      console.log(
        `named: ${[...features]
          .sort((a, b) => b[1] - a[1])
          .map(([f, n]) => `${f} ${n}`)
          .join(", ")}`,
      );
    });
    describe.each(cases)("%s", (name) => {
      const dir = join(ROOT, name);
      let host: Host;
      let sw: SimHost;
      beforeAll(async () => {
        [host] = await loadHosts(dir);
        [sw] = switchesOf([host]);
      });
      const files = readdirSync(join(dir, "traces"))
        .filter((f) => /^\d+\.txt$/.test(f))
        .sort();
      const notYet = NOT_YET.find(([re]) => re.test(name))?.[1];
      const key = (f: string) => `${name}/${f}`;
      it.each(files.filter((f) => !KNOWN_DEVIATIONS.has(key(f))))("%s", (f) => {
        const o = outcome(host, sw, join(dir, "traces", f));
        if (o.kind === "agree") counts.agree++;
        else if (o.kind === "named") {
          counts.named++;
          for (const x of o.features) features.set(x, (features.get(x) ?? 0) + 1);
        } else if (notYet) counts.notYet++;
        else expect.fail(`${key(f)}: a different answer, no feature named\n${o.why}`);
      });
      const known = files.filter((f) => KNOWN_DEVIATIONS.has(key(f)));
      if (known.length > 0)
        it.fails.each(known)("%s (known deviation)", (f) => {
          counts.deviations++;
          expect(outcome(host, sw, join(dir, "traces", f)).kind).not.toBe("differs");
        });
    });
  },
);
