import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type FlowEntry, parseFlowDump } from "../../src/dumps/flows.js";
import { lookupField, writeField } from "../../src/model/fields.js";
import { FLOW_WORDS, type FlowKey, K, newFlowKey } from "../../src/model/layout.js";
import { compileMatch } from "../../src/model/match.js";
import {
  buildClassifier,
  type ClassifiedFlow,
  conjunctionsOf,
  firstSlotOf,
  Table,
  Tables,
} from "../../src/pipeline/classifier.js";

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

/** The flows a linear scan finds for `key`: the best priority's, in dump order (the first wins). */
function scanWinners(flows: readonly FlowEntry[], key: FlowKey): FlowEntry[] {
  const matching = flows.filter((fl) => {
    const m = compileMatch(fl.match);
    if (!m.ok) throw new Error(m.message);
    for (let w = 0; w < FLOW_WORDS; w++)
      if ((key[w] & m.value.mask[w]) >>> 0 !== m.value.value[w]) return false;
    return true;
  });
  const top = Math.max(...matching.map((fl) => fl.priority));
  return matching.filter((fl) => fl.priority === top);
}

function keyWith(fields: Record<string, bigint>): FlowKey {
  const k = newFlowKey();
  for (const [name, v] of Object.entries(fields)) writeField(k, f(name), v);
  return k;
}

describe("the probing plan: every kind of subtable finds what a linear scan finds", () => {
  const indexed1 = Array.from(
    { length: 40 },
    (_, i) => ` priority=5,in_port=${i + 1} actions=output:${i + 1}`,
  );
  const indexed2 = Array.from(
    { length: 30 },
    (_, i) => ` priority=5,in_port=${(i % 5) + 1},dl_vlan=${Math.floor(i / 5) + 1} actions=output:${i + 1}`,
  );
  const cases: Array<[string, string[], Record<string, bigint>, number | undefined, number]> = [
    ["a mask of no word (the catch-all)", [" priority=0 actions=drop"], { in_port: 9n }, 1, 0],
    ["one word, one bucket: hit", [" priority=3,in_port=2 actions=drop"], { in_port: 2n }, 1, 0],
    ["one word, one bucket: miss", [" priority=3,in_port=2 actions=drop"], { in_port: 3n }, undefined, 0],
    [
      "two words, one bucket: hit",
      [" priority=3,in_port=2,dl_vlan=5 actions=drop"],
      { in_port: 2n, vlan_tci: 0x1005n },
      1,
      0,
    ],
    [
      "two words, one bucket: one word differs",
      [" priority=3,in_port=2,dl_vlan=5 actions=drop"],
      { in_port: 2n, vlan_tci: 0x1006n },
      undefined,
      0,
    ],
    ["one word, 40 buckets: hit", indexed1, { in_port: 17n }, 17, 0],
    ["one word, 40 buckets: miss", indexed1, { in_port: 41n }, undefined, 0],
    ["two words, 30 buckets: hit", indexed2, { in_port: 3n, vlan_tci: 0x1004n }, 18, 0],
    ["two words, 30 buckets: miss", indexed2, { in_port: 3n, vlan_tci: 0x1007n }, undefined, 0],
    [
      "one bucket of several flows: the best priority",
      [
        " priority=3,in_port=2 actions=drop",
        " priority=7,in_port=2 actions=output:1",
        " priority=5 actions=drop",
      ],
      { in_port: 2n },
      2,
      0,
    ],
    [
      "one bucket of equal flows: the first in the dump, the other a tie",
      [" priority=3,in_port=2 actions=output:1", " priority=3,in_port=2 actions=output:2"],
      { in_port: 2n },
      1,
      1,
    ],
    [
      "a lone flow tied with another subtable's",
      [" priority=3,in_port=2 actions=output:1", " priority=3,dl_vlan=5 actions=output:2"],
      { in_port: 2n, vlan_tci: 0x1005n },
      1,
      1,
    ],
    [
      "a lone flow beaten by a later subtable's bucket of two",
      [
        " priority=3,in_port=2 actions=output:1",
        " priority=9,dl_vlan=5 actions=output:2",
        " priority=9,dl_vlan=6 actions=output:3",
      ],
      { in_port: 2n, vlan_tci: 0x1006n },
      3,
      0,
    ],
  ];
  it.each(cases)("%s", (_name, lines, fields, line, ties) => {
    const flows = parseFlowDump(lines.join("\n"), "t").value.flows;
    const key = keyWith(fields);
    const got = buildClassifier(flows, () => undefined)
      .tables.get(0)
      ?.lookup(key);
    const want = scanWinners(flows, key);
    expect(got?.flow.flow.line).toBe(line);
    expect(got?.flow.flow).toBe(want[0]);
    expect(got?.ties.map((t) => t.flow)).toEqual(line === undefined ? undefined : want.slice(1));
    expect(got?.ties.length).toBe(line === undefined ? undefined : ties);
  });
});

