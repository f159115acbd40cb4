/**
 * The live differential test: random switches (bridges, patch and tunnel ports, VLAN-configured dummy
 * ports, flow tables with overlapping masked matches, most actions ovspath models) are installed into a
 * real ovs-vswitchd, dumped the way a sosreport holds them, loaded back with ovspath's loader, and every
 * random packet is traced by both: `ovs-appctl ofproto/trace` against ovspath's trace() on the dumps.
 * Datapath actions must mean the same (as ovs-lab/dp-actions-equal compares them).
 *
 * Seed: one per run, printed; `OVSPATH_SEED=N` replays it (CI pins one, so a red CI is never luck).
 * `OVSPATH_ROUNDS=N` sizes the run (random switches, 40 by default; each gets 3 flow tables and 30
 * packets per table), `OVSPATH_BUDGET_S` bounds its time (240 s), `OVSPATH_KEEP=1` keeps the dumps of
 * a disagreement, `OVSPATH_SHOW=N` prints N of them.
 * Without OVS: skipped with the reason printed, except in CI (`CI` or `OVSPATH_REQUIRE_OVS` set), where
 * a missing OVS fails the suite.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadHosts } from "../../src/dumps/host/load.js";
import { ctStateValue } from "../../src/pipeline/ct-state.js";
import {
  flowFromPacket,
  formatTrace,
  parseHexPacket,
  parseTraceFlow,
  switchesOf,
  trace,
} from "../../src/pipeline/index.js";
import { OvsSandbox, ovsMissingReason } from "../support/ovs-sandbox.js";
import { passLines, passOutputs } from "../support/ovs-trace.js";
import {
  addLengthChecks,
  addStatefulChain,
  type GenTables,
  type GenTopology,
  genPacket,
  genTables,
  genTopology,
  LEARNED_COOKIE,
  rng,
  vsctlArgs,
} from "./generate.js";
import { packetOf } from "./packet-bytes.js";

const missing = ovsMissingReason();
const required = Boolean(process.env.CI || process.env.OVSPATH_REQUIRE_OVS);
if (missing && !required) console.log(`ovs-live: skipped: ${missing}`);

const SEED = process.env.OVSPATH_SEED ? Number(process.env.OVSPATH_SEED) : Date.now() % 1_000_000;
const ROUNDS = Number(process.env.OVSPATH_ROUNDS ?? 40);
const TABLES_PER_ROUND = 3;
const PACKETS_PER_TABLES = 30;
/**
 * Traces given a packet (hex) after the flow-only ones of each table set. A packet lets OVS learn
 * (MACs, learn() flows), so each starts from flushed MAC tables and without the flows learn() added
 * (they carry LEARNED_COOKIE); ovspath from the dumps again. Drawn from their own generator so a seed's flow-only cases stay.
 */
const PACKET_TRACES_PER_TABLES = 6;
/** Shares of rounds with native tunnels (tnl_push), and of table sets with the stateful chain. */
const NATIVE_SHARE = 0.4;
const CHAIN_SHARE = 0.5;
const UNDERLAY = "brphy";

