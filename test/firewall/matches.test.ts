/**
 * The match table, one row per extension and option: the rule as iptables-save prints it, whether it
 * matches a given frame (true, false, or undecidable from the dumps), and the near-miss text.
 */
import { describe, expect, it } from "vitest";
import type { FwPacket } from "../../src/firewall/packet.js";
import { parseRule } from "../../src/firewall/parse-rule.js";
import type { Hook, MatchEnv, MatchResult } from "../../src/firewall/rule.js";

/** TCP SYN 10.0.0.100:40000 → 10.0.0.5:80 from fa:16:3e:00:00:64, 60 bytes, bridged tap → qvb. */
const P: FwPacket = {
  family: "ipv4",
  srcMac: 0xfa163e000064n,
  dstMac: 0xfa163eaabb01n,
  src: 0x0a000064n,
  dst: 0x0a000005n,
  proto: 6,
  sport: 40000,
  dport: 80,
  tcpFlags: 0x02,
  icmpType: 0,
  icmpCode: 0,
  icmpId: 0,
  length: 60,
  fragment: false,
};

const ICMP: FwPacket = { ...P, proto: 1, sport: 0, dport: 0, tcpFlags: 0, icmpType: 3, icmpCode: 4 };
const MCAST: FwPacket = { ...P, dst: 0xe0000001n };

function env(hook: Hook = "FORWARD", ct: MatchEnv["ct"] = "NEW"): MatchEnv {
  return {
    hook,
    ct,
    devices: { bridge: "qbr5f1c0a2e-3b", physIn: "tap5f1c0a2e-3b", physOut: "qvb5f1c0a2e-3b" },
    sets: {
      has: (name, p, dirs) =>
        name === "known" ? (dirs[0] === "src" ? p.src : p.dst) === 0x0a000064n : undefined,
    },
  };
}

function test(rule: string, p = P, e = env()): { result: MatchResult; miss: string } {
  const r = parseRule(`-A c ${rule} -j ACCEPT`, "ipv4", new Set(["c"]));
  if (!r.ok) throw new Error(`${rule}: ${r.error.message}`);
  expect(r.rule.text).toBe(`-A c ${rule} -j ACCEPT`);
  let result: MatchResult = true;
  const misses: string[] = [];
  for (const m of r.rule.matches) {
    const x = m.test(p, e);
    if (x === false) misses.push(m.miss(p, e));
    if (result === true || x === false) result = x;
  }
  return { result, miss: misses.join(" | ") };
}

