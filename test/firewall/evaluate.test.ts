/**
 * The firewall stage against the kernel: every frame the recorder sent through a Neutron-shaped
 * iptables_hybrid ruleset, replayed in order with conntrack carried from frame to frame, must get the
 * kernel's verdict, and for a drop the kernel's chain and rule (the DROP rule whose counter moved).
 * Every rule the evaluator says the frame matched must be one whose packet counter moved, and (for
 * frames the bridge does not also deliver to the host) every moved counter a rule the evaluator matched.
 * And the kernel's own rule trace (`nft monitor trace`): the rules the evaluator says the frame matched
 * or jumped through, in order, with their verdicts and the built-in chains' policies, are the kernel's.
 */
import { describe, expect, it } from "vitest";
import { loadHosts } from "../../src/dumps/host/load.js";
import { firewallOfDumps } from "../../src/dumps/netfilter/firewall.js";
import { parseIptablesListing } from "../../src/dumps/netfilter/iptables-list.js";
import { parseNftRuleset } from "../../src/dumps/netfilter/nft.js";
import { FwConntrack } from "../../src/firewall/conntrack.js";
import {
  evaluateBridged,
  evaluateFrame,
  type Firewall,
  type FwResult,
  type FwStep,
  type FwVerdict,
  type HostFirewall,
} from "../../src/firewall/evaluate.js";
import { fwPacketOf } from "../../src/firewall/packet.js";
import {
  captureFrames,
  devicesOf,
  type KernelFrame,
  kernelFrames,
  recordedFirewall,
  sos,
} from "./support.js";

const frames = kernelFrames();
const captures = new Map<string, Uint8Array[]>();
const bytesOf = (k: KernelFrame) => {
  if (!captures.has(k.capture)) captures.set(k.capture, captureFrames(k.capture));
  return captures.get(k.capture)![k.captureFrame - 1];
};

/** The kernel's dropping rule: the filter DROP/REJECT rule whose counter moved, or a policy. */
function kernelDrop(k: KernelFrame, fw: ReturnType<typeof recordedFirewall>) {
  for (const m of k.moved) {
    if (m.table !== "filter" || m.index < 0) continue;
    const rs = m.family === "ipv4" ? fw.v4! : fw.v6!;
    const rule = rs.tables.get("filter")!.chains.get(m.chain)!.rules[m.index];
    if (rule.target.kind === "verdict" && rule.target.verdict !== "ACCEPT")
      return { chain: m.chain, index: m.index };
  }
  return { chain: "(policy)", index: -1 };
}

/**
 * The kernel's trace of the bridged frame: the events of the trace ids that did not go up to the host
 * (a broadcast is also delivered to the bridge itself, whose copy crosses raw PREROUTING again and INPUT).
 */
function bridgedTrace(k: KernelFrame): string[] {
  const local = new Set(k.trace.filter((e) => e.chain === "INPUT").map((e) => e.id));
  return k.trace.filter((e) => !local.has(e.id)).map((e) => `${e.table} ${e.chain} ${e.index} ${e.verdict}`);
}

/** An evaluator step in nft trace's words: a target that does not decide (CT, MARK, LOG) is "continue". */
function traceLine(s: FwStep): string {
  const verdict = /^(jump|goto|policy) /.test(s.action)
    ? s.action.replace(/ (ACCEPT|DROP)$/, (x) => x.toLowerCase())
    : (({ RETURN: "return", ACCEPT: "accept", DROP: "drop", REJECT: "drop" } as Record<string, string>)[
        s.action
      ] ?? "continue");
  return `${s.table} ${s.chain} ${s.rule ? s.rule.index : -1} ${verdict}`;
}

