import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseFlowDump } from "../../src/dumps/flows.js";
import { SET_LAST } from "../../src/model/actions/facts.js";
import { ACTIONS, type ActionType, formatActions, parseActions } from "../../src/model/actions/index.js";
import { labFiles } from "../support/lab.js";
import { HAVE_SHARED, REPO_ROOT } from "../support/shared.js";

const dir = join(REPO_ROOT, "fixtures/actions");
const lines = (name: string) =>
  readFileSync(join(dir, name), "utf8")
    .split("\n")
    .filter((l) => l !== "");
const cases = lines("cases.txt").filter((l) => !l.startsWith("#"));

/** The actions part of a flow as ovs-ofctl prints (` actions=`) or as written in cases.txt (`,actions=` or `actions=`). */
const actionsOf = (flow: string) => flow.slice(flow.indexOf("actions=") + "actions=".length);

function roundTrip(text: string): string {
  const r = parseActions(text);
  if (!r.ok) throw new Error(`${text}: column ${r.error.column}: ${r.error.message}`);
  expect(r.warnings).toEqual([]);
  return formatActions(r.value);
}

describe("actions printed by Open vSwitch itself (ovs-ofctl parse-flow, fixtures/actions)", () => {
  for (const version of ["10", "13"]) {
    const canonical = lines(`canonical-of${version}.txt`);
    it(`has one OVS answer per case for OpenFlow ${version}`, () => {
      expect(canonical.length).toBe(cases.length);
    });
    for (const out of canonical) {
      if (out.startsWith("ERROR")) continue;
      it(`OF${version}: ${actionsOf(out)}`, () => {
        expect(roundTrip(actionsOf(out))).toBe(actionsOf(out));
      });
    }
  }

  // Where OVS's printing does not depend on the OpenFlow encoding (both versions print the same), our
  // canonical form of what the user typed must be OVS's.
  const of10 = lines("canonical-of10.txt");
  const of13 = lines("canonical-of13.txt");
  for (const [i, input] of cases.entries()) {
    if (of10[i] !== of13[i] || of10[i].startsWith("ERROR")) continue;
    it(`canonicalises ${actionsOf(input)}`, () => {
      expect(roundTrip(actionsOf(input))).toBe(actionsOf(of10[i]));
    });
  }

  it("accepts every case OVS accepts in some OpenFlow version", () => {
    for (const [i, input] of cases.entries()) {
      if (of10[i].startsWith("ERROR") && of13[i].startsWith("ERROR")) continue;
      const r = parseActions(actionsOf(input));
      expect(r.ok, input).toBe(true);
    }
  });
});

