import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type Host, loadHosts } from "../../src/dumps/host/load.js";
import { ovnSummaryLines } from "../../src/present/ovn-summary.js";
import { REPO_ROOT } from "../support/shared.js";

let hosts: Host[];
beforeAll(async () => {
  hosts = await loadHosts(join(REPO_ROOT, "fixtures/ovn-lab"));
});
const host = (name: string) => hosts.find((h) => h.name === name) as Host;

describe("ovnSummaryLines (the recorded OVN lab)", () => {
  it("central: what its databases hold (the lab's topology: 2 switches, 1 router, 8 ACLs...)", () => {
    const lines = ovnSummaryLines(host("central"));
    expect(lines[0]).toBe(
      "OVN northbound: 2 switches, 1 router, 9 ports, 8 ACLs, 3 port groups, 1 address set, 1 load balancer, 0 NAT rules",
    );
    expect(lines[1]).toMatch(/^OVN southbound: 3 datapaths, 3 chassis, 9 port bindings, \d+ logical flows$/);
    expect(lines[2]).toMatch(/^OVN databases: .*ovnnb_db\.db, .*ovnsb_db\.db$/);
  });
  it("a chassis: its zones, its Geneve option map, ovn-controller's connection", () => {
    expect(ovnSummaryLines(host("hv1"))).toEqual([
      "OVN chassis: 9 conntrack zones; Geneve options tun_metadata0 = class 0x102 type 0x80 (br-int); ovn-controller connected",
    ]);
  });
  it("a host without OVN: nothing", () => {
    expect(ovnSummaryLines(host("ovn-lab"))).toEqual([]);
  });
});