describe("masked values whose slots collide", () => {
  // Values of one or two full words that start their probe in the same slot of any table up to 32 slots:
  // found by trying, so each lookup walks past the others.
  const colliding = (fields: string[], count: number) => {
    const m = compileMatch(
      parseFlowDump(` ${fields.map((n) => `${n}=1`).join(",")} actions=drop`, "t").value.flows[0].match,
    );
    if (!m.ok) throw new Error(m.message);
    const words: number[] = [];
    for (let w = 0; w < FLOW_WORDS; w++) if (m.value.mask[w] !== 0) words.push(w);
    const masks = words.map((w) => m.value.mask[w]);
    const valuesOf = (i: number) => fields.map((_, j) => BigInt(i * 7 + j * 1_000_003));
    const keyOf = (vs: bigint[]) => keyWith(Object.fromEntries(fields.map((n, j) => [n, vs[j]])));
    const want = firstSlotOf(words, masks, keyOf(valuesOf(0)), 32);
    const out: bigint[][] = [];
    for (let i = 0; out.length < count; i++)
      if (firstSlotOf(words, masks, keyOf(valuesOf(i)), 32) === want) out.push(valuesOf(i));
    return { out, keyOf };
  };
  const cases: Array<[string, string[]]> = [
    ["one word (reg0)", ["reg0"]],
    ["two words (reg0, reg1)", ["reg0", "reg1"]],
  ];
  it.each(cases)("%s: each value finds its own flow, an absent one none", (_name, fields) => {
    const { out, keyOf } = colliding(fields, 5);
    const present = out.slice(0, 4);
    const lines = present.map(
      (vs, i) => ` priority=5,${fields.map((n, j) => `${n}=${vs[j]}`).join(",")} actions=output:${i + 1}`,
    );
    const table = buildClassifier(
      parseFlowDump(lines.join("\n"), "t").value.flows,
      () => undefined,
    ).tables.get(0)!;
    expect(present.map((vs) => table.lookup(keyOf(vs))?.flow.flow.line)).toEqual([1, 2, 3, 4]);
    expect(table.lookup(keyOf(out[4]))).toBeUndefined();
  });
});

