/**
 * Near misses on the recorded lab: the packets are the recorded traces' (their flow at the ACL stage,
 * as ovspath traces them over the chassis' dumps), the ACLs the lab's northbound database.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { FIELD, writeField } from "../../src/model/fields.js";
import { newFlowKey } from "../../src/model/layout.js";
import { aclPacket } from "../../src/ovn/acl-near-miss.js";
import { explainOvnDrop } from "../../src/ovn/explain.js";
import { type OvnLab, ovnLab, traceRecorded } from "../support/ovn-lab.js";

let lab: OvnLab;
beforeAll(async () => {
  lab = await ovnLab();
});

const dropOf = (file: string, host: string) => explainOvnDrop(traceRecorded(lab, file, host), lab.index);

describe("ACL near misses", () => {
  it.each([
    [
      "017-hv3.txt",
      "hv3",
      ["tcp.dst == 22, frame has 80", "ip4.src == $pg_web_ip4, frame has 10.0.2.14", "icmp4, frame is tcp"],
    ],
    ["014-hv1.txt", "hv1", ["(tcp || icmp4), frame is udp"]],
    // vm4 accepts nothing: no allow ACL applies to it in that direction.
    ["018-hv1.txt", "hv1", []],
  ])("%s on %s", (file, host, want) => {
    const d = dropOf(file, host);
    expect((d?.nearMisses ?? []).flatMap((m) => m.failed).sort()).toEqual([...want].sort());
  });
  it("the best near miss comes first and names its ACL", () => {
    const m = dropOf("017-hv3.txt", "hv3")?.nearMisses?.find((x) => x.failed[0].startsWith("tcp.dst"));
    expect(m?.acl).toMatchObject({
      direction: "to-lport",
      priority: 1002,
      action: "allow-related",
      match: "outport == @pg_web && ip4 && ip4.src == $as_admin && tcp && tcp.dst == 22",
    });
  });
});

describe("the packet as ACL predicates read it", () => {
  const frame = (dlType: number, proto: number) => {
    const key = newFlowKey();
    writeField(key, FIELD.dl_type, BigInt(dlType));
    writeField(key, FIELD.nw_proto, BigInt(proto));
    writeField(key, FIELD.tp_dst, 80n);
    return aclPacket(key);
  };
  // OVN's predicates: icmp4 is ICMP over IPv4 only, icmp6 over IPv6 only, icmp either; tcp and udp
  // over both; a transport's fields exist only on frames of that transport.
  it.each([
    ["IPv4 TCP", 0x0800, 6, ["ip", "ip4", "tcp"], "tcp.dst", "80"],
    ["IPv6 TCP", 0x86dd, 6, ["ip", "ip6", "tcp"], "tcp.dst", "80"],
    ["IPv4 ICMP", 0x0800, 1, ["icmp", "icmp4", "ip", "ip4"], "tcp.dst", undefined],
    ["IPv6 ICMPv6", 0x86dd, 58, ["icmp", "icmp6", "ip", "ip6"], "udp.dst", undefined],
    ["IPv6 with protocol 1 (not ICMPv6)", 0x86dd, 1, ["ip", "ip6"], "icmp4.type", undefined],
    ["ARP", 0x0806, 0, ["arp"], "ip4.src", undefined],
  ])("%s", (_, dlType, proto, holding, field, value) => {
    const p = frame(dlType, proto);
    const names = ["arp", "icmp", "icmp4", "icmp6", "ip", "ip4", "ip6", "sctp", "tcp", "udp"];
    expect(names.filter((n) => p.pred(n))).toEqual(holding);
    expect(p.field(field)).toBe(value);
  });
});
