/**
 * brctl show: bridges with one, several or no interfaces, damaged lines, and every `brctl_show` of the
 * lab cross-checked against the same host's `ip -s -d link`.
 */
import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parseBrctlShow } from "../../../src/dumps/linux/brctl.js";
import { parseIpLink } from "../../../src/dumps/linux/ip-link.js";
import { type DamagedLine, expectAt } from "../../support/damaged.js";
import { labRoot, networkingFiles } from "../../support/lab.js";

const labFiles = networkingFiles;

const HEADER = "bridge name\tbridge id\t\tSTP enabled\tinterfaces";
const SAMPLE = [
  HEADER,
  "qbr8c2d4e6f-1a\t\t8000.aef9701aee3f\tno\t\tqvb8c2d4e6f-1a",
  "\t\t\t\t\t\t\ttap8c2d4e6f-1a",
  "virbr0\t\t8000.525400aabbcc\tyes\t\t",
  "docker0\t\t8000.0242ac110002\tno\t\tveth1",
  "\t\t\t\t\t\t\tveth2",
  "\t\t\t\t\t\t\tveth3",
].join("\n");

describe("brctl show", () => {
  it("reads bridges, their first interface and continuation lines, and empty bridges", () => {
    const { value, diagnostics } = parseBrctlShow(SAMPLE, "f");
    expect(diagnostics).toEqual([]);
    expect(value).toEqual([
      {
        name: "qbr8c2d4e6f-1a",
        bridgeId: "8000.aef9701aee3f",
        stp: false,
        interfaces: ["qvb8c2d4e6f-1a", "tap8c2d4e6f-1a"],
        line: 2,
      },
      { name: "virbr0", bridgeId: "8000.525400aabbcc", stp: true, interfaces: [], line: 4 },
      {
        name: "docker0",
        bridgeId: "8000.0242ac110002",
        stp: false,
        interfaces: ["veth1", "veth2", "veth3"],
        line: 5,
      },
    ]);
  });

  it("an empty dump (no bridges) is no bridges", () => {
    expect(parseBrctlShow("", "f")).toEqual({ value: [], diagnostics: [] });
    expect(parseBrctlShow(`${HEADER}\n`, "f")).toEqual({ value: [], diagnostics: [] });
  });
});

const DAMAGED: DamagedLine[] = [
  {
    name: "an interface before any bridge",
    text: `${HEADER}\n\t\t\t\t\t\t\ttap1\nqbr1\t\t8000.aef9701aee3f\tno\t\tqvb1\n`,
    line: 2,
    column: 8,
    message: /brctl show/,
  },
  {
    name: "a damaged bridge id",
    text: `${HEADER}\nqbr1\t\t8000.aef9701aee3f\tno\t\tqvb1\nqbr2\t\t8000.zzzz\tno\t\tqvb2\n`,
    line: 3,
    column: 7,
    message: /not a bridge id/,
  },
  {
    name: "STP neither yes nor no",
    text: `${HEADER}\nqbr1\t\t8000.aef9701aee3f\tmaybe\t\tqvb1\n`,
    line: 2,
    column: 25,
    message: /STP enabled/,
  },
  {
    name: "two interfaces on a continuation line",
    text: `${HEADER}\nqbr1\t\t8000.aef9701aee3f\tno\t\tqvb1\n\t\t\t\t\t\t\ttap1 tap2\n`,
    line: 3,
    column: 8,
    message: /brctl show/,
  },
];

describe("damaged brctl show lines are reported at their line and column", () => {
  for (const c of DAMAGED)
    it(c.name, () => {
      const { diagnostics } = parseBrctlShow(c.text, "dump");
      expect(diagnostics).toHaveLength(1);
      expectAt(diagnostics[0], "dump", c);
    });
});

describe("every brctl show of the lab", () => {
  const files = labFiles("brctl_show");
  it("finds the lab files", () => expect(files.length).toBeGreaterThan(0));
  for (const f of files)
    it(relative(labRoot(), f), () => {
      const { value, diagnostics } = parseBrctlShow(readFileSync(f, "utf8"), f);
      expect(diagnostics).toEqual([]);
      const linkFile = join(dirname(f), "ip_-s_-d_link");
      const links = new Map(
        parseIpLink(readFileSync(linkFile, "utf8"), linkFile).value.map((l) => [l.name, l]),
      );
      for (const br of value) {
        expect(br.name).toMatch(/^qbr/);
        expect(links.get(br.name)?.kind).toBe("bridge");
        expect(br.interfaces.length).toBeGreaterThan(0);
        // Every interface brctl lists is a link of the same host, enslaved to that bridge.
        for (const i of br.interfaces) expect(links.get(i)?.master).toBe(br.name);
      }
      const enslaved = [...links.values()].filter((l) => l.slaveKind === "bridge_slave").map((l) => l.name);
      expect(value.flatMap((b) => b.interfaces).sort()).toEqual(enslaved.sort());
    });
});