describe("matches", () => {
  it.each([
    ["-s 10.0.0.0/24", P, env(), true, ""],
    ["-s 10.0.1.0/24", P, env(), false, "source 10.0.1.0/24 wanted, frame has source 10.0.0.100"],
    ["! -s 10.0.0.0/24", P, env(), false, "not (source 10.0.0.0/24 wanted, frame has source 10.0.0.100)"],
    ["-d 10.0.0.5/32", P, env(), true, ""],
    ["-i qbr+", P, env(), true, ""],
    [
      "-o qbr5f1c0a2e-3b",
      P,
      env("PREROUTING"),
      false,
      "out device qbr5f1c0a2e-3b wanted, a bridged frame has none (the bridge, not its port)",
    ],
    [
      "-i qvb5f1c0a2e-3b",
      P,
      env(),
      false,
      "in device qvb5f1c0a2e-3b wanted, a bridged frame has qbr5f1c0a2e-3b (the bridge, not its port)",
    ],
    ["-p tcp", P, env(), true, ""],
    ["-p 17", P, env(), false, "protocol 17 wanted, frame is tcp"],
    ["-p tcp -m tcp --dport 22", P, env(), false, "tcp dport 22 allowed, frame has dport 80"],
    ["-p tcp -m tcp --sport 1024:65535 --dport 80", P, env(), true, ""],
    ["-p tcp -m tcp ! --dport 80", P, env(), false, "not (tcp dport 80 allowed, frame has dport 80)"],
    ["-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN", P, env(), true, ""],
    [
      "-p tcp -m tcp --syn",
      { ...P, tcpFlags: 0x10 },
      env(),
      false,
      "tcp flags SYN of FIN,SYN,RST,ACK wanted, frame has ACK",
    ],
    [
      "-p udp -m udp --dport 80",
      P,
      env(),
      false,
      "protocol udp wanted, frame is tcp | udp wanted, frame is tcp",
    ],
    ["-p tcp -m multiport --dports 22,80,8000:8080", P, env(), true, ""],
    ["-p tcp -m multiport --sports 22,443", P, env(), false, "sport 22,443 allowed, frame has sport 40000"],
    ["-p icmp -m icmp --icmp-type 3/4", ICMP, env(), true, ""],
    ["-p icmp -m icmp --icmp-type 8", ICMP, env(), false, "icmp type 8 allowed, frame has type 3/4"],
    ["-p icmp -m icmp --icmp-type any", ICMP, env(), true, ""],
    [
      "-m state --state RELATED,ESTABLISHED",
      P,
      env(),
      false,
      "state RELATED,ESTABLISHED wanted, the frame is NEW",
    ],
    ["-m conntrack --ctstate NEW", P, env(), true, ""],
    ["-m conntrack --ctstate INVALID", P, env("FORWARD", "INVALID"), true, ""],
    ["-m physdev --physdev-in tap5f1c0a2e-3b --physdev-is-bridged", P, env(), true, ""],
    [
      "-m physdev --physdev-in tap5f1c0a2e-3b --physdev-is-bridged",
      P,
      env("PREROUTING"),
      false,
      "a bridged frame wanted (the bridge has not decided yet)",
    ],
    [
      "-m physdev --physdev-out tap+",
      P,
      env(),
      false,
      "bridge port out tap+ wanted, frame leaves by qvb5f1c0a2e-3b",
    ],
    ["-m physdev ! --physdev-out tap+", P, env(), true, ""],
    [
      "-m physdev --physdev-out qvb5f1c0a2e-3b",
      P,
      env("PREROUTING"),
      false,
      "bridge port out qvb5f1c0a2e-3b wanted, frame leaves by (not decided yet)",
    ],
    ["-m set --match-set known src", P, env(), true, ""],
    ["-m set --match-set known dst", P, env(), false, "destination not in ipset known"],
    ["-m set ! --match-set known src", P, env(), false, "not (source not in ipset known)"],
    ["-m mac --mac-source FA:16:3E:00:00:64", P, env(), true, ""],
    [
      "-m mac --mac-source FA:16:3E:00:00:65",
      P,
      env(),
      false,
      "source MAC fa:16:3e:00:00:65 wanted, frame has fa:16:3e:00:00:64",
    ],
    ['-m comment --comment "any text, even \\"quoted\\""', P, env(), true, ""],
    ["-m addrtype --dst-type MULTICAST", MCAST, env(), true, ""],
    ["-m length --length 0:59", P, env(), false, "length 0:59 wanted, frame has 60"],
    ["-f", P, env(), false, "a fragment wanted"],
  ] as const)("%s", (rule, p, e, want, miss) => {
    const r = test(rule, p, e);
    expect(r.result).toBe(want);
    expect(r.miss).toBe(miss);
  });

  it.each([
    ["-m set --match-set unknown src", /ipset unknown membership: not in the dumps/],
    ["-m limit --limit 3/min --limit-burst 5", /rate limits\) is not modelled/],
    ["-m addrtype --dst-type LOCAL", /addrtype LOCAL is not modelled/],
    ["-m hashlimit --hashlimit-upto 5/sec", /match extension hashlimit is not modelled/],
    ["-m conntrack --ctstatus ASSURED", /conntrack --ctstatus is not modelled/],
  ])("%s cannot be decided from the dumps", (rule, why) => {
    const r = test(rule);
    expect(typeof r.result).toBe("object");
    expect(typeof r.result === "object" && r.result.unknown).toMatch(why);
  });
});

describe("targets", () => {
  it.each([
    ["-j CT --zone 4097", { kind: "ct", zone: 4097, notrack: false }],
    ["-j CT --notrack", { kind: "ct", zone: null, notrack: true }],
    ["-j REJECT --reject-with icmp-port-unreachable", { kind: "verdict", verdict: "REJECT" }],
    ["-j MARK --set-xmark 0x1/0xffffffff", { kind: "mark", value: 1, mask: 0xffffffff }],
    ["-j LOG --log-prefix x", { kind: "continue" }],
    ["-j RETURN", { kind: "return" }],
    ["-j other", { kind: "jump", chain: "other", goto: false }],
    ["-g other", { kind: "jump", chain: "other", goto: true }],
    ["-j SECMARK --selctx x", { kind: "unknown", name: "SECMARK" }],
  ])("%s", (target, want) => {
    const r = parseRule(`-A c ${target}`, "ipv4", new Set(["c", "other"]));
    expect(r.ok && r.rule.target).toMatchObject(want);
    expect(r.ok && r.rule.text).toBe(`-A c ${target}`);
  });
});
