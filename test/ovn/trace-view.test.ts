/**
 * The logical reading of a trace shared by `trace --ovn` and the TUI, on the demo's OVN pair recorded
 * from real OVN: the cookie index found among the loaded hosts (or why not), the logical drop (a
 * plain drop, a logged one), and the logical flows stepped through.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type Host, loadHosts } from "../../src/dumps/host/load.js";
import type { CookieIndex } from "../../src/ovn/cookies.js";
import { cookieIndexOf, logicalStepLines, ovnDropOf, ovnTraceText } from "../../src/ovn/trace-view.js";
import { formatTrace, type TraceResult } from "../../src/pipeline/index.js";
import { type OvnLab, ovnDemoLab, traceRecorded } from "../support/ovn-lab.js";
import { REPO_ROOT } from "../support/shared.js";

const DEMO = join(REPO_ROOT, "fixtures", "demo");

let lab: OvnLab;
let hosts: Host[];
let index: CookieIndex;
beforeAll(async () => {
  lab = await ovnDemoLab();
  hosts = lab.hosts;
  const i = cookieIndexOf(hosts);
  if (typeof i === "string") throw new Error(i);
  index = i;
});

const traceOf = (file: string): TraceResult => traceRecorded(lab, file);

describe("cookieIndexOf", () => {
  it.each([
    ["the ML2/OVS demo host (no OVN)", "hosts", /^no OVN southbound database among the loaded hosts/],
    ["a chassis without its central node", "ovn/hosts/hv1", /^no OVN southbound database/],
  ])("%s: says why there is none", async (_, dir, why) => {
    expect(cookieIndexOf(await loadHosts(join(DEMO, dir)))).toMatch(why);
  });
  it("the central node among the hosts: an index of its logical flows", () => {
    expect(index.model.datapaths.size).toBe(1);
  });
});

describe("ovnDropOf", () => {
  it.each([
    // file, verdict, stage, ACL name, logged
    ["004-hv2.txt", "drop", "ls_out_acl", "default_drop_egress", undefined],
    ["005-hv2.txt", "controller", "ls_out_acl", "server_telnet_log", true],
  ])("%s: %s in %s by %s", (file, verdict, stage, name, logged) => {
    const r = traceOf(file);
    expect(r.verdict).toBe(verdict);
    const d = ovnDropOf(r, index);
    expect(d?.stage).toBe(stage);
    expect(d?.acl?.name).toBe(name);
    expect(d?.logged).toBe(logged);
    expect([d?.inport, d?.outport]).toEqual(["vm1", "vm2"]);
  });
  it("a delivered packet has none", () => {
    expect(ovnDropOf(traceOf("002-hv2.txt"), index)).toBeUndefined();
  });
});

describe("logicalStepLines and ovnTraceText", () => {
  it("name each step's logical flow, the ACL under its stage, the drop at the end", () => {
    const r = traceOf("004-hv2.txt");
    const steps = logicalStepLines(r, index);
    expect(steps[0]).toMatch(/^table 40: Port Binding: logical_port "vm2" on "ls1"/);
    expect(steps).toContain(
      '  * ACL "default_drop_egress": to-lport, priority=1001, match=(outport == @pg_drop && ip), drop',
    );
    const text = ovnTraceText(formatTrace(r), r, index, hosts).split("\n");
    // The drop, then its two near misses.
    expect(text.at(-3)).toMatch(
      /^OVN: dropped in "ls1" egress stage ls_out_acl by ACL "default_drop_egress"/,
    );
    expect(text.at(-1)).toMatch(/^ {2}near miss: ACL "server_icmp" /);
    expect(text).toContain('  * ct zone 1: logical port "vm2"');
  });
});
