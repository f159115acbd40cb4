/**
 * The executors alone: each runs against a fake translator that records the entry points they call
 * (the recursion into tables, outputs, clones, packet-ins), so what an action asks of the translator is
 * checked without a bridge's flows.
 */
import { describe, expect, it } from "vitest";
import { type Action, type ActionType, formatActions, parseActions } from "../../src/model/actions/index.js";
import { fieldNamed, readField, writeField } from "../../src/model/fields.js";
import { CS, type FlowKey, K, newFlowKey, OFPP } from "../../src/model/layout.js";
import { type Translator, XlateContext } from "../../src/pipeline/context.js";
import { EXECUTORS, type ExecutorTable } from "../../src/pipeline/execute.js";
import type { SimBridge, SimHost } from "../../src/pipeline/switch.js";
import { switchState } from "../../src/pipeline/switch-state.js";

type Call = [string, ...unknown[]];

/** A translator that only records its calls, with action lists printed so they compare as text. */
function fakeTranslator(calls: Call[]): Translator {
  const list = (a: readonly Action[]) => formatActions(a);
  return {
    xlateTable: (_c, inPort, table, isLast, run, withCtOrig) =>
      calls.push([
        "xlateTable",
        inPort,
        table,
        isLast,
        run === undefined ? "doActions" : "other",
        withCtOrig ?? false,
      ]),
    doActions: (_c, a, isLast) => calls.push(["doActions", list(a), isLast]),
    cloneActions: (_c, a, isLast) => calls.push(["cloneActions", list(a), isLast]),
    outputAction: (_c, port, isLast) => calls.push(["outputAction", port, isLast]),
    controllerAction: (_c, maxLen, reason, id) => calls.push(["controllerAction", maxLen, reason, id ?? 0]),
    composeOutput: (_c, port, isLast) => calls.push(["composeOutput", port, isLast]),
    patchOutput: (_c, peer, isLast) => calls.push(["patchOutput", peer.name, isLast]),
    recordOutput: (_c, port) => calls.push(["recordOutput", port.name]),
    checkPktLarger: (_c, a, rest) => calls.push(["checkPktLarger", a.length, list(rest)]),
  };
}

function context(calls: Call[]): XlateContext {
  const bridge = {
    name: "br-int",
    ports: new Map(),
    byName: new Map(),
    classifier: { tables: new Map() },
    groups: new Map([
      [
        7,
        {
          id: 7,
          type: "all",
          buckets: [
            { props: {}, actions: parseActionsOk("output:2") },
            { props: {}, actions: parseActionsOk("output:3") },
          ],
        },
      ],
    ]),
    datapathType: "system",
    checkPktLen: true,
  } as unknown as SimBridge;
  const host = {
    name: "h",
    bridges: new Map([["br-int", bridge]]),
    tunnelStyle: "kernel",
  } as unknown as SimHost;
  const flow = newFlowKey();
  flow[K.inPort] = 1;
  flow[K.dlType] = 0x0800;
  flow[K.nwProto] = 6;
  flow[K.nwTtl] = 1;
  // Tracked already (an earlier ct): ct() must leave it untracked again.
  flow[K.ctState] = CS.trk | CS.est;
  writeField(flow, fieldNamed("reg0"), 0x10007n);
  const ctx = new XlateContext(fakeTranslator(calls), host, bridge, flow, [], false, 0);
  ctx.tableId = 3;
  ctx.conntracked = true;
  return ctx;
}