describe("action errors point at the problem", () => {
  const table: Array<[string, number, RegExp]> = [
    ["output:3,resubmit(,300)", 20, /table number/],
    ["load:0x1ff->NXM_NX_REG0[0..7]", 6, /does not fit in 8 bits/],
    ["move:NXM_NX_REG0[0..7]->NXM_NX_REG1[0..15]", 6, /8 bits, destination 16/],
    ["set_field:1->no_such_field", 14, /unknown field/],
    ["ct(commit,zone=NXM_NX_REG99[])", 16, /unknown field/],
    ["conjunction(1,3/2)", 15, /1 <= K <= N/],
    ["output:1,drop", 10, /only action/],
    ["resubmit(,3", 12, /missing "\)"/],
    ["mod_nw_tos:3", 12, /ECN bits/],
    ["learn(table=300)", 13, /table must be/],
    ["output(port=1)", 8, /both port= and max_len=/],
    ["set_field:0x10000->tcp_dst", 11, /at most 16 bits/],
  ];
  for (const [text, column, message] of table) {
    it(text, () => {
      const r = parseActions(text);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.message).toMatch(message);
      expect(r.error.column).toBe(column);
    });
  }

  it("keeps an unknown action verbatim and warns", () => {
    const r = parseActions("encap(nsh(md_type=1)),output:2", 40);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value[0]).toEqual({ type: "unknown", text: "encap(nsh(md_type=1))" });
    expect(r.warnings).toEqual([
      { column: 40, message: 'unknown action "encap" kept as written', field: "encap" },
    ]);
    expect(formatActions(r.value)).toBe("encap(nsh(md_type=1)),output:2");
  });

  it("warns for an unknown action every time, each at its own column, however often it repeats", () => {
    for (const column of [40, 7, 40]) {
      const r = parseActions("encap(nsh(md_type=1)),output:2", column);
      expect(r.ok && r.warnings.map((w) => w.column)).toEqual([column]);
    }
  });

  it("parses an action seen before (shared) the same as the first time", () => {
    const text = "ct(commit,zone=NXM_NX_REG6[0..15]),goto_table:73";
    const first = parseActions(text);
    // More distinct actions than are kept, so the shared ones are dropped and parsed again.
    for (let i = 0; i < 40_000; i++) parseActions(`output:${i}`);
    const again = [parseActions(text), parseActions(`${text},drop_spoofed`)];
    expect(again[0]).toEqual(first);
    expect(again[1].ok && again[1].value.slice(0, 2)).toEqual(first.ok && first.value);
    expect(again[1].ok && again[1].warnings.length).toBe(1);
  });

  it.each([
    // [case, list, whether a second parse returns the first's array]
    [
      "a list with no warning is shared by the flows that repeat it",
      "ct(commit,zone=NXM_NX_REG6[0..15]),goto_table:73",
      true,
    ],
    [
      "a list with a warning is parsed again (its warning has its own column)",
      "encap(nsh(md_type=1)),output:2",
      false,
    ],
  ] as const)("%s", (_, text, shared) => {
    const [a, b] = [parseActions(text, 9), parseActions(text, 30)];
    expect(a.ok && b.ok).toBe(true);
    expect(a.ok && b.ok && a.value === b.value).toBe(shared);
    expect(b).toEqual({
      ...a,
      warnings: a.ok ? a.warnings.map((w) => ({ ...w, column: w.column + 21 })) : [],
    });
  });

  it("models the operands, not just the text", () => {
    const r = parseActions(
      'ct(commit,zone=NXM_NX_REG6[0..15],exec(load:0x1->NXM_NX_CT_MARK[])),output:"tap-1"',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const [ct, out] = r.value;
    expect(ct.type === "ct" && typeof ct.zone === "object" && ct.zone.field.name).toBe("reg6");
    expect(ct.type === "ct" && ct.exec[0]).toMatchObject({ type: "load", value: 1n });
    expect(out).toEqual({ type: "output", port: { name: "tap-1", quoted: true } });
  });
});

describe("every actions= of the lab dumps round-trips", () => {
  const files = labFiles(/dump-flows/).filter((f) => !f.includes("dpctl"));
  it.skipIf(files.length === 0)(`${files.length} dumps`, () => {
    let flows = 0;
    for (const f of files) {
      for (const flow of parseFlowDump(readFileSync(f, "utf8"), f).value.flows) {
        expect(roundTrip(flow.actionsText), `${f}:${flow.line}`).toBe(flow.actionsText);
        flows++;
      }
    }
    // Without ../shared, the one lab host copied into fixtures/.
    expect(flows).toBeGreaterThan(HAVE_SHARED ? 4000 : 150);
  });
});

describe("per-action facts of the action table", () => {
  const typeOf = (text: string): ActionType => {
    const r = parseActions(text);
    if (!r.ok) throw new Error(r.error.message);
    return r.value[0].type;
  };
  // OpenFlow 1.3 §5.10, as OVS's action_set_classify orders an action set: pops, pushes, TTL
  // decrements, field sets, set_queue, group, output.
  const openflowOrder = [
    "pop_vlan",
    "pop_mpls:0x0800",
    "push_mpls:0x8847",
    "push_vlan:0x8100",
    "dec_ttl",
    "set_field:1->reg0",
    "mod_nw_ttl:9",
    "set_queue:1",
    "group:1",
    "output:1",
  ];
  it.each(openflowOrder.slice(0, -1).map((a, i) => [a, openflowOrder[i + 1]]))(
    "an action set runs %s before %s",
    (before, after) => {
      expect(ACTIONS[typeOf(before)].actionSetOrder).toBeLessThan(ACTIONS[typeOf(after)].actionSetOrder);
    },
  );
  it.each(["resubmit(,1)", "ct(commit)", "learn(table=1)", "note:01", "exit"])(
    "%s, kept out of action sets by OpenFlow, runs with output",
    (text) => expect(ACTIONS[typeOf(text)].actionSetOrder).toBe(SET_LAST),
  );
  it.each([
    ["ct(commit)", false],
    ["ct(nat)", false],
    ["meter:1", false],
    ["output(port=1,max_len=100)", false],
    ["output:1", true],
    ["set_field:1->reg0", true],
    ["push_vlan:0x8100", true],
    ["resubmit(,1)", true],
  ] as const)("%s reversible by the datapath: %s (OVS's reversible_actions)", (text, reversible) => {
    expect(ACTIONS[typeOf(text)].reversible).toBe(reversible);
  });
});
