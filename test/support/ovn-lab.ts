/**
 * The recorded OVN labs (fixtures/ovn-lab; the demo's OVN pair, fixtures/demo/ovn with its ground truth
 * in fixtures/ovn-demo), loaded once per test file, and their traces replayed by ovspath.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Host, loadHosts } from "../../src/dumps/host/load.js";
import { CookieIndex } from "../../src/ovn/cookies.js";
import { ovnDatabases } from "../../src/ovn/db.js";
import { buildOvnModel } from "../../src/ovn/model.js";
import { type SimHost, switchesOf, type TraceResult, trace } from "../../src/pipeline/index.js";
import { readRecordedTrace } from "./ovs-trace.js";
import { recordedRequest } from "./recorded-request.js";
import { REPO_ROOT } from "./shared.js";

export const OVN_LAB = join(REPO_ROOT, "fixtures/ovn-lab");

export interface OvnLab {
  hosts: Host[];
  switches: SimHost[];
  index: CookieIndex;
  /** The directory of its recorded traces (NNN-HOST.txt). */
  traces: string;
}

/** A recorded OVN lab: its hosts (central and chassis) under `hostsDir`, its traces in `traces`. */
export async function loadOvnLab(hostsDir: string, traces: string): Promise<OvnLab> {
  const hosts = await loadHosts(hostsDir);
  return {
    hosts,
    switches: switchesOf(hosts),
    index: new CookieIndex(buildOvnModel(ovnDatabases(hosts))),
    traces,
  };
}

let loading: Promise<OvnLab> | undefined;

export function ovnLab(): Promise<OvnLab> {
  loading ??= loadOvnLab(OVN_LAB, join(OVN_LAB, "traces"));
  return loading;
}

let loadingDemo: Promise<OvnLab> | undefined;

/** The demo's OVN pair with the traces recorded beside it. */
export function ovnDemoLab(): Promise<OvnLab> {
  loadingDemo ??= loadOvnLab(
    join(REPO_ROOT, "fixtures/demo/ovn/hosts"),
    join(REPO_ROOT, "fixtures/ovn-demo/traces"),
  );
  return loadingDemo;
}

/**
 * ovspath's trace of a recorded ofproto/trace (`FILE` in the lab's traces: its bridge, flow and
 * --ct-next) on `host` (default: the one the file name gives, NNN-HOST.txt).
 */
export function traceRecorded(
  lab: OvnLab,
  file: string,
  host = /^\d+-(\w+)\.txt$/.exec(file)?.[1],
): TraceResult {
  const rec = readRecordedTrace(readFileSync(join(lab.traces, file), "utf8"));
  const sw = lab.switches.find((s) => s.name === host);
  if (!sw) throw new Error(`no host ${host}`);
  const req = recordedRequest(sw, rec);
  if (!req.ok) throw new Error(req.message);
  return trace(req.request);
}