describe("replaying the recorded frames gives the kernel's verdicts", () => {
  const fw = recordedFirewall();
  const results = frames.map((k) => ({ k, r: evaluateBridged(fw, fwPacketOf(bytesOf(k)), devicesOf(k)) }));

  it.each(results.map(({ k, r }) => [k.frame, k.what, k, r.verdict] as const))(
    "frame %i: %s",
    (_n, _what, k, v: FwVerdict) => {
      expect(v.kind === "accept" || v.kind === "pass").toBe(k.delivered);
      if (v.kind === "drop") {
        expect({ chain: v.chain, index: v.rule?.index ?? -1 }).toEqual(kernelDrop(k, fw));
      }
      if (v.kind === "accept" || v.kind === "drop") {
        const moved = new Set(k.moved.map((m) => `${m.family} ${m.table} ${m.chain} ${m.index}`));
        for (const s of v.steps) {
          const fam = fwPacketOf(bytesOf(k)).family;
          const key = `${fam} ${s.table} ${s.chain} ${s.rule ? s.rule.index : -1}`;
          // A built-in chain's policy counter moves only when the policy decides (ACCEPT here is the
          // chain end, counted by the kernel as the policy as well).
          if (s.rule) expect(moved, key).toContain(key);
        }
        // And the other way: every rule whose counter moved is one the evaluator went through (but for
        // broadcasts, which the bridge also delivers to the host itself: its INPUT chain counts them).
        const bytes = bytesOf(k);
        if (!(bytes[0] & 1)) {
          const fam = fwPacketOf(bytes).family;
          const stepped = new Set(
            v.steps.filter((s) => s.rule).map((s) => `${fam} ${s.table} ${s.chain} ${s.rule?.index}`),
          );
          for (const m of k.moved.filter((x) => x.index >= 0))
            expect(stepped, `${m.chain} ${m.index}`).toContain(
              `${m.family} ${m.table} ${m.chain} ${m.index}`,
            );
        }
      }
    },
  );

  it.each(results.map(({ k, r }) => [k.frame, k.what, k, r.verdict] as const))(
    "frame %i (%s): the rules traversed, in order, are the kernel's trace",
    (_n, _what, k, v: FwVerdict) => {
      expect(v.kind === "pass" || v.kind === "accept" || v.kind === "drop").toBe(true);
      const steps = v.kind === "accept" || v.kind === "drop" ? v.steps : [];
      expect(bridgedTrace(k).length > 0).toBe(v.kind !== "pass");
      expect(steps.map(traceLine)).toEqual(bridgedTrace(k));
    },
  );

  it("the recording has drops and deliveries of both families", () => {
    expect(frames.filter((k) => !k.delivered).length).toBeGreaterThan(5);
    expect(frames.filter((k) => k.delivered).length).toBeGreaterThan(5);
  });
});

describe("near misses: the port's allow rules that failed on one or two conditions", () => {
  const fw = recordedFirewall();
  const byWhat = new Map(
    frames.map((k) => [k.what, evaluateBridged(fw, fwPacketOf(bytesOf(k)), devicesOf(k)).verdict] as const),
  );
  it.each([
    ["HTTP to an SSH-only port", ["tcp dport 22 allowed, frame has dport 80"]],
    ["postgres from a non-member", ["source not in ipset NIPv4a1b2c3d4-e5f6-4a7b-8c9d-"]],
    ["spoofed source address from the VM", ["source 10.0.0.5/32 wanted, frame has source 10.0.0.99"]],
    ["ping from outside the allowed CIDR", ["source 10.0.0.0/24 wanted, frame has source 192.168.1.1"]],
  ])("%s", (what, want) => {
    const v = byWhat.get(what)!;
    expect(v.kind).toBe("drop");
    if (v.kind === "drop") expect(v.nearMisses.flatMap((n) => n.failed)).toEqual(want);
  });
});

describe("without the ipset dump", () => {
  it("a rule with --match-set gives both outcomes and names the set", () => {
    const fw = recordedFirewall(false);
    const k = frames.find((f) => f.what === "postgres from a remote-group member")!;
    const v = evaluateBridged(fw, fwPacketOf(bytesOf(k)), devicesOf(k)).verdict;
    expect(v.kind).toBe("depends");
    if (v.kind !== "depends") return;
    expect(v.set).toBe("NIPv4a1b2c3d4-e5f6-4a7b-8c9d-");
    expect(v.reason).toContain("give `ipset list`");
    expect(v.ifMember.kind).toBe("accept");
    expect(v.ifNot.kind).toBe("drop");
  });
});