describe("a table changed after lookups (learn)", () => {
  const dump = (lines: string[]) => parseFlowDump(lines.join("\n"), "t").value.flows;
  const classified = (flow: FlowEntry, order: number): ClassifiedFlow => {
    const m = compileMatch(flow.match);
    if (!m.ok) throw new Error(m.message);
    return { flow, match: m.value, order, conjunctions: conjunctionsOf(flow) };
  };

  it("finds a flow inserted after a lookup, its subtable going from one bucket to several, a bucket growing", () => {
    const table = new Table();
    const [a, b, c] = dump([
      " priority=5,in_port=1 actions=output:1",
      " priority=5,in_port=2 actions=output:2",
      " priority=6,in_port=2 actions=output:3",
    ]);
    table.insert(classified(a, 0));
    expect(table.lookup(keyWith({ in_port: 2n }))).toBeUndefined();
    table.insert(classified(b, 1));
    expect(table.lookup(keyWith({ in_port: 2n }))?.flow.flow).toBe(b);
    expect(table.lookup(keyWith({ in_port: 1n }))?.flow.flow).toBe(a);
    table.insert(classified(c, 2));
    expect(table.lookup(keyWith({ in_port: 2n }))?.flow.flow).toBe(c);
    expect(table.flows().map((cf) => cf.flow)).toEqual([c, a, b]);
    // A subtable probed first (its best is 8) finds priority 6: the grown bucket's best is now 7.
    const [vlan8, vlan6] = dump([" priority=8,dl_vlan=9 actions=drop", " priority=6,dl_vlan=5 actions=drop"]);
    table.insert(classified(vlan8, 3));
    table.insert(classified(vlan6, 4));
    expect(table.lookup(keyWith({ in_port: 2n, vlan_tci: 0x1005n }))?.flow.flow).toBe(c);
  });

  it("answers a repeated lookup with one result object, and a replaced flow with the new one", () => {
    const table = new Table();
    const [old, relearned] = dump([
      " priority=5,in_port=1 actions=output:1",
      " priority=5,in_port=1 actions=output:9",
    ]);
    table.insert(classified(old, 0));
    const key = keyWith({ in_port: 1n });
    const first = table.lookup(key);
    expect(table.lookup(key)).toBe(first);
    table.replace(classified(relearned, -1));
    expect(table.lookup(key)?.flow.flow).toBe(relearned);
    expect(table.size).toBe(1);
  });

  it("reads a replaced flow that became a conjunction clause as one", () => {
    const table = new Table();
    const [hard, below, clause] = dump([
      " priority=5,ip,nw_src=10.0.0.1 actions=output:1",
      " priority=1,ip actions=output:2",
      " priority=5,ip,nw_src=10.0.0.1 actions=conjunction(3,1/2)",
    ]);
    table.insert(classified(hard, 0));
    table.insert(classified(below, 1));
    const key = keyWith({ dl_type: 0x800n, nw_src: 0x0a000001n });
    expect(table.lookup(key)?.flow.flow).toBe(hard);
    table.replace(classified(clause, -1));
    expect(table.lookup(key)?.flow.flow).toBe(below);
  });

  it("never matches a flow whose value has bits its mask clears, yet lists it and probes its subtable", () => {
    const table = new Table();
    const [flow] = dump([" priority=5,in_port=1 actions=drop"]);
    const cf = classified(flow, 0);
    cf.match.mask[K.inPort] = 0xff00;
    cf.match.value[K.inPort] = 0x0101;
    table.insert(cf);
    expect(table.lookup(keyWith({ in_port: 0x0101n }))).toBeUndefined();
    expect(table.flows()).toEqual([cf]);
    const [catchAll] = dump([" priority=0 actions=drop"]);
    table.insert(classified(catchAll, 1));
    expect(table.lookup(keyWith({ in_port: 0x0101n }))?.probes).toBe(2);
  });
});

describe("Tables: a table by id, from the Map and from the array alike", () => {
  it("keeps byId as the Map through set, delete and clear", () => {
    const tables = new Tables();
    const [t0, t5] = [new Table(), new Table()];
    tables.set(0, t0).set(5, t5);
    expect([tables.byId[0], tables.byId[5], tables.byId[1]]).toEqual([t0, t5, undefined]);
    tables.delete(5);
    expect([tables.get(5), tables.byId[5]]).toEqual([undefined, undefined]);
    tables.clear();
    expect(tables.byId[0]).toBeUndefined();
  });

  it("is what buildClassifier makes", () => {
    const cls = buildClassifier(
      parseFlowDump(" table=3,priority=1 actions=drop", "t").value.flows,
      () => undefined,
    );
    expect(cls.tables.byId[3]).toBe(cls.tables.get(3));
  });
});
