import { describe, expect, it } from "vitest";
import { parseMac } from "../../src/model/field-value.js";
import { fieldNamed, writeField } from "../../src/model/fields.js";
import { K, newFlowKey } from "../../src/model/layout.js";
import { isMulticastMac, isReservedMac, MacTable, macAt } from "../../src/pipeline/mac-table.js";
import { switchState } from "../../src/pipeline/switch-state.js";

const mac = (text: string): number => Number(parseMac(text));

describe("MacTable", () => {
  it("finds an entry by MAC and VLAN only", () => {
    const t = new MacTable();
    t.add({ port: 3, vlan: 1, mac: mac("fa:16:3e:11:a1:01"), line: 7 });
    expect(t.find(mac("fa:16:3e:11:a1:01"), 1)?.port).toBe(3);
    expect(t.find(mac("fa:16:3e:11:a1:01"), 2)).toBeUndefined();
    expect(t.find(mac("fa:16:3e:11:a1:02"), 1)).toBeUndefined();
  });

  it("keeps the first of two dump lines for the same MAC and VLAN, as the dump lists them", () => {
    const t = new MacTable();
    t.add({ port: 3, vlan: 1, mac: 1, line: 7 });
    t.add({ port: 4, vlan: 1, mac: 1, line: 8 });
    expect(t.find(1, 1)?.line).toBe(7);
    expect(t.entries).toHaveLength(1);
  });

  it("learns a new MAC, moves a known one, and counts a change of switch state only when something changed", () => {
    const t = new MacTable();
    const before = switchState.changes;
    expect(t.learn(5, 10, 1)).toBe(true);
    expect(switchState.changes).toBe(before + 1);
    expect(t.learn(5, 10, 1)).toBe(false);
    expect(switchState.changes).toBe(before + 1);
    expect(t.learn(5, 10, 2)).toBe(true);
    expect(t.find(5, 10)).toEqual({ port: 2, vlan: 10, mac: 5, line: 0 });
    expect(switchState.changes).toBe(before + 2);
    expect(t.entries).toHaveLength(1);
  });
});

describe("MacTable's recent answers agree with its index", () => {
  it("an absence it remembered is forgotten once the MAC is added or learned", () => {
    const t = new MacTable();
    expect(t.find(7, 1)).toBeUndefined();
    t.add({ port: 2, vlan: 1, mac: 7, line: 1 });
    expect(t.find(7, 1)?.port).toBe(2);
    expect(t.find(9, 1)).toBeUndefined();
    t.learn(9, 1, 4);
    expect(t.find(9, 1)?.port).toBe(4);
  });

  it("a move it remembered is seen (the entry changes in place)", () => {
    const t = new MacTable();
    t.learn(7, 1, 2);
    expect(t.find(7, 1)?.port).toBe(2);
    t.learn(7, 1, 3);
    expect(t.find(7, 1)?.port).toBe(3);
  });

  it("over many MACs and VLANs that share slots, in any order, the same answers as a plain Map", () => {
    const t = new MacTable();
    const truth = new Map<string, number>();
    // A fixed pseudo-random walk: finds and learns interleaved, 48-bit MACs, colliding low bits.
    let x = 12345;
    const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 5000; i++) {
      const mac = 0xfa163e000000 + (next() % 40) * 8;
      const vlan = next() % 3;
      if (next() % 3 === 0) {
        const port = 1 + (next() % 5);
        t.learn(mac, vlan, port);
        truth.set(`${mac}/${vlan}`, port);
      } else expect(t.find(mac, vlan)?.port).toBe(truth.get(`${mac}/${vlan}`));
    }
  });
});

describe("MAC helpers", () => {
  it("reads a flow key's MAC field as a 48-bit number", () => {
    const key = newFlowKey();
    writeField(key, fieldNamed("dl_dst"), 0xfa163e11a101n);
    writeField(key, fieldNamed("dl_src"), 0xffffffffffffn);
    expect(macAt(key, K.dlDst)).toBe(0xfa163e11a101);
    expect(macAt(key, K.dlSrc)).toBe(0xffffffffffff);
  });

  it.each([
    ["ff:ff:ff:ff:ff:ff", true, false],
    ["01:00:5e:00:00:01", true, false],
    ["33:33:00:00:00:01", true, false],
    ["fa:16:3e:11:a1:01", false, false],
    ["01:80:c2:00:00:00", true, true],
    ["01:80:c2:00:00:0e", true, true],
    ["01:80:c2:00:00:10", true, false],
    ["02:80:c2:00:00:00", false, false],
  ])("%s: multicast %s, reserved %s", (text, multicast, reserved) => {
    expect(isMulticastMac(mac(text))).toBe(multicast);
    expect(isReservedMac(mac(text))).toBe(reserved);
  });
});
