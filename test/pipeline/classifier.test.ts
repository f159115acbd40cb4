import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseFlowDump } from "../../src/dumps/flows.js";
import { lookupField, writeField } from "../../src/model/fields.js";
import { FLOW_WORDS, K, newFlowKey } from "../../src/model/layout.js";
import { compileMatch } from "../../src/model/match.js";
import { buildClassifier } from "../../src/pipeline/classifier.js";

const f = (name: string) => lookupField(name)!;

/** A flow line from a few random field constraints (the shapes Neutron uses). */
const flowArb = fc
  .record({
    priority: fc.integer({ min: 0, max: 6 }),
    inPort: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    vlan: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    src: fc.option(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom(8, 24, 32)), { nil: undefined }),
    tpDst: fc.option(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom(0xffff, 0xfffc)), {
      nil: undefined,
    }),
  })
  .map((r) => {
    const parts = [`priority=${r.priority}`];
    if (r.src || r.tpDst) parts.push(r.tpDst ? "tcp" : "ip");
    if (r.inPort !== undefined) parts.push(`in_port=${r.inPort}`);
    if (r.vlan !== undefined) parts.push(`dl_vlan=${r.vlan}`);
    if (r.src) parts.push(`nw_src=10.0.0.${r.src[0]}/${r.src[1]}`);
    if (r.tpDst) parts.push(`tp_dst=0x${(80 + r.tpDst[0]).toString(16)}/0x${r.tpDst[1].toString(16)}`);
    return ` ${parts.join(",")} actions=drop`;
  });

const packetArb = fc.record({
  inPort: fc.integer({ min: 1, max: 3 }),
  vlan: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  src: fc.integer({ min: 0, max: 3 }),
  tcp: fc.boolean(),
  tpDst: fc.integer({ min: 78, max: 85 }),
});

function keyOf(p: { inPort: number; vlan: number | undefined; src: number; tcp: boolean; tpDst: number }) {
  const k = newFlowKey();
  writeField(k, f("in_port"), BigInt(p.inPort));
  if (p.vlan !== undefined) writeField(k, f("vlan_tci"), BigInt(0x1000 | p.vlan));
  writeField(k, f("dl_type"), 0x800n);
  writeField(k, f("nw_src"), BigInt(0x0a000000 + p.src));
  writeField(k, f("nw_proto"), p.tcp ? 6n : 17n);
  writeField(k, f("tp_dst"), BigInt(p.tpDst));
  return k;
}

