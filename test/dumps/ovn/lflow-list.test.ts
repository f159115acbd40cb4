import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { looksLikeLflowList, parseLflowList } from "../../../src/dumps/ovn/lflow-list.js";
import { REPO_ROOT } from "../../support/shared.js";

const FILE = join(
  REPO_ROOT,
  "fixtures/ovn-lab/central/sos_commands/ovn_central/ovn-sbctl_--no-leader-only_lflow-list",
);

describe("parseLflowList", () => {
  const text = readFileSync(FILE, "utf8");
  const p = parseLflowList(text, FILE);
  it("reads the recorded lflow-list whole: datapaths, pipelines, stages", () => {
    expect(p.diagnostics).toEqual([]);
    expect(looksLikeLflowList(text)).toBe(true);
    expect(p.value.map((d) => `${d.name} ${d.pipeline}`)).toEqual([
      "lr1 ingress",
      "lr1 egress",
      "ls1 ingress",
      "ls1 egress",
      "ls2 ingress",
      "ls2 egress",
    ]);
    expect(p.value.reduce((n, d) => n + d.flows.length, 0) + p.value.length).toBe(
      text.trimEnd().split("\n").length,
    );
  });
  it("splits match and action at the last `), action=(`", () => {
    const f = p.value[0].flows.find(
      (x) => x.stage === "lr_in_ip_input" && x.match.includes("arp.tpa == 10.0.1.1"),
    );
    expect(f).toMatchObject({ table: 3, priority: 90 });
    expect(f?.actions.startsWith("eth.dst = eth.src;")).toBe(true);
    expect(f?.actions.endsWith("output;")).toBe(true);
  });
  it.each([
    [
      "with --uuid the cookie comes first",
      "  uuid=0x1a2b3c4d, table=0 (ls_in_check_port_sec), priority=50   , match=(1), action=(next;)",
      { cookie: 0x1a2b3c4d, table: 0, match: "1", actions: "next;" },
    ],
  ])("%s", (_, line, want) => {
    const v = parseLflowList(
      `Datapath: "ls1" (d53046be-ec21-401d-b307-4034ef5eecec)  Pipeline: ingress\n${line}\n`,
      "f",
    );
    expect(v.diagnostics).toEqual([]);
    expect(v.value[0].flows[0]).toMatchObject(want);
  });
  it.each([
    ["a flow before any datapath", "  table=0 (s), priority=1, match=(1), action=(next;)\n", 1, 3],
    [
      "a damaged line",
      'Datapath: "x" (d53046be-ec21-401d-b307-4034ef5eecec)  Pipeline: ingress\n  table=zero\n',
      2,
      3,
    ],
  ])("reports %s", (_, text, line, column) => {
    expect(parseLflowList(text, "f").diagnostics[0]).toMatchObject({ file: "f", line, column });
  });
});
