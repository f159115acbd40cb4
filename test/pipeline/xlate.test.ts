/**
 * Translation's own bookkeeping, over every ofproto/trace recorded in the labs (lab-traces.test.ts holds
 * the same translations to OVS's output): the key a pass keeps on its last table node, which the drop
 * explainer and the near misses read, is the packet as that lookup saw it. Copied once for a chain of
 * goto_table/resubmit with no write in between (keepLookupKey), so checked here on every recording: the
 * key, looked up again in the step's table, finds the step's flow (or, on a miss, none); a lean translation
 * (the replay verb's) keeps the same keys where a drop's explanation reads them, and none elsewhere.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadHosts } from "../../src/dumps/host/load.js";
import { type SimHost, switchesOf, trace } from "../../src/pipeline/index.js";
import type { TraceNode } from "../../src/pipeline/trace-tree.js";
import { labHosts } from "../support/lab.js";
import { readRecordedTrace } from "../support/ovs-trace.js";
import { recordedRequest } from "../support/recorded-request.js";

const hosts = labHosts().filter((h) => {
  try {
    return readdirSync(join(h, "traces")).length > 0;
  } catch {
    return false;
  }
});

function tableNodes(nodes: readonly TraceNode[], out: TraceNode[] = []): TraceNode[] {
  for (const n of nodes) {
    if (n.type === "table") out.push(n);
    tableNodes(n.subs, out);
  }
  return out;
}

describe.runIf(hosts.length > 0).each(hosts)("the lookup key kept by each pass, %s", (dir) => {
  let sw: SimHost;
  beforeAll(async () => {
    sw = switchesOf(await loadHosts(dir))[0];
  });
  const files = readdirSync(join(dir, "traces"))
    .filter((f) => f.endsWith(".txt"))
    .sort();
  it.each(files)("%s", (file) => {
    const rec = readRecordedTrace(readFileSync(join(dir, "traces", file), "utf8"));
    const req = recordedRequest(sw, rec);
    if (!req.ok) return;
    const whole = trace(req.request);
    whole.passes.forEach((pass, i) => {
      const tables = tableNodes(pass.nodes).filter((n) => n.step !== undefined);
      const keyed = tables.filter((n) => n.key !== undefined);
      // Only the pass's latest lookup keeps its key.
      expect(keyed.length).toBe(tables.length > 0 ? 1 : 0);
      const last = tables[tables.length - 1];
      if (!last?.step || !last.key) return;
      expect(keyed[0]).toBe(last);
      const step = last.step;
      if (!/IP fragments/.test(last.text)) {
        const found = sw.bridges.get(step.bridge)?.classifier.tables.get(step.table)?.lookup(last.key);
        const where = (f?: { file?: string; line?: number }) => (f ? `${f.file}:${f.line}` : "miss");
        expect(where(found?.flow.flow), `${step.bridge} table ${step.table}`).toBe(
          step.priority === undefined ? "miss" : where(step),
        );
      }
      // A lean translation keeps the same keys where a drop's explanation reads them (a packet not
      // output: dropped, failed or sent to the controller), and none otherwise.
      const lean = trace({ ...req.request, lean: true });
      const leanKeys = tableNodes(lean.passes[i].nodes).flatMap((n) => (n.key ? [n.key] : []));
      expect(leanKeys).toEqual(lean.verdict === "output" ? [] : [last.key]);
    });
  });
});
