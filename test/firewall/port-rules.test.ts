/**
 * A port's security group from its host's iptables, and the firewall findings: no chains, a missing
 * ipset, a shared zone, drops already counted.
 */
import { describe, expect, it } from "vitest";
import { parseIptablesSave } from "../../src/dumps/netfilter/iptables-save.js";
import { FwConntrack } from "../../src/firewall/conntrack.js";
import type { HostFirewall } from "../../src/firewall/evaluate.js";
import { NO_SETS } from "../../src/firewall/ipset.js";
import { portFindings, portRules } from "../../src/firewall/port-rules.js";
import { recordedFirewall } from "./support.js";

const W = "neutron-openvswi-";
const SAVE = [
  "*raw",
  ":PREROUTING ACCEPT [0:0]",
  "-A PREROUTING -m physdev --physdev-in tapa -j CT --zone 7",
  "-A PREROUTING -m physdev --physdev-in tapb -j CT --zone 7",
  "COMMIT",
  "*filter",
  ":FORWARD ACCEPT [0:0]",
  `:${W}sg-chain - [0:0]`,
  `:${W}ia - [0:0]`,
  `:${W}sg-fallback - [0:0]`,
  `-A FORWARD -m physdev --physdev-out tapa --physdev-is-bridged -j ${W}sg-chain`,
  `-A FORWARD -m physdev --physdev-out tapb --physdev-is-bridged -j ACCEPT`,
  `-A ${W}sg-chain -m physdev --physdev-out tapa --physdev-is-bridged -j ${W}ia`,
  `[3:180] -A ${W}ia -p tcp -m tcp --dport 80 -j DROP`,
  `-A ${W}ia -m set --match-set NIPv4gone src -j RETURN`,
  `-A ${W}ia -j ${W}sg-fallback`,
  `[0:0] -A ${W}sg-fallback -j DROP`,
  "COMMIT",
].join("\n");

function fw(): HostFirewall {
  const v4 = parseIptablesSave(SAVE, "save", "ipv4").value;
  return { v4, sets: NO_SETS, conntrack: new FwConntrack(), sources: {}, lost: [] };
}

describe("a port's rules", () => {
  it.each([
    ["tapa", "security-groups", 7, 3],
    ["tapb", "port-security-off", 7, 0],
    ["tapc", "none", undefined, 0],
  ] as const)("%s: %s, zone %s", (tap, mode, zone, ingress) => {
    const r = portRules(fw(), tap);
    expect([r.mode, r.zone, r.ingress.length]).toEqual([mode, zone, ingress]);
  });

  it("on the recorded host: port A's ingress and egress chains, zone, and port B's ipset", () => {
    const f = recordedFirewall();
    const a = portRules({ ...f, sources: {}, lost: [] }, "tap5f1c0a2e-3b");
    expect(a.zone).toBe(4097);
    expect(a.ingress.some((r) => r.text.endsWith("-p tcp -m tcp --dport 22 -j RETURN"))).toBe(true);
    expect(a.egress.some((r) => r.text.includes("Drop traffic without an IP/MAC allow rule."))).toBe(true);
    const b = portRules({ ...f, sources: {}, lost: [] }, "tap7a2b3c4d-11");
    expect(b.ipsets).toEqual(["NIPv4a1b2c3d4-e5f6-4a7b-8c9d-", "NIPv6a1b2c3d4-e5f6-4a7b-8c9d-"]);
    expect(portRules({ ...f, sources: {}, lost: [] }, "tap9c0d1e2f-22").zone).toBeNull();
  });
});

describe("findings", () => {
  const f = fw();
  const ports = ["tapa", "tapb", "tapc"].map((t) => portRules(f, t));
  const found = portFindings(f, ports, new Set(["NIPv4other"]));
  it("one of each kind, with the rule's file:line where there is one", () => {
    expect(found.map((x) => [x.kind, x.evidence.map((e) => e.line)])).toEqual([
      ["fw-missing-ipset", [15]],
      ["fw-drops-counted", [14]],
      ["fw-no-chains", []],
      ["fw-shared-zone", []],
    ]);
    expect(found[3].message).toBe("conntrack zone 7 is shared by tapa, tapb: their connections can collide");
  });
  it("without an ipset dump a set cannot be called missing", () => {
    expect(portFindings(f, ports, null).some((x) => x.kind === "fw-missing-ipset")).toBe(false);
  });
});
