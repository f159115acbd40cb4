import { describe, expect, it } from "vitest";
import {
  type AclContext,
  type AclPacket,
  conditions,
  evaluate,
  parseAclMatch,
} from "../../src/ovn/acl-match.js";

const PACKET: AclPacket = {
  field: (n) =>
    ({
      "ip4.src": "10.0.2.14",
      "ip4.dst": "10.0.2.13",
      "tcp.dst": "80",
      "tcp.src": "42001",
      "eth.src": "fa:16:3e:00:02:04",
      "ip6.src": "fd00:2::14",
    })[n],
  pred: (n) => ({ ip: true, ip4: true, ip6: false, tcp: true, udp: false, icmp4: false, arp: false })[n],
  inport: "vm4",
  outport: "vm3",
};
const CTX: AclContext = {
  addressSet: (n) =>
    ({ as_admin: ["10.0.2.14"], as_empty: [], pg_web_ip4: ["10.0.1.11", "10.0.1.12", "10.0.2.13"] })[n],
  portGroup: (n) => ({ pg_web: ["vm1", "vm2", "vm3", "vm5"], pg_admin: ["vm4"] })[n],
};

describe("parseAclMatch + evaluate (the lab's ACL matches, on vm4 → vm3 TCP 80)", () => {
  it.each([
    ["outport == @pg_web && ip4 && ip4.src == $as_admin && tcp && tcp.dst == 22", false],
    ["outport == @pg_web && ip4 && ip4.src == $pg_web_ip4", false],
    ["inport == @pg_admin && ip4 && (tcp || icmp4)", true],
    ["outport == @pg_drop && ip", "unknown"],
    ['inport == "vm4" && tcp.dst != {22, 23}', true],
    ["ip4.src == 10.0.2.0/24 && tcp.dst >= 80 && tcp.dst < 81", true],
    ["!(tcp) || udp", false],
    ["ip4.src == $as_empty", false],
    ["ip4.src == 10.0.3.0/24", false],
    ["ip6.src == fd00:2::/64", true],
    ["ip6.src == fd00:3::/64", false],
    ["ip6.src == fd00:2:0:0::14", true],
    ["eth.src == fa:16:3e:00:02:04", true],
    ["ct.new && tcp", "unknown"],
    ["udp.dst == 53", "unknown"],
  ])("%s → %s", (match, want) => {
    const e = parseAclMatch(match);
    expect(e).toBeDefined();
    if (e) expect(evaluate(e, PACKET, CTX)).toBe(want);
  });
  it("the top-level conditions, parenthesised groups kept whole", () => {
    const e = parseAclMatch("inport == @pg_admin && ip4 && (tcp || icmp4)");
    expect(e && conditions(e).map((c) => c.text)).toEqual(["inport == @pg_admin", "ip4", "tcp || icmp4"]);
  });
  it.each(["tcp.dst ==", "(tcp", "tcp && && udp", "tcp.dst == 22 )", "a ~ b"])("refuses %s", (m) =>
    expect(parseAclMatch(m)).toBeUndefined(),
  );
});
