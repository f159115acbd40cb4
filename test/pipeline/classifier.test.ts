import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseFlowDump } from "../../src/dumps/flows.js";
import { lookupField, writeField } from "../../src/model/fields.js";
import { FLOW_WORDS, newFlowKey } from "../../src/model/layout.js";
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

  it("sets aside a flow naming a port the bridge does not have", () => {
    const cls = buildClassifier(
      parseFlowDump(' priority=1,in_port="ghost" actions=drop', "t").value.flows,
      () => undefined,
    );
    expect(cls.rejected.map((r) => r.reason)).toEqual(['unknown port "ghost"']);
  });
});