/** What a compared case's OVS trace exercised, by feature (the README's per-feature counts). */
const FEATURES: Array<[string, RegExp]> = [
  ["conntrack", /\bct\(/],
  ["conntrack recirculated (--ct-next states)", /^Datapath actions:.*\bct\(.*recirc\(/m],
  ["conntrack zone", /\bct\([^)]*zone=/],
  ["conntrack commit", /\bct\([^)]*commit/],
  ["conntrack nat", /\bct\([^)]*nat/],
  ["conjunction", /conjunction\(|conj_id=/],
  ["learn()", /\blearn\(/],
  ["group", /\bgroup:\d+/],
  ["NORMAL", /\bNORMAL\b/],
  ["kernel tunnel output", /set\(tunnel\(/],
  ["native tunnel output", /tnl_push\(/],
  ["VLAN-tagged and native tunnel outputs in one action list", /^Datapath actions:.*_vlan.*tnl_push\(/m],
  ["check_pkt_larger", /^Datapath actions:.*check_pkt_len\(/m],
];

interface Disagreement {
  round: number;
  bridge: string;
  flow: string;
  ctNext: string[];
  ovs: string;
  ours: string;
  flows: string;
  /** The dumps, kept when OVSPATH_KEEP is set. */
  dumps: string;
}

/**
 * Cases the dumps cannot decide, so no offline tool can print OVS's exact answer: each with why, and a
 * predicate that also checks ovspath agrees with OVS on everything the dumps do decide. They are counted
 * and printed, not failures. Everything else that differs fails the run.
 */
const UNDECIDABLE: Array<{ what: string; matches: (d: Disagreement) => boolean }> = [
  {
    what:
      "flood order: NORMAL floods in ofproto-dpif's bundle order, a hash of ovs-vswitchd's heap " +
      "pointers that no dump shows; when a flooded patch port's peer runs ct() in line, the conntrack " +
      "state it leaves is seen by the ports flooded after it (the outputs agree but for that state)",
    matches: (d) =>
      /flooding$|^\s+(FLOOD|ALL)$/m.test(d.ovs) &&
      / ct\(|ct\(/.test(passLines(d.ovs, "Datapath actions:").join()) &&
      sameActions(d.ovs, d.ours, new Set(), true),
  },
  {
    what:
      "flood order and the 64 kB limit: a flooding loop whose datapath actions pass 64 kB, where OVS " +
      "ends each further action list; which outputs come before the cut depends on the flood order " +
      "(fixtures/ovs-live/flood-loop-64k; given OVS's order, ovspath cuts where OVS does). Both must " +
      "reach the limit, and print the same trace up to the first flood",
    matches: (d) =>
      [d.ovs, d.ours].every((t) => t.includes("resubmits yielded over 64 kB of actions")) &&
      untilFirstFlood(d.ovs) !== undefined &&
      untilFirstFlood(d.ovs) === untilFirstFlood(d.ours),
  },
];

/** A trace's text up to its first flood (NORMAL's, or a FLOOD/ALL action), or undefined if none. */
function untilFirstFlood(text: string): string | undefined {
  const lines = text.split("\n");
  const at = lines.findIndex((l) => /flooding$|^\s+(FLOOD|ALL)$/.test(l));
  return at < 0 ? undefined : lines.slice(0, at + 1).join("\n");
}

/** Rounds stop starting once this many seconds have passed (a slow or busy machine still finishes). */
const BUDGET_SECONDS = Number(process.env.OVSPATH_BUDGET_S ?? 240);

describe.skipIf(missing !== undefined && !required)("live differential: ovs-appctl ofproto/trace", () => {
  let sandbox: OvsSandbox | undefined;
  let work = "";
  const disagreements: Disagreement[] = [];
  const crashes: Disagreement[] = [];
  let cases = 0;
  let packetCases = 0;
  let nativeRounds = 0;
  const featureCounts = new Map<string, number>();
  /** Cases that exercised two or more of the stateful features in one pipeline. */
  let mixed = 0;
  const countFeatures = (ovsText: string) => {
    const hit = FEATURES.filter(([, re]) => re.test(ovsText)).map(([name]) => name);
    for (const name of hit) featureCounts.set(name, (featureCounts.get(name) ?? 0) + 1);
    const stateful = ["conntrack", "conjunction", "learn()", "group", "native tunnel output"];
    if (hit.filter((h) => stateful.includes(h)).length >= 2) mixed++;
  };

  beforeAll(() => {
    if (missing) throw new Error(`ovs-live: Open vSwitch is required here (CI) but ${missing}`);
    work = mkdtempSync(join(tmpdir(), "ovspath-live-"));
    sandbox = new OvsSandbox(join(work, "ovs"));
    sandbox.start();
  });

  afterAll(() => {
    if (process.env.OVSPATH_KEEP === "running")
      console.log(`ovs-live: sandbox left running in ${sandbox?.dir}`);
    else sandbox?.stop();
    if (work && !process.env.OVSPATH_KEEP) rmSync(work, { recursive: true, force: true });
  });

  it("ofproto/trace agrees with ovspath on random switches", async () => {
    const sb = sandbox;
    if (!sb) throw new Error("no sandbox");
    console.log(`differential: seed ${SEED} (replay with OVSPATH_SEED=${SEED})`);
    const r = rng(SEED);
    const rp = rng(SEED + 1);
    const rl = rng(SEED + 2);
    let topo: GenTopology | undefined;
    // Native tunnels (tnl_push) need an underlay bridge holding the endpoint address, a route and
    // neighbours (../shared/ovs-lab/README.md); made once per ovs-vswitchd and kept across rounds.
    let underlay = false;
    let native = false;
    const ensureUnderlay = () => {
      if (underlay) return;
      sb.must("ovs-vsctl", [
        "--timeout=10",
        "add-br",
        UNDERLAY,
        "--",
        "set",
        "bridge",
        UNDERLAY,
        "datapath_type=dummy",
        "other-config:hwaddr=52:54:00:5a:00:01",
        "--",
        "add-port",
        UNDERLAY,
        "ethu",
        "--",
        "set",
        "interface",
        "ethu",
        "type=dummy",
        "ofport_request=1",
      ]);
      sb.must("ovs-ofctl", ["add-flow", UNDERLAY, "actions=NORMAL"]);
      sb.must("ovs-appctl", ["netdev-dummy/ip4addr", UNDERLAY, "10.1.0.1/16"]);
      sb.must("ovs-appctl", ["ovs/route/add", "10.1.0.0/16", UNDERLAY]);
      for (let i = 2; i <= 7; i++)
        sb.must("ovs-appctl", ["tnl/arp/set", UNDERLAY, `10.1.0.${i}`, `52:54:00:5b:00:0${i}`]);
      underlay = true;
    };
    const createTopology = (t: GenTopology) => {
      sb.must("ovs-vsctl", vsctlArgs(t));
      if (native) ensureUnderlay();
      // Kernel-style tunnel actions (set(tunnel(...)),PORT) as on a Linux host, or native ones
      // (tnl_push) as on a userspace host: a feature of the one datapath all bridges share.
      const push = native ? "true" : "false";
      sb.must("ovs-appctl", ["dpif/set-dp-features", t.bridges[0].name, "tnl_push_pop", push]);
    };
    const install = (t: GenTopology, tables: GenTables) => {
      for (const b of t.bridges) {
        const of = b.of13 ? ["-O", "OpenFlow13"] : [];
        sb.must("ovs-ofctl", [...of, "del-flows", b.name]);
        sb.must("ovs-ofctl", ["-O", "OpenFlow13", "del-groups", b.name]);
        for (const g of tables.groups.get(b.name) ?? [])
          sb.must("ovs-ofctl", [
            "-O",
            "OpenFlow13",
            "add-group",
            b.name,
            `group_id=${g.id},type=${g.type},${g.buckets.map((k) => `bucket=${k}`).join(",")}`,
          ]);
        const file = join(work, `${b.name}.flows`);
        writeFileSync(file, `${(tables.flows.get(b.name) ?? []).join("\n")}\n`);
        sb.must("ovs-ofctl", [...of, "add-flows", b.name, file]);
      }
    };
    const started = Date.now();
    let rounds = 0;
    for (let round = 0; round < ROUNDS; round++) {
      if ((Date.now() - started) / 1000 > BUDGET_SECONDS) {
        console.log(`differential: time budget of ${BUDGET_SECONDS} s spent after ${round} rounds`);
        break;
      }
      rounds++;
      if (topo)
        sb.must("ovs-vsctl", ["--timeout=10", ...topo.bridges.flatMap((b) => ["--", "del-br", b.name])]);
      topo = genTopology(r);
      native = rp.chance(NATIVE_SHARE);
      if (native) nativeRounds++;
      createTopology(topo);
      for (let tr = 0; tr < TABLES_PER_ROUND; tr++) {
        const tables = genTables(r, topo);
        if (rp.chance(CHAIN_SHARE)) addStatefulChain(rp, topo, tables);
        addLengthChecks(rl, tables);
        install(topo, tables);
        const all = topo.bridges.flatMap((b) =>
          (tables.flows.get(b.name) ?? []).map((l) => `${b.name}: ${l}`),
        );
        // Flow-only traces learn nothing: an empty MAC table in the dumps is the switch's for all of them.
        for (const b of topo.bridges) sb.must("ovs-appctl", ["fdb/flush", b.name]);
        const style = { tunnels: native ? ("native" as const) : ("kernel" as const) };
        // The switch as ovspath sees it: dumped from the live one, and dumped again after ovs-vswitchd
        // is restarted (below), whose datapath may number the ports anew.
        const bridges = topo.bridges.map((b) => b.name);
        const dumpLive = async (dir: string) => {
          mkdirSync(dir, { recursive: true });
          sb.dumpHost(dir, "live", [...bridges, ...(underlay ? [UNDERLAY] : [])]);
          const [loaded] = await loadHosts(dir);
          const [model] = switchesOf([loaded], style);
          // The datapath keeps tunnel metadata set once for every later tunnel output, whatever the order.
          const tunnels = new Set(
            [...model.bridges.values()].flatMap((b) =>
              [...b.ports.values()]
                .filter((p) => p.tunnel && p.dpPort !== undefined)
                .map((p) => String(p.dpPort)),
            ),
          );
          return { host: loaded, sw: model, tunnelPorts: tunnels };
        };
        let hostDir = join(work, `host-${round}-${tr}`);
        let { host, sw, tunnelPorts } = await dumpLive(hostDir);
        let keep = false;
        const usesLearn = [...tables.flows.values()].some((fl) => fl.some((l) => l.includes("learn(")));
        for (let p = 0; p < PACKETS_PER_TABLES + PACKET_TRACES_PER_TABLES; p++) {
          const withPacket = p >= PACKETS_PER_TABLES;
          const drawn = genPacket(withPacket ? rp : r, topo, tables.usesCt);
          const bytes = withPacket ? packetOf(drawn.flow) : undefined;
          const pkt = bytes ? { ...drawn, flow: bytes.meta } : drawn;
          let sim = sw;
          if (withPacket) {
            for (const b of topo.bridges) {
              sb.must("ovs-appctl", ["fdb/flush", b.name]);
              // OpenFlow 1.3: while an OpenFlow 1.0-1.2 connection (ovs-ofctl's default) is open, OVS
              // sends table misses to the controller ("packet-in is called for",
              // connmgr_wants_packet_in_on_miss), and vswitchd may still hold the just-closed one
              // when the trace comes; a 1.3 connection never asks for that.
              if (usesLearn)
                sb.must("ovs-ofctl", [
                  "-O",
                  "OpenFlow13",
                  "del-flows",
                  b.name,
                  `cookie=${LEARNED_COOKIE}/-1`,
                ]);
            }
            [sim] = switchesOf([host], style);
          }
          const args = [
            "ofproto/trace",
            pkt.bridge,
            pkt.flow,
            ...(bytes ? [bytes.hex] : []),
            ...pkt.ctNext.flatMap((c) => ["--ct-next", c]),
          ];
          const res = sb.run("ovs-appctl", args);
          const ovsText = res.stdout + res.stderr;
          const flowText = bytes ? `${pkt.flow} ${bytes.hex}` : pkt.flow;
          const c = { round, bridge: pkt.bridge, flow: flowText, ctNext: pkt.ctNext, flows: all.join("\n") };
          if (res.status !== 0 && !sb.alive()) {
            // ovs-vswitchd itself died on this case (3.1 aborts when datapath actions outgrow its
            // buffer): not a comparison; reported, then the switch is rebuilt and the run goes on.
            crashes.push({ ...c, ovs: sb.logTail(), ours: "", dumps: hostDir });
            keep = true;
            sb.start();
            underlay = false;
            createTopology(topo);
            install(topo, tables);
            // The restarted datapath numbers its ports as it adds them again: the cases after a crash
            // are compared against the switch as it is now, not as the first dump saw it.
            for (const b of topo.bridges) sb.must("ovs-appctl", ["fdb/flush", b.name]);
            hostDir = join(work, `host-${round}-${tr}-after-${crashes.length}`);
            ({ host, sw, tunnelPorts } = await dumpLive(hostDir));
            continue;
          }
          cases++;
          if (withPacket) packetCases++;
          countFeatures(ovsText);
          const br = sim.bridges.get(pkt.bridge);
          const parsed = parseTraceFlow(pkt.flow, (n) => br?.byName.get(n)?.ofport);
          const packet = bytes ? parseHexPacket(bytes.hex) : undefined;
          if (typeof packet === "string") throw new Error(`generated packet: ${packet}`);
          const rejected = res.status !== 0 || /^Bad openflow flow syntax/m.test(ovsText);
          let ours: string;
          if (!parsed.ok) ours = `rejected: ${parsed.message}`;
          else {
            const result = trace({
              host: sim,
              bridge: pkt.bridge,
              flow: packet ? flowFromPacket(parsed.flow, packet) : parsed.flow,
              withPacket: packet !== undefined,
              ctNext: pkt.ctNext.map((c) => ctStateValue(c) as number),
            });
            ours = formatTrace(result);
          }
          if (rejected !== !parsed.ok || (!rejected && !sameActions(ovsText, ours, tunnelPorts))) {
            disagreements.push({ ...c, ovs: ovsText, ours, dumps: hostDir });
            keep = true;
            if (process.env.OVSPATH_KEEP) {
              const n = disagreements.length;
              writeFileSync(join(hostDir, `case-${n}.txt`), `${args.join(" ")}\n`);
              writeFileSync(join(hostDir, `case-${n}.ovs.txt`), ovsText);
              writeFileSync(join(hostDir, `case-${n}.ovspath.txt`), ours);
            }
          }
        }
        if (!keep || !process.env.OVSPATH_KEEP) rmSync(hostDir, { recursive: true, force: true });
      }
    }
    for (const d of crashes) console.log(`ovs-vswitchd crashed on:\n${describeCase(d)}`);
    const known = disagreements.filter((d) => UNDECIDABLE.some((k) => k.matches(d)));
    const unknown = disagreements.filter((d) => !UNDECIDABLE.some((k) => k.matches(d)));
    console.log(
      `differential: ${cases - disagreements.length}/${cases} cases agree (${rounds} random switches), seed ${SEED}` +
        (known.length ? ` (${known.length} more differ only where the dumps cannot decide)` : "") +
        (crashes.length ? `; ovs-vswitchd crashed on ${crashes.length} more` : ""),
    );
    console.log(
      `differential: ${nativeRounds} of the switches used native tunnels; ${packetCases} of the cases traced a packet (hex); per feature the OVS traces ` +
        `exercised: ${FEATURES.map(([name]) => `${name} ${featureCounts.get(name) ?? 0}`).join(", ")}; ` +
        `${mixed} mixed two or more of conntrack, conjunction, learn(), groups and native tunnels`,
    );
    for (const k of UNDECIDABLE) {
      const n = known.filter((d) => k.matches(d)).length;
      if (n > 0) console.log(`undecidable from the dumps (${n} cases): ${k.what}`);
    }
    for (const d of unknown.slice(0, Number(process.env.OVSPATH_SHOW ?? 5))) console.log(describeCase(d));
    expect(unknown.length, `disagreements (seed ${SEED}); first ones printed above`).toBe(0);
  });
});

/** Datapath actions of every pass mean the same, as dp-actions-equal compares them. */
function sameActions(ovs: string, ours: string, tunnelPorts: ReadonlySet<string>, ignoreCt = false): boolean {
  const norm = (text: string) => {
    const passes = passOutputs(text, ovs, ignoreCt ? undefined : tunnelPorts);
    if (!ignoreCt) return passes;
    // Without the conntrack (and tunnel) state each output was given: only what else it received.
    return passes.map((outs) =>
      outs
        .map((o) => {
          const sp = o.lastIndexOf("] ");
          const [vlans, sets] = JSON.parse(o.slice(0, sp + 1)) as [unknown, unknown];
          return `${JSON.stringify([vlans, sets])} ${o.slice(sp + 2)}`;
        })
        .sort(),
    );
  };
  return JSON.stringify(norm(ovs)) === JSON.stringify(norm(ours));
}

function clip(text: string, lines = 60): string {
  const l = text.split("\n");
  return l.length <= lines ? text : [...l.slice(0, lines), `... (${l.length - lines} more lines)`].join("\n");
}

/** What only one side's datapath actions hold, per pass (after normalisation). */
function actionsDiff(ovs: string, ours: string): string {
  const a = passOutputs(ovs, ovs);
  const b = passOutputs(ours, ovs);
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? [];
    const y = [...(b[i] ?? [])];
    const onlyX = x.filter((v) => {
      const j = y.indexOf(v);
      if (j < 0) return true;
      y.splice(j, 1);
      return false;
    });
    if (onlyX.length || y.length)
      out.push(
        `pass ${i}: OVS only: ${onlyX.join(" ; ") || "-"}`,
        `pass ${i}: ovspath only: ${y.join(" ; ") || "-"}`,
      );
  }
  return out.join("\n");
}

function describeCase(d: Disagreement): string {
  const ct = d.ctNext.map((c) => ` --ct-next ${c}`).join("");
  return [
    `---- round ${d.round}: ofproto/trace ${d.bridge} '${d.flow}'${ct}` +
      (process.env.OVSPATH_KEEP ? ` (dumps: ${d.dumps})` : " (OVSPATH_KEEP=1 keeps the dumps)"),
    actionsDiff(d.ovs, d.ours),
    "flows:",
    d.flows,
    "OVS:",
    clip(d.ovs),
    "ovspath:",
    clip(d.ours),
  ].join("\n");
}
