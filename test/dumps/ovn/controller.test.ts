import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  parseConnectionStatus,
  parseCtZoneList,
  parseGroupTableList,
  parseTlvMap,
} from "../../../src/dumps/ovn/controller.js";
import { REPO_ROOT } from "../../support/shared.js";

const HV1 = join(REPO_ROOT, "fixtures/ovn-lab/hv1");
const read = (f: string) => readFileSync(join(HV1, f), "utf8");

describe("chassis dumps of the recorded lab", () => {
  it("ct-zone-list: logical ports and datapath dnat/snat zones", () => {
    const p = parseCtZoneList(read("operator/ovn-appctl_-t_ovn-controller_ct-zone-list"), "z");
    expect(p.diagnostics).toEqual([]);
    expect(
      p.value
        .map((z) => z.name)
        .filter((n) => n.startsWith("vm"))
        .sort(),
    ).toEqual(["vm1", "vm4", "vm5"]);
    expect(p.value.filter((z) => /_(dnat|snat)$/.test(z.name))).toHaveLength(6);
  });
  it("dump-tlv-map: OVN's Geneve option class 0x102 type 0x80 in tun_metadata0", () => {
    const p = parseTlvMap(read("sos_commands/openvswitch/ovs-ofctl_dump-tlv-map_br-int"), "t");
    expect(p.diagnostics).toEqual([]);
    expect(p.value).toMatchObject([{ optClass: 0x102, type: 0x80, length: 4, field: "tun_metadata0" }]);
  });
  it("dump-tlv-map: a zero type prints as a bare 0 (C's %#x), as OVS's tunnel tests map it", () => {
    const text = [
      "NXT_TLV_TABLE_REPLY (xid=0x2):",
      " mapping table:",
      "  class  type  length  match field",
      " ------  ----  ------  --------------",
      " 0xffff     0       4  tun_metadata0",
      " 0xffff   0x1       4  tun_metadata1",
    ].join("\n");
    const p = parseTlvMap(text, "t");
    expect(p.diagnostics).toEqual([]);
    expect(p.value.map((m) => [m.optClass, m.type, m.field])).toEqual([
      [0xffff, 0, "tun_metadata0"],
      [0xffff, 1, "tun_metadata1"],
    ]);
  });
  it("group-table-list: OVN's load balancer groups use dp_hash", () => {
    const p = parseGroupTableList(read("operator/ovn-appctl_-t_ovn-controller_group-table-list"), "g");
    expect(p.diagnostics).toEqual([]);
    expect(p.value.map((g) => [g.groupId, g.selectionMethod])).toEqual([
      [1, "dp_hash"],
      [2, "dp_hash"],
    ]);
  });
  it("connection-status", () => {
    const f =
      "sos_commands/ovn_central/ovn-appctl_-t_.var.run.ovn.ovn-controller.12979.ctl_connection-status";
    expect(parseConnectionStatus(read(f), "c")).toEqual({ value: "connected", diagnostics: [] });
  });
  it.each([
    ["a zone over 16 bits", () => parseCtZoneList("vm1 70000\n", "f"), 1, 5],
    ["a line without a zone", () => parseCtZoneList("vm1\n", "f"), 1, 1],
    ["a damaged mapping row", () => parseTlvMap(" mapping table:\n  0x102 zz\n", "f"), 2, 3],
    ["a second status line", () => parseConnectionStatus("connected\nmore\n", "f"), 2, 1],
    ["a group line without its id", () => parseGroupTableList("type=select\n", "f"), 1, 1],
  ])("reports %s", (_, run, line, column) => {
    expect(run().diagnostics[0]).toMatchObject({ file: "f", line, column });
  });
});