function parseActionsOk(text: string): Action[] {
  const r = parseActions(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function run(
  text: string,
  isLast = true,
  setup: (f: FlowKey) => void = () => {},
  setupContext: (c: XlateContext) => void = () => {},
): { calls: Call[]; result: unknown; ctx: XlateContext } {
  const calls: Call[] = [];
  const ctx = context(calls);
  setup(ctx.flow);
  setupContext(ctx);
  // The first action of the list runs; the rest is there for the actions that read on (check_pkt_larger).
  const list = parseActionsOk(text);
  const exec = EXECUTORS[list[0].type] as ExecutorTable[ActionType] as (
    c: XlateContext,
    a: Action,
    l: boolean,
    list: readonly Action[],
    index: number,
  ) => unknown;
  return { calls, result: exec(ctx, list[0], isLast, list, 0), ctx };
}

describe("executors reach the translator through the context", () => {
  it.each<[string, Call[]]>([
    ["resubmit(,5)", [["xlateTable", 1, 5, true, "doActions", false]]],
    ["resubmit:4", [["xlateTable", 4, 3, true, "doActions", false]]],
    ["resubmit(,5,ct)", [["xlateTable", 1, 5, true, "doActions", true]]],
    ["goto_table:7", [["xlateTable", 1, 7, true, "doActions", false]]],
    ["output:2", [["outputAction", 2, true]]],
    ["NORMAL", [["outputAction", OFPP.normal, true]]],
    ["IN_PORT", [["outputAction", OFPP.inPort, true]]],
    // reg0[0..15] is 7: the register names the port.
    ["output:NXM_NX_REG0[0..15]", [["outputAction", 7, true]]],
    ["enqueue:in_port:1", [["outputAction", 1, true]]],
    ["CONTROLLER:128", [["controllerAction", 128, "action", 0]]],
    ["clone(output:3,output:4)", [["cloneActions", "output:3,output:4", true]]],
    [
      "group:7",
      [
        ["cloneActions", "output:2", false],
        ["cloneActions", "output:3", true],
      ],
    ],
    ["group:8", []],
    // TTL 1: the exception's packet-in, and the action list stops.
    ["dec_ttl", [["controllerAction", 65535, "invalid_ttl", 0]]],
    [
      "dec_ttl(4,5)",
      [
        ["controllerAction", 65535, "invalid_ttl", 4],
        ["controllerAction", 65535, "invalid_ttl", 5],
      ],
    ],
    // ct runs its exec list through the translator, then forks the recirculation itself.
    ["ct(commit,table=10,exec(set_field:0x1->ct_mark))", [["doActions", "set_field:0x1->ct_mark", true]]],
    ["ct(nat(src=10.0.0.1),table=10)", [["doActions", "nat(src=10.0.0.1)", true]]],
    // check_pkt_larger hands the translator the actions after it (it translates them per branch).
    ["check_pkt_larger(200)->NXM_NX_REG0[0]", [["checkPktLarger", 200, "drop"]]],
    [
      "check_pkt_larger(1500)->NXM_NX_REG0[0],resubmit(,1),output:2",
      [["checkPktLarger", 1500, "resubmit(,1),output:2"]],
    ],
  ])("%s", (text, calls) => {
    expect(run(text).calls).toEqual(calls);
  });

  it("passes on whether the action is the list's last", () => {
    expect(run("output:2", false).calls).toEqual([["outputAction", 2, false]]);
    expect(run("resubmit(,5)", false).calls).toEqual([["xlateTable", 1, 5, false, "doActions", false]]);
  });

  it("check_pkt_larger ends the list that holds it (its branches took the rest)", () => {
    expect(run("check_pkt_larger(200)->NXM_NX_REG0[0],output:2").result).toBe("stop");
  });

  // xlate_check_pkt_larger without the datapath's check_pkt_len: userspace decides from the packet
  // given (none: not larger), slow-paths the flow, and the list goes on.
  it.each<[string, number | undefined, bigint]>([
    ["no packet: not larger", undefined, 0n],
    ["a packet of 200 bytes is not larger than 200", 200, 0n],
    ["a packet of 201 bytes is larger", 201, 1n],
  ])("check_pkt_larger with no datapath support, %s", (_what, length, bit) => {
    const { calls, result, ctx } = run(
      "check_pkt_larger(200)->NXM_NX_REG1[3],output:2",
      true,
      () => {},
      (c) => {
        (c.bridge as { checkPktLen: boolean }).checkPktLen = false;
        c.packetLength = length;
      },
    );
    expect(calls).toEqual([]);
    expect(result).toBeUndefined();
    expect(ctx.slowAction).toBe(true);
    expect((readField(ctx.flow, fieldNamed("reg1")) >> 3n) & 1n).toBe(bit);
  });

  it("delete_field takes a Geneve option out of the packet (its tun_metadata is no longer present)", () => {
    const { calls, ctx } = run("delete_field:tun_metadata2", true, (f) =>
      writeField(f, fieldNamed("tun_metadata2"), 0x1234n),
    );
    expect(calls).toEqual([]);
    expect(readField(ctx.flow, fieldNamed("tun_metadata2"))).toBe(0n);
  });

  it("dec_ttl's exception ends the action list, a ttl above 1 is decremented", () => {
    expect(run("dec_ttl").result).toBe("stop");
    expect(run("mod_nw_ttl:9").ctx.flow[K.nwTtl]).toBe(9);
  });

  it("ct with a table forks a recirculation and leaves the packet untracked", () => {
    const { ctx } = run("ct(commit,zone=5,table=10)");
    expect(ctx.recirc.map((r) => [r.table, r.zone])).toEqual([[10, 5]]);
    expect(ctx.odp).toEqual(["ct(commit,zone=5)", "recirc(0x1)"]);
    expect(ctx.flow[K.ctState]).toBe(0);
    expect(ctx.conntracked).toBe(false);
  });

  it("learn() counts a change of switch state for a new flow or new actions, not for the same flow relearned", () => {
    const ctx = context([]);
    ctx.sideEffects = true;
    const learn = (text: string) => {
      const [a] = parseActionsOk(text);
      (EXECUTORS.learn as (c: XlateContext, x: Action, l: boolean) => unknown)(ctx, a, true);
    };
    const before = switchState.changes;
    learn("learn(table=20,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[])");
    expect(ctx.bridge.classifier.tables.get(20)?.size).toBe(1);
    expect(switchState.changes).toBe(before + 1);
    learn("learn(table=20,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[])");
    expect(switchState.changes).toBe(before + 1);
    learn("learn(table=20,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0x5->NXM_NX_REG0[])");
    expect(switchState.changes).toBe(before + 2);
  });

  it("actions that stay inside the packet call no entry point", () => {
    for (const text of ["set_field:0x5->reg1", "mod_dl_src:00:00:00:00:00:01", "push_vlan:0x8100", "note:00"])
      expect(run(text).calls).toEqual([]);
  });
});

describe("executors that rewrite bits of a word (layouts from the field registry)", () => {
  // A top label stack entry as RFC 3032 lays it out: label 100, TC 5, bottom of stack, TTL 64.
  const lse = (100 << 12) | (5 << 9) | (1 << 8) | 64;
  const mpls = (f: FlowKey) => {
    f[K.dlType] = 0x8847;
    f[K.mplsLse] = lse;
  };
  it.each<[string, (f: FlowKey) => void, "mplsLse" | "vlanTci" | "nwTos", number]>([
    ["set_mpls_label(7)", mpls, "mplsLse", (7 << 12) | (5 << 9) | (1 << 8) | 64],
    ["set_mpls_tc(2)", mpls, "mplsLse", (100 << 12) | (2 << 9) | (1 << 8) | 64],
    ["set_mpls_ttl(9)", mpls, "mplsLse", (100 << 12) | (5 << 9) | (1 << 8) | 9],
    ["dec_mpls_ttl", mpls, "mplsLse", (100 << 12) | (5 << 9) | (1 << 8) | 63],
    // Pushed onto IPv4: bottom of stack, the IP TTL copied.
    ["push_mpls:0x8847", (f) => (f[K.nwTtl] = 64), "mplsLse", (1 << 8) | 64],
    // mod_vlan_pcp tags an untagged packet (CFI set); set_vlan_pcp leaves it untagged.
    ["mod_vlan_pcp:5", () => {}, "vlanTci", (5 << 13) | 0x1000],
    ["set_vlan_pcp:5", () => {}, "vlanTci", 0],
    ["mod_vlan_vid:10", (f) => (f[K.vlanTci] = 0xb005), "vlanTci", 0xb00a],
    ["mod_nw_ecn:3", (f) => (f[K.nwTos] = 0xb8), "nwTos", 0xbb],
    ["mod_nw_tos:32", (f) => (f[K.nwTos] = 0xb9), "nwTos", 0x21],
  ])("%s", (text, setup, slot, expected) => {
    expect(run(text, true, setup).ctx.flow[K[slot]]).toBe(expected);
  });

  it("mod_nw_tos and mod_nw_ecn unwildcard only their own bits", () => {
    expect(run("mod_nw_tos:32").ctx.wc[K.nwTos]).toBe(0xfc);
    expect(run("mod_nw_ecn:1").ctx.wc[K.nwTos]).toBe(0x03);
  });

  // The context zeroes only these words of its mask when it hands it back (releaseScratch): every
  // word an action writes must be inside them, or the next pass would start from a dirty mask.
  it.each([
    "mod_nw_tos:32",
    "load:0x3f2->NXM_NX_TUN_ID[]",
    "set_field:0x7e4->tun_id",
    "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]",
    "mod_dl_src:00:11:22:33:44:55",
    "mod_tp_dst:80",
  ])("%s writes the mask only in the words the context records", (text) => {
    const ctx = run(text, true, (f) => {
      f[K.dlType] = 0x0800;
      f[K.nwProto] = 6;
    }).ctx;
    const written = Array.from(ctx.wc.keys()).filter((i) => ctx.wc[i] !== 0);
    expect(written.length).toBeGreaterThan(0);
    for (const i of written) expect(i >= ctx.wcFrom && i < ctx.wcTo).toBe(true);
  });
});

describe("set_field writes its field's bits as words worked out once per action", () => {
  // Every word of the flow and of the wildcards starts as a pattern, so bits a write must leave alone
  // would show if it touched them; the expected key is the field registry's bigint read and write.
  const PATTERN = 0xa5c3_5a3c;
  it.each([
    // (A masked set_field parses as a load: set_field's own values are whole.)
    "set_field:0x3f2->tun_id",
    "set_field:0x1->reg0",
    "set_field:0x1234->reg7",
    "set_field:fa:16:3e:00:00:01->eth_src",
    "set_field:0x2e->ip_dscp",
    "set_field:3->ip_ecn",
    "set_field:10.0.0.1->ip_dst",
    "set_field:8080->tcp_dst",
    "set_field:0x123456789abcdef->metadata",
    "set_field:0xfeedface->xreg1",
    "set_field:0x1->xxreg0",
  ])("%s", (text) => {
    const [a] = parseActionsOk(text);
    if (a.type !== "setField") throw new Error(`${text} is no set_field`);
    for (let round = 0; round < 2; round++) {
      const { ctx } = run(text, true, (f) => {
        f.fill(PATTERN, K.metadata, K.nwSrc + 2);
        f[K.dlType] = 0x0800;
        f[K.nwProto] = 6;
      });
      // The executor ran on its own parse of the text; run it again on `a` from the second round on, so
      // the words remembered for `a` are the ones used.
      const flow = ctx.flow.slice();
      const wc = ctx.wc.slice();
      flow.fill(PATTERN, K.metadata, K.nwSrc + 2);
      flow[K.dlType] = 0x0800;
      flow[K.nwProto] = 6;
      wc.fill(PATTERN);
      ctx.flow.set(flow);
      ctx.wc.set(wc);
      (EXECUTORS.setField as (c: XlateContext, x: Action, l: boolean) => unknown)(ctx, a, true);
      const { mask, value } = a.value;
      writeField(flow, a.field, (readField(flow, a.field) & ~mask) | (value & mask));
      writeField(wc, a.field, readField(wc, a.field) | mask);
      expect(Array.from(ctx.flow)).toEqual(Array.from(flow));
      expect(Array.from(ctx.wc)).toEqual(Array.from(wc));
    }
  });
});
