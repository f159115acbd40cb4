/**
 * The logical path against OVN's own logical simulator: for recorded ovn-trace runs whose packet the lab
 * also traced with ofproto/trace on the chassis, every logical flow ovn-trace went through (its
 * `uuid` column: the Logical_Flow UUID's first 32 bits) is a step of ovspath's trace of that packet
 * (by cookie), with the stage, table and priority ovn-trace printed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cookiePrefix } from "../../src/ovn/cookies.js";
import { traceSteps } from "../../src/pipeline/index.js";
import { OVN_LAB, type OvnLab, ovnLab, traceRecorded } from "../support/ovn-lab.js";

let lab: OvnLab;
beforeAll(async () => {
  lab = await ovnLab();
});

/** ovn-trace's steps: `N. stage (northd.c:L): match, priority P, uuid U`, up to `stop` (a section heading). */
function ovnTraceSteps(
  file: string,
  stop?: RegExp,
): Array<{ table: number; stage: string; priority: number; uuid: string }> {
  const out: Array<{ table: number; stage: string; priority: number; uuid: string }> = [];
  for (const line of readFileSync(join(OVN_LAB, "ovn-trace", file), "utf8").split("\n")) {
    if (stop?.test(line)) break;
    const m = /^\s*(\d+)\. (\w+) \([^)]*\): .*, priority (\d+), uuid ([0-9a-f]{8})$/.exec(line);
    if (m) out.push({ table: Number(m[1]), stage: m[2], priority: Number(m[3]), uuid: m[4] });
  }
  return out;
}

function ourCookies(file: string, host: string): Set<string> {
  const steps = traceSteps(traceRecorded(lab, file, host));
  return new Set(steps.flatMap((s) => (s.cookie === undefined ? [] : [cookiePrefix(s.cookie) ?? ""])));
}

describe("ovn-trace's logical flows are the steps of ovspath's trace of the same packet", () => {
  it.each([
    ["005.txt", "014-hv1.txt", "hv1", undefined, "vm4 UDP 53 → vm3, dropped by pg_drop"],
    ["009.txt", "021-hv1.txt", "hv1", undefined, "vm1 with a spoofed source, port security"],
    ["010.txt", "024-hv1.txt", "hv1", undefined, "vm1's ARP for the router, answered"],
    // ovn-trace's default for the egress ct (established) is not ofproto/trace's (new): ingress only.
    ["001.txt", "001-hv1.txt", "hv1", /^egress\(/, "vm1 → vm5 ICMP, the ingress pipeline"],
  ])("%s ~ %s on %s", (ovnFile, traceFile, host, stop, _what) => {
    const steps = ovnTraceSteps(ovnFile, stop);
    expect(steps.length).toBeGreaterThan(1);
    const ours = ourCookies(traceFile, host);
    for (const s of steps) {
      expect(ours.has(s.uuid), `${s.stage} priority ${s.priority} (uuid ${s.uuid})`).toBe(true);
      const lf = lab.index.lookup(BigInt(`0x${s.uuid}`)).find((t) => t.kind === "logicalFlow");
      expect(lf?.kind === "logicalFlow" && [lf.flow.table, lf.flow.stage, lf.flow.priority]).toEqual([
        s.table,
        s.stage,
        s.priority,
      ]);
    }
  });
});