describe("the verdict cache keys on conntrack state", () => {
  /** The frame turned around: MACs, addresses and ports swapped, TCP flags replaced. */
  function reversed(d: Uint8Array, flags: number): Uint8Array {
    const r = d.slice();
    r.set(d.subarray(6, 12), 0);
    r.set(d.subarray(0, 6), 6);
    r.set(d.subarray(30, 34), 26);
    r.set(d.subarray(26, 30), 30);
    r.set(d.subarray(36, 38), 34);
    r.set(d.subarray(34, 36), 36);
    r[47] = flags;
    return r;
  }

  it("a lone SYN/ACK to the VM is dropped as INVALID, accepted once the VM has sent the SYN", () => {
    const fw = recordedFirewall();
    const k = frames.find((f) => f.what === "lone SYN/ACK (INVALID)")!;
    const synack = fwPacketOf(bytesOf(k));
    const before = evaluateBridged(fw, synack, devicesOf(k));
    expect([before.ct, before.verdict.kind]).toEqual(["INVALID", "drop"]);
    const egress = { ...devicesOf(k), physIn: devicesOf(k).physOut, physOut: devicesOf(k).physIn };
    expect(evaluateBridged(fw, fwPacketOf(reversed(bytesOf(k), 0x02)), egress).verdict.kind).toBe("accept");
    const after = evaluateBridged(fw, synack, devicesOf(k));
    expect([after.ct, after.verdict.kind]).toEqual(["ESTABLISHED", "accept"]);
    // Asked again in the same state, the answer comes from the cache: the very same verdict.
    expect(evaluateBridged(fw, synack, devicesOf(k)).verdict).toBe(after.verdict);
  });
});

describe("evaluateFrame (the replay's fast path by byte signature) answers as evaluateBridged", () => {
  // What a caller reads of a result: the verdict's outcome, its deciding rule, the conntrack state.
  const outcome = (r: FwResult) => ({
    kind: r.verdict.kind,
    rule: r.verdict.kind === "drop" ? (r.verdict.rule?.index ?? -1) : null,
    chain: r.verdict.kind === "drop" ? r.verdict.chain : null,
    zone: r.zone,
    ct: r.ct,
    why: r.ctWhy,
  });
  // The recorded frames three times over, each firewall with its own conntrack: the second and third
  // passes meet every signature again (established connections, remembered conntrack entries).
  const passes = [...frames, ...frames, ...frames];
  const slow = recordedFirewall();
  const fast = recordedFirewall();
  const rows = passes.map((k, i) => {
    const bytes = bytesOf(k);
    return [
      i,
      k.what,
      evaluateBridged(slow, fwPacketOf(bytes), devicesOf(k)),
      evaluateFrame(fast, bytes, devicesOf(k)),
    ] as const;
  });

  it.each(rows)("frame %i (%s): the same outcome and conntrack state", (_i, _what, want, got) => {
    expect(outcome(got)).toEqual(outcome(want));
  });

  it("the first pass gets the kernel's verdicts", () => {
    expect(
      rows
        .slice(0, frames.length)
        .map(([, , , r]) => r.verdict.kind === "accept" || r.verdict.kind === "pass"),
    ).toEqual(frames.map((k) => k.delivered));
  });

  it("conntrack ends with the same entries, replied alike", () => {
    const table = (fw: typeof slow) =>
      fw.conntrack
        .entries()
        .map(
          (e) =>
            `${e.zone} ${e.orig.proto} ${e.orig.src} ${e.orig.dst} ${e.orig.sport} ${e.orig.dport} ${e.replied}`,
        )
        .sort();
    expect(table(fast)).toEqual(table(slow));
    expect(fast.conntrack.size).toBeGreaterThan(0);
  });

  it("a frame met again in the same state gets the very same result object (nothing built)", () => {
    const fw = recordedFirewall();
    const k = frames.find((f) => f.what === "ssh handshake: SYN to an SSH-allowed port")!;
    const bytes = bytesOf(k);
    const first = [evaluateFrame(fw, bytes, devicesOf(k)), evaluateFrame(fw, bytes, devicesOf(k))];
    const devices = devicesOf(k);
    const a = evaluateFrame(fw, bytes, devices);
    const b = evaluateFrame(fw, bytes.slice(), devices);
    expect(first.map((r) => r.ct)).toEqual(["NEW", "NEW"]);
    expect(b).toBe(a);
  });

  it("a remembered connection's state moves on: after the reply, its SYN again is ESTABLISHED", () => {
    const fw = recordedFirewall();
    const syn = frames.find((f) => f.what === "ssh handshake: SYN to an SSH-allowed port")!;
    const synack = frames.find((f) => f.what === "ssh handshake: the VM's SYN/ACK")!;
    const states = [syn, syn, syn, synack, syn, synack].map(
      (k) => evaluateFrame(fw, bytesOf(k), devicesOf(k)).ct,
    );
    expect(states).toEqual(["NEW", "NEW", "NEW", "ESTABLISHED", "ESTABLISHED", "ESTABLISHED"]);
  });
});

