/** The recorded OVN lab (fixtures/ovn-lab), loaded once per test file, and its traces replayed by ovspath. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Host, loadHosts } from "../../src/dumps/host/load.js";
import { CookieIndex } from "../../src/ovn/cookies.js";
import { ovnDatabases } from "../../src/ovn/db.js";
import { buildOvnModel } from "../../src/ovn/model.js";
import { ctStateValue } from "../../src/pipeline/ct-state.js";
import {
  parseTraceFlow,
  type SimHost,
  switchesOf,
  type TraceResult,
  trace,
} from "../../src/pipeline/index.js";
import { readRecordedTrace } from "./ovs-trace.js";
import { REPO_ROOT } from "./shared.js";

export const OVN_LAB = join(REPO_ROOT, "fixtures/ovn-lab");

export interface OvnLab {
  hosts: Host[];
  switches: SimHost[];
  index: CookieIndex;
}

let loading: Promise<OvnLab> | undefined;

export function ovnLab(): Promise<OvnLab> {
  loading ??= loadHosts(OVN_LAB).then((hosts) => ({
    hosts,
    switches: switchesOf(hosts),
    index: new CookieIndex(buildOvnModel(ovnDatabases(hosts))),
  }));
  return loading;
}

/** ovspath's trace of a recorded ofproto/trace (`traces/FILE`: its bridge, flow and --ct-next) on `host`. */
export function traceRecorded(lab: OvnLab, file: string, host: string): TraceResult {
  const rec = readRecordedTrace(readFileSync(join(OVN_LAB, "traces", file), "utf8"));
  const sw = lab.switches.find((s) => s.name === host);
  if (!sw) throw new Error(`no host ${host}`);
  const br = sw.bridges.get(rec.bridge);
  const f = parseTraceFlow(rec.flow, (n) => br?.byName.get(n)?.ofport);
  if (!f.ok) throw new Error(f.message);
  const ctNext = rec.ctNext.map((c) => ctStateValue(c) as number);
  return trace({ host: sw, bridge: rec.bridge, flow: f.flow, withPacket: false, ctNext });
}
