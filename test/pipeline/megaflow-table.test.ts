import { describe, expect, it } from "vitest";
import { type FlowKey, K, newFlowKey } from "../../src/model/layout.js";
import { MaskTable } from "../../src/pipeline/megaflow-table.js";

/** The mask a NORMAL-then-tunnel translation leaves: in_port, the MACs, dl_type, nw_dst's /24. */
function mask(): FlowKey {
  const m = newFlowKey();
  m[K.inPort] = 0xffffffff;
  m.fill(0xffffffff, K.dlDst, K.dlSrc + 2);
  m[K.dlType] = 0xffff;
  m[K.nwDst] = 0xffffff00;
  return m;
}

function key(inPort: number, dstMac: number, nwDst: number, tpSrc = 0): FlowKey {
  const k = newFlowKey();
  k[K.inPort] = inPort;
  k[K.dlDst] = 0xfa16;
  k[K.dlDst + 1] = dstMac;
  k[K.dlSrc] = 0xfa16;
  k[K.dlSrc + 1] = 0x3e11a101;
  k[K.dlType] = 0x0800;
  k[K.nwDst] = nwDst;
  k[K.tpSrc] = tpSrc;
  return k;
}

describe("a megaflow subtable", () => {
  it("keeps the mask's words and their masks side by side", () => {
    const t = new MaskTable<string>(mask());
    expect(Array.from(t.words)).toEqual([
      K.inPort,
      K.dlDst,
      K.dlDst + 1,
      K.dlSrc,
      K.dlSrc + 1,
      K.dlType,
      K.nwDst,
    ]);
    expect(Array.from(t.masks)).toEqual([
      0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffff, 0xffffff00,
    ]);
  });

  // 300 entries: the index grows from 16 slots several times; every entry must still be found.
  const t = new MaskTable<number>(mask());
  for (let i = 0; i < 300; i++) t.add(key(4, 0x3e110000 + i, 0xc0a86400 + (i % 7) * 256), i);
  t.add(key(4, 0x3e110005, 0xc0a86400 + 5 * 256, 9), -1);

  it.each([
    ["the first entry", key(4, 0x3e110000, 0xc0a86415), 0],
    ["the last entry, any host in its /24 and any port", key(4, 0x3e110000 + 299, 0xc0a869fe, 443), 299],
    ["an entry added again later: the first still answers", key(4, 0x3e110005, 0xc0a86901), 5],
    ["a MAC no entry has", key(4, 0x3e110000 + 300, 0xc0a86400), undefined],
    ["another ingress port", key(5, 0x3e110000, 0xc0a86400), undefined],
    ["another /24", key(4, 0x3e110000, 0xc0a86500), undefined],
    ["the high bit of a word set (compared unsigned)", key(4, 0xbe110000, 0xc0a86400), undefined],
  ])("%s", (_, k, expected) => {
    expect(t.find(k)).toBe(expected);
  });

  it("counts every entry added", () => {
    expect(t.size).toBe(301);
  });

  it("finds entries whose words have the high bit set", () => {
    const high = new MaskTable<string>(mask());
    high.add(key(0xfffffffe, 0xffffffff, 0xffffff00), "high");
    expect(high.find(key(0xfffffffe, 0xffffffff, 0xffffffab))).toBe("high");
  });
});
