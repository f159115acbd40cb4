import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type Host, loadHosts } from "../../src/dumps/host/load.js";
import { CookieIndex, type NbObject } from "../../src/ovn/cookies.js";
import { ovnDatabases } from "../../src/ovn/db.js";
import { annotateTraceText, formatNbObject, registerNotes, zoneNotes } from "../../src/ovn/explain.js";
import { buildOvnModel } from "../../src/ovn/model.js";
import { REPO_ROOT } from "../support/shared.js";

const LAB = join(REPO_ROOT, "fixtures/ovn-lab");
let hosts: Host[];
let index: CookieIndex;
beforeAll(async () => {
  hosts = await loadHosts(LAB);
  index = new CookieIndex(buildOvnModel(ovnDatabases(hosts)));
});

describe("annotateTraceText on OVS's own trace output (014-hv1)", () => {
  it("puts each cookie's reading after its flow block, indented under the table line", () => {
    const text = readFileSync(join(LAB, "traces/014-hv1.txt"), "utf8").split("\n").slice(1).join("\n");
    const out = annotateTraceText(text, index).split("\n");
    const at = out.findIndex((l) =>
      l.startsWith("16. ip,reg0=0x200/0x200,reg14=0x2,metadata=0x2, priority 2001"),
    );
    expect(out.slice(at, at + 4)).toEqual([
      expect.stringMatching(/^16\. ip,reg0=0x200\/0x200,reg14=0x2,metadata=0x2, priority 2001, cookie 0x/),
      "    drop",
      expect.stringMatching(
        /^ {4}\* Logical flow: "ls\d", "ls\d" ingress table=8 \(ls_in_acl\), priority=2001, match=\(reg0\[9\] == 1 && \(inport == @pg_drop && ip\)\), actions=\(\/\* drop \*\/\)$/,
      ),
      "       * ACL: from-lport, priority=1001, match=(inport == @pg_drop && ip), drop",
    ]);
    // Table 0's cookie is vm4's port binding.
    expect(out).toContain('     * Port Binding: logical_port "vm4" on "ls2", tunnel_key 2, chassis "hv1"');
  });
});

describe("zoneNotes (hv1's ct-zone-list)", () => {
  it.each([
    ["ct(zone=1,nat),recirc(0x1)", ['* ct zone 1: logical port "vm1"']],
    ["ct(commit,zone=2,nat(src)),ct(zone=5)", ['* ct zone 2: "lr1" SNAT', '* ct zone 5: "lr1" DNAT']],
    ["ct(zone=1),ct(zone=1)", ['* ct zone 1: logical port "vm1"']],
    ["ct(zone=77)", []],
  ])("%s", (actions, want) => {
    const zones = hosts.find((h) => h.name === "hv1")?.dumps.ovnCtZones.flatMap((d) => d.value) ?? [];
    expect(zoneNotes(actions, zones, index.model)).toEqual(want);
  });
});

describe("formatNbObject", () => {
  it.each<[NbObject, string]>([
    [
      {
        kind: "acl",
        uuid: "u",
        name: "telnet_deny",
        direction: "to-lport",
        priority: 1003,
        match: "tcp.dst == 23",
        action: "drop",
        log: true,
        severity: "warning",
      },
      'ACL "telnet_deny": to-lport, priority=1003, match=(tcp.dst == 23), drop (log, severity warning)',
    ],
    [
      {
        kind: "loadBalancer",
        uuid: "u",
        name: "lb_web",
        protocol: "tcp",
        vips: [["10.0.1.100:80", "10.0.1.12:8080,10.0.2.13:8080"]],
      },
      "Load Balancer: lb_web protocol tcp vips 10.0.1.100:80 -> 10.0.1.12:8080,10.0.2.13:8080",
    ],
    [
      {
        kind: "nat",
        uuid: "u",
        type: "snat",
        externalIp: "172.24.4.10",
        logicalIp: "10.0.1.0/24",
        logicalPort: "",
      },
      "NAT: snat external ip 172.24.4.10 logical ip 10.0.1.0/24",
    ],
    [
      { kind: "route", uuid: "u", prefix: "0.0.0.0/0", nexthop: "172.24.4.1", outputPort: "", policy: "" },
      "Route: 0.0.0.0/0 via 172.24.4.1, policy=dst-ip",
    ],
  ])("%s", (o, want) => expect(formatNbObject(o)).toBe(want));
});

describe("registerNotes: metadata, reg14 and reg15 in logical terms", () => {
  it.each([
    [
      "Final flow: tcp,reg0=0x281,reg13=0x1,reg14=0x2,reg15=0x1,metadata=0x2,in_port=1",
      ['* logical: datapath "ls2" (metadata=0x2), inport "vm4" (reg14=0x2), outport "vm3" (reg15=0x1)'],
    ],
    [
      "Final flow: arp,reg14=0x1,reg15=0x8000,metadata=0x1",
      [
        '* logical: datapath "ls1" (metadata=0x1), inport "vm1" (reg14=0x1), outport "_MC_flood" (reg15=0x8000)',
      ],
    ],
    ["Final flow: unchanged", []],
    ["Final flow: tcp,metadata=0x63", []],
  ])("%s", (line, want) => expect(registerNotes(line, index.model)).toEqual(want));
});