describe("from the listings a sosreport holds (no iptables-save)", () => {
  function listingFirewall(tables: string[]) {
    const base = recordedFirewall();
    const read = (family: "ipv4" | "ipv6", file: string, table: string) =>
      parseIptablesListing(sos(`firewall_tables/${file}`), file, family, table).value;
    const merge = (family: "ipv4" | "ipv6") => {
      const pre = family === "ipv4" ? "iptables" : "ip6tables";
      const rs = read(family, `${pre}_-vnxL`, "filter");
      for (const t of tables) rs.tables.set(t, read(family, `${pre}_-t_${t}_-nvL`, t).tables.get(t)!);
      return rs;
    };
    return { ...base, v4: merge("ipv4"), v6: merge("ipv6") };
  }

  it.each([
    ["filter and raw listings", ["raw"]],
    ["the filter listing only (iptables-nft hosts: no raw table, one zone)", []],
  ])("%s: every frame gets the kernel's verdict", (_name, tables) => {
    const fw = listingFirewall(tables);
    const got = frames.map((k) => evaluateBridged(fw, fwPacketOf(bytesOf(k)), devicesOf(k)).verdict.kind);
    expect(got.map((v) => v === "accept" || v === "pass")).toEqual(frames.map((k) => k.delivered));
  });
});

describe("an iptables-nft host's sosreport (nft -a list ruleset, iptables -vnxL, ip6tables -vnxL)", () => {
  /** The host as loaded from its directory, with `ipset list` pasted beside or not. */
  async function nftHost(withSets: boolean): Promise<Firewall> {
    const [h] = await loadHosts("fixtures/firewall/host1-nft");
    const fw = firewallOfDumps(h.dumps)!;
    return withSets ? { ...fw, sets: recordedFirewall().sets } : fw;
  }
  const replay = (fw: Firewall) =>
    frames.map((k) => ({ k, v: evaluateBridged(fw, fwPacketOf(bytesOf(k)), devicesOf(k)).verdict }));

  it("the filter table from the listings, the raw table (zones, notrack) from nft's listing", async () => {
    const fw = (await nftHost(false)) as HostFirewall;
    expect(fw.v4?.source).toBe("listing");
    expect([...fw.v4!.tables.keys()].sort()).toEqual(["filter", "raw"]);
    expect(fw.lost.join("\n")).toContain("table(s) raw read from nft's listing");
  });

  it("every frame gets the kernel's verdict, but the remote group's, which need `ipset list`", async () => {
    const got = replay(await nftHost(false));
    const depends = got.filter(({ v }) => v.kind === "depends");
    expect(depends.map(({ k }) => k.frame)).toEqual([24, 25, 26, 27]);
    for (const { k, v } of depends) {
      if (v.kind !== "depends") continue;
      expect(v.set).toMatch(/^NIPv[46]a1b2c3d4/);
      // The kernel's outcome is one of the two.
      expect([v.ifMember.kind, v.ifNot.kind]).toContain(k.delivered ? "accept" : "drop");
    }
    for (const { k, v } of got.filter(({ v }) => v.kind !== "depends"))
      expect(v.kind === "accept" || v.kind === "pass", `frame ${k.frame}`).toBe(k.delivered);
  });

  it("with `ipset list` pasted beside it, all 36 frames get the kernel's verdict and traversal", async () => {
    const got = replay(await nftHost(true));
    expect(got.map(({ v }) => v.kind === "accept" || v.kind === "pass")).toEqual(
      frames.map((k) => k.delivered),
    );
    for (const { k, v } of got) {
      const steps = v.kind === "accept" || v.kind === "drop" ? v.steps : [];
      expect(steps.map(traceLine), `frame ${k.frame}`).toEqual(bridgedTrace(k));
    }
  });

  it("from nft's listing alone, every IP frame is undecidable at the first opaque physdev rule, saying so", () => {
    const rs = parseNftRuleset(sos("firewall_tables/nft_-a_list_ruleset"), "nft").value.iptables;
    const fw: Firewall = {
      v4: rs.ipv4,
      v6: rs.ipv6,
      sets: recordedFirewall().sets,
      conntrack: new FwConntrack(),
    };
    const got = replay(fw);
    const undecidable = got.filter(({ v }) => v.kind === "undecidable");
    expect(undecidable.length).toBe(frames.length - 1);
    for (const { v } of undecidable)
      if (v.kind === "undecidable")
        expect(v.reason).toBe(
          "nft's listing prints `xt match physdev` without its options (the bridge port): not in the dumps; give iptables-save",
        );
  });
});
