import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatMeter, parseOfctlDumpMeters } from "../../../src/dumps/ofctl/meters.js";
import { REPO_ROOT } from "../../support/shared.js";

/** Printed by OVS 3.1 on the demo's OVN chassis: OVN's ACL log meter (pktps) and its QoS limit (kbps). */
const HV2 = join(REPO_ROOT, "fixtures/demo/ovn/hosts/hv2/sos_commands/openvswitch");
const read = (f: string) => readFileSync(join(HV2, f), "utf8");

describe("ovs-ofctl -O OpenFlow13 dump-meters", () => {
  it("reads OVS's own output: id, unit, flags, bands", () => {
    const p = parseOfctlDumpMeters(read("ovs-ofctl_-O_OpenFlow13_dump-meters_br-int"), "m");
    expect(p.diagnostics).toEqual([]);
    expect(p.value).toEqual([
      { meterId: 1, unit: "pktps", burst: false, stats: true, bands: [{ type: "drop", rate: 10 }], line: 2 },
      {
        meterId: 2,
        unit: "kbps",
        burst: true,
        stats: true,
        bands: [{ type: "drop", rate: 10000, burstSize: 1000 }],
        line: 5,
      },
    ]);
    expect(p.value.map(formatMeter)).toEqual(["drop above 10 pktps", "drop above 10000 kbps (burst 1000)"]);
  });

  it("a bridge without meters: the header only", () => {
    const p = parseOfctlDumpMeters(read("ovs-ofctl_-O_OpenFlow13_dump-meters_br-int").split("\n")[0], "m");
    expect(p).toEqual({ value: [], diagnostics: [] });
  });

  it.each([
    ["a band before any meter", "type=drop rate=10", 1, 1],
    ["a band without a rate", "meter=1 pktps bands=\ntype=drop", 2, 1],
    ["an unknown band word", "meter=1 pktps bands=\ntype=drop rate=10 colour=red", 2, 19],
    ["OpenFlow 1.0's refusal", "OFPT_ERROR (xid=0x2): OFPBRC_BAD_VERSION", 1, 1],
  ])("%s: a diagnostic at line %i, column %i", (_, text, line, column) => {
    const p = parseOfctlDumpMeters(text, "dump-meters");
    expect(p.diagnostics).toHaveLength(1);
    expect(p.diagnostics[0]).toMatchObject({ file: "dump-meters", line, column });
  });
});
