/**
 * Conformance with real OVS: every ofproto/trace recorded in the shared labs, replayed by ovspath over
 * the same host's dumps, gives the same Datapath actions (as dp-actions-equal compares them) and the
 * same bridge/table/priority steps. OVS's own rejections of a flow string must be rejected too.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type Host, loadHosts } from "../../src/dumps/host/load.js";
import { formatTrace, type SimHost, switchesOf, trace } from "../../src/pipeline/index.js";
import { labHosts } from "../support/lab.js";
import { passOutputs, readRecordedTrace, traceSteps } from "../support/ovs-trace.js";
import { recordedRequest } from "../support/recorded-request.js";

/**
 * Recorded traces ovspath does not reproduce yet, each a failing case to fix (it.fails: when one starts
 * passing, this list must shrink). Empty: every recorded trace of the labs agrees.
 */
const KNOWN_DEVIATIONS = new Set<string>([]);

const hosts = labHosts().filter((h) => {
  try {
    return readdirSync(join(h, "traces")).length > 0;
  } catch {
    return false;
  }
});

describe.runIf(hosts.length > 0).each(hosts)("recorded ofproto/trace of %s", (dir) => {
  let sw: SimHost;
  beforeAll(async () => {
    const loaded: Host[] = await loadHosts(dir);
    sw = switchesOf(loaded)[0];
  });
  const files = readdirSync(join(dir, "traces"))
    .filter((f) => f.endsWith(".txt"))
    .sort();
  const key = (file: string) => `${dir.split("/").slice(-2).join("/")}/${file}`;
  const known = files.filter((f) => KNOWN_DEVIATIONS.has(key(f)));
  const expected = files.filter((f) => !KNOWN_DEVIATIONS.has(key(f)));
  it.each(expected)("%s", (file) => check(file));
  if (known.length > 0) it.fails.each(known)("%s (known deviation)", (file) => check(file));
  function check(file: string): void {
    const rec = readRecordedTrace(readFileSync(join(dir, "traces", file), "utf8"));
    expect(sw.bridges.get(rec.bridge), `bridge ${rec.bridge}`).toBeDefined();
    const req = recordedRequest(sw, rec);
    if (rec.rejected) {
      expect(req.ok ? "taken" : req.refused).toBe("flow");
      return;
    }
    expect(req.ok, req.ok ? "" : req.message).toBe(true);
    if (!req.ok) return;
    const result = trace(req.request);
    const text = formatTrace(result);
    expect(passOutputs(text, rec.output), text).toEqual(passOutputs(rec.output, rec.output));
    // OVS floods in its internal port order, which no dump shows: after a flood, compare steps as a multiset.
    const flooded = /flooding$/m.test(rec.output);
    const steps = (t: string) => (flooded ? traceSteps(t).sort() : traceSteps(t));
    expect(steps(text)).toEqual(steps(rec.output));
  }
});
