import { describe, expect, it } from "vitest";
import { parseFlowDump } from "../../src/dumps/flows.js";
import { type FlowKey, K, KSIZE, type LayoutName, newFlowKey } from "../../src/model/layout.js";
import { MegaflowCache, maskActionReads } from "../../src/pipeline/megaflow.js";

const actionsOf = (text: string) => {
  const d = parseFlowDump(` priority=1 actions=${text}`, "t");
  expect(d.diagnostics).toEqual([]);
  return d.value.flows[0].actions;
};
const masked = (mask: FlowKey): string[] =>
  (Object.keys(K) as LayoutName[])
    .filter((s) => mask.subarray(K[s], K[s] + KSIZE[s]).some((w) => w !== 0))
    .sort();

describe("the fields a translation's actions read join its megaflow", () => {
  it.each([
    ["output:2", true, ["inPort"]],
    ["NORMAL", true, ["dlDst", "dlSrc", "inPort", "vlanTci", "vlanTpid"]],
    ["load:0x5->NXM_NX_REG5[],resubmit(,60)", true, ["inPort"]],
    ["set_field:0x64->tun_id,output:3", true, ["inPort"]],
    ["mod_dl_src:fa:16:3e:00:00:01,output:2", true, ["dlSrc", "inPort"]],
    ["move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]", true, ["dlDst", "dlSrc"]],
    ["strip_vlan,output:1", true, ["inPort", "vlanTci", "vlanTpid"]],
    ["dec_ttl,output:1", true, ["dlType", "inPort", "nwTtl"]],
    [
      "learn(table=20,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:OXM_OF_IN_PORT[])",
      true,
      ["dlSrc", "inPort", "vlanTci"],
    ],
    ["ct(table=72,zone=NXM_NX_REG6[0..15])", false, []],
    ["CONTROLLER:65535", false, ["inPort"]],
  ] as const)("%s → cacheable %s, reads %j", (text, cacheable, slots) => {
    const mask = newFlowKey();
    expect(maskActionReads(mask, actionsOf(text))).toBe(cacheable);
    if (cacheable) expect(masked(mask)).toEqual([...slots].sort());
  });
});

describe("the megaflow cache", () => {
  it("answers a key that agrees on the masked bits, and only such a key", () => {
    const cache = new MegaflowCache<string>();
    const mask = newFlowKey();
    mask[K.inPort] = 0xffffffff;
    mask[K.nwDst] = 0xffffff00;
    const a = newFlowKey();
    a[K.inPort] = 4;
    a[K.nwDst] = 0xc0a86415;
    a[K.tpSrc] = 40000;
    cache.insert(a, mask, "tunnel to compute2");
    const b = a.slice();
    b[K.tpSrc] = 40001;
    b[K.nwDst] = 0xc0a864fe;
    expect(cache.lookup(b)).toBe("tunnel to compute2");
    const c = a.slice();
    c[K.inPort] = 5;
    expect(cache.lookup(c)).toBeUndefined();
    cache.clear();
    expect(cache.lookup(a)).toBeUndefined();
  });
});

describe("the megaflow cache's subtables", () => {
  // Two masks in one port's cache, as two translations that read different fields leave them.
  const cache = new MegaflowCache<string>();
  const byPort = newFlowKey();
  byPort[K.inPort] = 0xffffffff;
  byPort[K.dlDst + 1] = 0xffffffff;
  const byAddress = newFlowKey();
  byAddress[K.inPort] = 0xffffffff;
  byAddress[K.nwDst] = 0xffffff00;
  byAddress[K.tpDst] = 0xffff;
  const key = (inPort: number, dlDst: number, nwDst: number, tpDst: number): FlowKey => {
    const k = newFlowKey();
    k[K.inPort] = inPort;
    k[K.dlDst + 1] = dlDst;
    k[K.nwDst] = nwDst;
    k[K.tpDst] = tpDst;
    return k;
  };
  cache.insert(key(4, 0x3e11a102, 0, 0), byPort, "to vm2");
  cache.insert(key(4, 0, 0xc0a86415, 80), byAddress, "to vm5, http");
  cache.insert(key(4, 0, 0xc0a86415, 443), byAddress, "to vm5, https");

  it.each([
    ["vm2's MAC, any address", key(4, 0x3e11a102, 0x0a000001, 22), "to vm2"],
    ["vm5's subnet, port 80", key(4, 0x3e22a201, 0xc0a864fe, 80), "to vm5, http"],
    ["vm5's subnet, port 443", key(4, 0, 0xc0a86401, 443), "to vm5, https"],
    ["another port", key(4, 0, 0xc0a86415, 22), undefined],
    ["another ingress port", key(5, 0x3e11a102, 0xc0a86415, 80), undefined],
    ["a MAC word's high bits differ (unsigned compare)", key(4, 0xbe11a102, 0, 0), undefined],
  ])("%s", (_, k, expected) => {
    expect(cache.lookup(k)).toBe(expected);
    expect(cache.size).toBe(3);
  });
});
