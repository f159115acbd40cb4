import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ovspath } from "../support/cli.js";
import { LAB } from "../support/lab.js";

const CAPTURE = join("fixtures", "demo", "compute1-qvo8c2d4e6f-1a-rx.pcap");

describe("HOST arguments holding no Open vSwitch dump", () => {
  it.each([
    ["show", ["show", "src/tui"]],
    ["topo", ["topo", "README.md"]],
    ["flows", ["flows", "src/tui"]],
    ["trace", ["trace", "src/tui", "br-int", "in_port=1"]],
    ["replay", ["replay", CAPTURE, "fixtures/demo/hosts", "src/tui"]],
  ])("%s: an error naming the input and how many files were looked at, exit 2", (_verb, args) => {
    const r = ovspath(...args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^ovspath: error: no Open vSwitch dumps found in (src\/tui|README\.md) \(\d+ files? looked at\)\n$/,
    );
  });

  it("a README alone is one file looked at", () => {
    expect(ovspath("topo", "README.md").stderr).toContain("(1 file looked at)");
  });
});

describe.runIf(existsSync(join(LAB, "neutron-lab-broken")))("show: unused files", () => {
  const host = join(LAB, "neutron-lab-broken", "compute1");
  it("summarised by directory, extension and why; -v lists each", () => {
    const brief = ovspath("show", host).stdout;
    expect(brief).toMatch(/not used: +43 traces\/\*\.txt: not a dump ovspath reads\n/);
    expect(brief).toMatch(/not used: +6 captures\/\*\.pcap: skipped: /);
    expect(brief).not.toContain("traces/001.txt");
    const all = ovspath("show", "-v", host).stdout;
    expect(all).toMatch(/not used: .*traces\/001\.txt: not a dump ovspath reads/);
    const json = JSON.parse(ovspath("show", "--json", host).stdout);
    expect(json.hosts[0].files.unusedByKind[0]).toEqual({
      pattern: "traces/*.txt",
      note: "not a dump ovspath reads",
      count: 43,
    });
  });
});
