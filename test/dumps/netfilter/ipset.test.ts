/** ipset list / ipset save: the recorded host's sets (from the kernel's ipset), types, damaged lines. */
import { describe, expect, it } from "vitest";
import { parseIpsetList, parseIpsetSave } from "../../../src/dumps/netfilter/ipset.js";
import { IpsetTable } from "../../../src/firewall/ipset.js";
import { fwPacketOf } from "../../../src/firewall/packet.js";
import { hostFile } from "../../firewall/support.js";

const summary = (sets: ReturnType<typeof parseIpsetList>["value"]) =>
  sets.map((s) => [s.name, s.type, s.family, s.members.map((m) => m.text).sort()]);

describe("the recorded sets", () => {
  const want = [
    ["NIPv4a1b2c3d4-e5f6-4a7b-8c9d-", "hash:net", "ipv4", ["10.0.0.5", "10.0.0.7"]],
    ["NIPv6a1b2c3d4-e5f6-4a7b-8c9d-", "hash:net", "ipv6", ["fd00::5"]],
  ];
  it("ipset list", () => {
    const r = parseIpsetList(hostFile("ipset_list"), "ipset_list");
    expect(r.diagnostics).toEqual([]);
    expect(summary(r.value)).toEqual(want);
  });
  it("ipset save", () => {
    const r = parseIpsetSave(hostFile("ipset_save"), "ipset_save");
    expect(r.diagnostics).toEqual([]);
    expect(summary(r.value)).toEqual(want);
  });
});

/** A TCP/IPv4 frame 10.0.0.5:40000 → 10.0.0.6:80. */
const FRAME = Uint8Array.from(
  Buffer.from(
    "fa163eaabb02fa163eaabb0108004500002800010000400600000a0000050a0000069c400050000003e80000000050022000000000000",
    "hex",
  ),
);

describe("membership as xt_set tests it", () => {
  const text = [
    "create nets hash:net family inet",
    "add nets 10.0.0.0/29",
    "create ports hash:ip,port family inet",
    "add ports 10.0.0.6,tcp:80",
    "add ports 10.0.0.6,udp:80",
    "create both list:set",
    "add both nets",
    "add both missing",
  ].join("\n");
  const table = new IpsetTable();
  const { diagnostics, value } = parseIpsetSave(text, "f");
  for (const s of value) table.add(s);
  const p = fwPacketOf(FRAME);

  it.each([
    ["nets", ["src"], true],
    ["nets", ["dst"], true],
    ["ports", ["dst", "dst"], true],
    ["ports", ["src", "src"], false],
    ["both", ["src"], true],
    ["absent", ["src"], undefined],
  ] as const)("%s %j → %s", (name, dirs, want) => {
    expect(diagnostics).toEqual([]);
    expect(table.has(name, p, dirs)).toBe(want);
  });
});

describe("damaged ipset lines", () => {
  it.each([
    ["create s hash:net family inet\nadd s 10.0.0.300", 2, 7, /not an IPv4 address/],
    ["create s hash:ip,port family inet\nadd s 10.0.0.1,tcp", 2, 7, /PROTO:PORT/],
    ["add s 10.0.0.1", 1, 5, /not created/],
    ["create s bitmap:port range 1-10", 1, 10, /not modelled/],
    ["flush s", 1, 1, /ipset save/],
  ])("%j", (text, line, column, message) => {
    const r = parseIpsetSave(text, "f");
    expect(r.diagnostics.map((d) => [d.line, d.column])).toEqual([[line, column]]);
    expect(r.diagnostics[0].message).toMatch(message);
  });

  it("ipset list: a member line outside Members:", () => {
    const r = parseIpsetList("Name: s\nType: hash:net\n10.0.0.1\nMembers:\n10.0.0.2\nbad/99", "f");
    expect(r.diagnostics.map((d) => [d.line, d.column])).toEqual([
      [3, 1],
      [6, 1],
    ]);
    expect(r.value[0].members.map((m) => m.text)).toEqual(["10.0.0.2"]);
  });
});