describe("the tuple-space classifier finds what a linear scan finds", () => {
  it("same winning priority and flow, ties flagged, for random tables and packets", () => {
    fc.assert(
      fc.property(
        fc.array(flowArb, { minLength: 1, maxLength: 40 }),
        fc.array(packetArb, { minLength: 1, maxLength: 20 }),
        (lines, packets) => {
          const dump = parseFlowDump(lines.join("\n"), "t");
          expect(dump.diagnostics).toEqual([]);
          const flows = dump.value.flows;
          const cls = buildClassifier(flows, () => undefined);
          const compiled = flows.map((fl) => {
            const m = compileMatch(fl.match);
            if (!m.ok) throw new Error(m.message);
            return m.value;
          });
          for (const p of packets) {
            const key = keyOf(p);
            const matching = flows
              .map((fl, i) => ({ fl, i }))
              .filter(({ i }) => {
                for (let w = 0; w < FLOW_WORDS; w++)
                  if ((key[w] & compiled[i].mask[w]) !== compiled[i].value[w]) return false;
                return true;
              });
            const got = cls.tables.get(0)?.lookup(key);
            if (matching.length === 0) {
              expect(got).toBeUndefined();
              continue;
            }
            const top = Math.max(...matching.map((m) => m.fl.priority));
            const winners = matching.filter((m) => m.fl.priority === top);
            expect(got?.flow.flow).toBe(winners[0].fl);
            expect(got?.ties.map((t) => t.flow)).toEqual(winners.slice(1).map((w) => w.fl));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("stops probing once no subtable can beat the best match", () => {
    const lines = [
      " priority=100,in_port=1 actions=drop",
      ...Array.from({ length: 50 }, (_, i) => ` priority=${i},ip,nw_src=10.0.${i}.0/24 actions=drop`),
    ];
    const cls = buildClassifier(parseFlowDump(lines.join("\n"), "t").value.flows, () => undefined);
    const key = newFlowKey();
    writeField(key, f("in_port"), 1n);
    const r = cls.tables.get(0)!.lookup(key)!;
    expect(r.flow.flow.priority).toBe(100);
    expect(r.probes).toBe(1);
  });

  it("keeps one mask per subtable, shared by its flows, each flow's compiled match still its own", () => {
    const lines = [
      " priority=5,ip,nw_src=10.0.0.1 actions=drop",
      " priority=5,tcp,tp_dst=22 actions=drop",
      " priority=5,ip,nw_src=10.0.0.2 actions=drop",
      " priority=5,tcp,tp_dst=80 actions=drop",
    ];
    const flows = parseFlowDump(lines.join("\n"), "t").value.flows;
    const cls = buildClassifier(flows, () => undefined);
    const byLine = new Map(
      cls.tables
        .get(0)!
        .flows()
        .map((cf) => [cf.flow.line, cf.match]),
    );
    const [a, b, c, d] = [1, 2, 3, 4].map((l) => byLine.get(l)!);
    expect(a.mask).toBe(c.mask);
    expect(b.mask).toBe(d.mask);
    expect(a.mask).not.toBe(b.mask);
    for (const [i, flow] of flows.entries()) {
      const want = compileMatch(flow.match);
      if (!want.ok) throw new Error(want.message);
      const got = [a, b, c, d][i];
      expect([[...got.mask], [...got.value]]).toEqual([[...want.value.mask], [...want.value.value]]);
    }
  });

  it("sets aside a flow naming a port the bridge does not have", () => {
    const cls = buildClassifier(
      parseFlowDump(' priority=1,in_port="ghost" actions=drop', "t").value.flows,
      () => undefined,
    );
    expect(cls.rejected.map((r) => r.reason)).toEqual(['unknown port "ghost"']);
  });
});

describe("conjunctive matches (classifier_lookup__ of OVS's classifier.c)", () => {
  // The OVS-firewall shape: clause 1 on the source address, clause 2 on the port, then the conj_id flow.
  const base = [
    " priority=10,ip,nw_src=10.0.0.1 actions=conjunction(7,1/2)",
    " priority=10,ip,nw_src=10.0.0.2 actions=conjunction(7,1/2),conjunction(8,1/2)",
    " priority=10,tcp,tp_dst=22 actions=conjunction(7,2/2)",
    " priority=10,tcp,tp_dst=80 actions=conjunction(8,2/2)",
    " priority=10,conj_id=7,ip actions=output:7",
    " priority=10,conj_id=8,ip actions=output:8",
    " priority=5,ip actions=output:5",
    " priority=1 actions=drop",
  ];
  const lookupIn = (lines: string[], src: number, tpDst: number) => {
    const cls = buildClassifier(parseFlowDump(lines.join("\n"), "t").value.flows, () => undefined);
    const key = newFlowKey();
    writeField(key, f("dl_type"), 0x800n);
    writeField(key, f("nw_proto"), 6n);
    writeField(key, f("nw_src"), BigInt(0x0a000000 + src));
    writeField(key, f("tp_dst"), BigInt(tpDst));
    const r = cls.tables.get(0)?.lookup(key);
    expect(key[K.conjId], "the lookup restores conj_id").toBe(0);
    return r;
  };
  const cases: Array<[string, string[], number, number, string | undefined, number | undefined]> = [
    ["every clause of 7 matches", base, 1, 22, "output:7", 7],
    ["a flow in two conjunctions completes the second", base, 2, 80, "output:8", 8],
    ["clause 2 missing: the hard match below", base, 1, 80, "output:5", undefined],
    ["only clause 2: the hard match below", base, 9, 22, "output:5", undefined],
    ["no IP flow at all: the catch-all", ["  priority=1 actions=drop"], 1, 22, "drop", undefined],
    [
      "a higher-priority hard match wins over a complete conjunction",
      [...base, " priority=20,tcp actions=output:20"],
      1,
      22,
      "output:20",
      undefined,
    ],
    [
      "complete but no conj_id flow: the re-lookup finds the lower hard match",
      base.filter((l) => !l.includes("conj_id")),
      1,
      22,
      "output:5",
      7,
    ],
    [
      "a soft match gives way to a lower-priority flow with the identical match",
      [
        " priority=10,ip,nw_src=10.0.0.1 actions=conjunction(7,1/2)",
        " priority=10,tcp,tp_dst=22 actions=conjunction(7,2/2)",
        " priority=8,ip,nw_src=10.0.0.1 actions=output:3",
        " priority=5,ip actions=output:5",
      ],
      1,
      80,
      "output:3",
      undefined,
    ],
  ];
  it.each(cases)("%s", (_name, lines, src, tpDst, actions, conjId) => {
    const r = lookupIn(lines, src, tpDst);
    expect(r?.flow.flow.actionsText).toBe(actions);
    expect(r?.conjunction?.id).toBe(conjId);
  });
});
