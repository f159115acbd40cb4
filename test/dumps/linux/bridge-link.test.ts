/**
 * bridge link: port lines and their -d detail lines, damaged lines, and every
 * `bridge -s -s -d link show` of the lab cross-checked against the same host's `ip -s -d link`.
 */
import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parseBridgeLink } from "../../../src/dumps/linux/bridge-link.js";
import { parseIpLink } from "../../../src/dumps/linux/ip-link.js";
import { type DamagedLine, expectAt } from "../../support/damaged.js";
import { labRoot, networkingFiles } from "../../support/lab.js";

const labFiles = networkingFiles;

const QVB =
  "5: qvb1a2b3c4d-5e@qvo1a2b3c4d-5e: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 master qbr1a2b3c4d-5e state forwarding priority 32 cost 2 ";
const DETAIL =
  "    hairpin off guard off root_block off fastleave off learning on flood on mcast_flood on mcast_router 1 ";
const TAP =
  "6: tap1a2b3c4d-5e: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1450 master qbr1a2b3c4d-5e state disabled priority 32 cost 2 ";
const NS =
  "7: veth0@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master br0 state forwarding priority 32 cost 2 ";

describe("bridge link", () => {
  it("bridge link: port lines only", () => {
    const { value, diagnostics } = parseBridgeLink([QVB, TAP, NS].join("\n"), "f");
    expect(diagnostics).toEqual([]);
    expect(value[0]).toEqual({
      index: 5,
      name: "qvb1a2b3c4d-5e",
      peer: "qvo1a2b3c4d-5e",
      flags: ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"],
      mtu: 1450,
      master: "qbr1a2b3c4d-5e",
      state: "forwarding",
      priority: 32,
      cost: 2,
      attrs: { mtu: "1450", master: "qbr1a2b3c4d-5e", state: "forwarding", priority: "32", cost: "2" },
      params: {},
      line: 1,
    });
    expect(value[1]).toMatchObject({
      name: "tap1a2b3c4d-5e",
      state: "disabled",
      flags: ["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"],
    });
    expect(value[1].peer).toBeUndefined();
    expect(value[2]).toMatchObject({ peer: "if3", peerIfindex: 3, master: "br0" });
  });

  it("bridge -d link: detail lines become params of the port above", () => {
    const { value, diagnostics } = parseBridgeLink([QVB, DETAIL, TAP, DETAIL].join("\n"), "f");
    expect(diagnostics).toEqual([]);
    expect(value).toHaveLength(2);
    expect(value[1].params).toEqual({
      hairpin: "off",
      guard: "off",
      root_block: "off",
      fastleave: "off",
      learning: "on",
      flood: "on",
      mcast_flood: "on",
      mcast_router: "1",
    });
  });
});

const DAMAGED: DamagedLine[] = [
  {
    name: "a detail line before any port",
    text: `${DETAIL}\n${QVB}\n`,
    line: 1,
    column: 5,
    message: /bridge link/,
  },
  { name: "garbage at top level", text: `${QVB}\nwhat?\n`, line: 2, column: 1, message: /bridge link/ },
  {
    name: "a cost that is not a number",
    text: `${QVB}\n7: tap9: <UP> mtu 1450 master qbr9 state forwarding priority 32 cost two\n`,
    line: 2,
    column: 70,
    message: /cost is not a number/,
  },
  {
    name: "a detail word without its value",
    text: `${QVB}\n    hairpin off guard\n`,
    line: 2,
    column: 17,
    message: /guard has no value/,
  },
];

describe("damaged bridge link lines are reported at their line and column", () => {
  for (const c of DAMAGED)
    it(c.name, () => {
      const { value, diagnostics } = parseBridgeLink(c.text, "dump");
      expect(diagnostics).toHaveLength(1);
      expectAt(diagnostics[0], "dump", c);
      expect(value.length).toBeGreaterThan(0);
    });
});

describe("every bridge -s -s -d link show of the lab", () => {
  const files = labFiles("bridge_-s_-s_-d_link_show");
  it("finds the lab files", () => expect(files.length).toBeGreaterThan(0));
  for (const f of files)
    it(relative(labRoot(), f), () => {
      const text = readFileSync(f, "utf8");
      const { value, diagnostics } = parseBridgeLink(text, f);
      expect(diagnostics).toEqual([]);
      expect(value.length).toBe(text.split("\n").filter((l) => /^\d+: /.test(l)).length);
      const linkFile = join(dirname(f), "ip_-s_-d_link");
      const links = new Map(
        parseIpLink(readFileSync(linkFile, "utf8"), linkFile).value.map((l) => [l.name, l]),
      );
      for (const p of value) {
        // The same port as ip link sees it: index, peer, master, mtu and bridge_slave state agree.
        const l = links.get(p.name);
        expect(l).toBeDefined();
        expect([p.index, p.peer, p.master, p.mtu]).toEqual([l?.index, l?.peer, l?.master, l?.mtu]);
        expect(p.state).toBe(l?.slaveInfo?.params.state);
        expect(p.params.learning).toBe("on");
        if (p.name.startsWith("qvb")) expect(p.peer).toBe(`qvo${p.name.slice(3)}`);
      }
    });
});
