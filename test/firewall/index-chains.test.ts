/**
 * The per-port index on a busy host: 200 hybrid-plugged ports, ~10,000 rules in Neutron's layout. A
 * frame must be matched against its own port's rules and the shared ones, not against every rule.
 */
import { describe, expect, it } from "vitest";
import { parseIptablesSave } from "../../src/dumps/netfilter/iptables-save.js";
import { FwConntrack } from "../../src/firewall/conntrack.js";
import { evaluateBridged } from "../../src/firewall/evaluate.js";
import { candidateRules } from "../../src/firewall/index-chains.js";
import { NO_SETS } from "../../src/firewall/ipset.js";
import { fwPacketOf } from "../../src/firewall/packet.js";

const W = "neutron-openvswi-";
const id = (n: number) => `${n.toString(16).padStart(8, "0")}-00`;

/** A Neutron-shaped ruleset: per port FORWARD/sg-chain jumps and i/o/s chains of ~45 rules. */
function busyRuleset(ports: number): string {
  const chains = [
    ":FORWARD ACCEPT [0:0]",
    `:${W}FORWARD - [0:0]`,
    `:${W}sg-chain - [0:0]`,
    `:${W}sg-fallback - [0:0]`,
  ];
  const rules = [`-A FORWARD -j ${W}FORWARD`];
  for (let p = 0; p < ports; p++) {
    const d = id(p);
    const [i, o, s] = ["i", "o", "s"].map((k) => `${W}${k}${d.slice(0, 10)}`);
    chains.push(`:${i} - [0:0]`, `:${o} - [0:0]`, `:${s} - [0:0]`);
    for (const dir of ["out", "in"])
      rules.push(`-A ${W}FORWARD -m physdev --physdev-${dir} tap${d} --physdev-is-bridged -j ${W}sg-chain`);
    rules.push(`-A ${W}sg-chain -m physdev --physdev-out tap${d} --physdev-is-bridged -j ${i}`);
    rules.push(`-A ${W}sg-chain -m physdev --physdev-in tap${d} --physdev-is-bridged -j ${o}`);
    rules.push(`-A ${i} -m state --state RELATED,ESTABLISHED -j RETURN`);
    for (let k = 0; k < 20; k++)
      rules.push(`-A ${i} -s 10.${k}.0.0/16 -p tcp -m tcp --dport ${1000 + k} -j RETURN`);
    rules.push(`-A ${i} -m state --state INVALID -j DROP`, `-A ${i} -j ${W}sg-fallback`);
    rules.push(`-A ${o} -j ${s}`, `-A ${o} -m state --state RELATED,ESTABLISHED -j RETURN`);
    for (let k = 0; k < 15; k++) rules.push(`-A ${o} -p udp -m udp --dport ${2000 + k} -j RETURN`);
    rules.push(`-A ${o} -j ${W}sg-fallback`);
    rules.push(`-A ${s} -s 10.1.${p >> 8}.${p & 255}/32 -j RETURN`, `-A ${s} -j DROP`);
  }
  rules.push(`-A ${W}sg-chain -j ACCEPT`, `-A ${W}sg-fallback -j DROP`);
  return ["*filter", ...chains, ...rules, "COMMIT", ""].join("\n");
}

/** TCP SYN 10.5.0.9:40000 → 10.1.0.7:1005. */
const SYN = Uint8Array.from(
  Buffer.from(
    "fa163e000001fa163e0000020800450000280001000040060000" +
      "0a0500090a010007" +
      "9c4003ed000003e80000000050022000000000000000",
    "hex",
  ),
);

describe("200 ports, ~10,000 rules", () => {
  const parsed = parseIptablesSave(busyRuleset(200), "busy", "ipv4");
  const rs = parsed.value;
  const filter = rs.tables.get("filter")!;
  const total = [...filter.chains.values()].reduce((n, c) => n + c.rules.length, 0);

  it("is read whole", () => {
    expect(parsed.diagnostics).toEqual([]);
    expect(total).toBeGreaterThan(9000);
  });

  it("a port's frames see only that port's jumps in FORWARD and sg-chain", () => {
    const fwd = filter.chains.get(`${W}FORWARD`)!;
    const sg = filter.chains.get(`${W}sg-chain`)!;
    expect(fwd.rules.length).toBe(400);
    expect(candidateRules(fwd, "qvb00000007-00", "tap00000007-00").map((r) => r.text)).toEqual([
      `-A ${W}FORWARD -m physdev --physdev-out tap00000007-00 --physdev-is-bridged -j ${W}sg-chain`,
    ]);
    expect(candidateRules(sg, "qvb00000007-00", "tap00000007-00").length).toBe(2);
  });

  it("evaluating a frame tests a few dozen rules, not thousands, and gets the right verdict", () => {
    let tests = 0;
    for (const c of filter.chains.values())
      for (const r of c.rules)
        for (const m of r.matches) {
          const test = m.test;
          m.test = (p, env) => {
            tests++;
            return test(p, env);
          };
        }
    const fw = { v4: rs, sets: NO_SETS, conntrack: new FwConntrack() };
    const devices = { bridge: "qbr00000007-00", physIn: "qvb00000007-00", physOut: "tap00000007-00" };
    const v = evaluateBridged(fw, fwPacketOf(SYN), devices);
    expect(v.verdict.kind).toBe("accept");
    expect(tests).toBeLessThan(100);
    tests = 0;
    const other = {
      ...devices,
      physOut: "tap000000c7-00",
      bridge: "qbr000000c7-00",
      physIn: "qvb000000c7-00",
    };
    expect(evaluateBridged(fw, fwPacketOf(SYN), other).verdict.kind).toBe("accept");
    expect(tests).toBeLessThan(100);
    tests = 0;
    const http = SYN.slice();
    http.set([0, 80], 36);
    const dropped = evaluateBridged(fw, fwPacketOf(http), other).verdict;
    expect(dropped.kind === "drop" && dropped.chain).toBe(`${W}sg-fallback`);
    // A drop also looks for near misses in the chains it crossed: still the port's own rules only.
    expect(tests).toBeLessThan(200);
  });
});
