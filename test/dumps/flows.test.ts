import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { formatFlowLine, looksLikeFlowDump, parseFlowDump, withActions } from "../../src/dumps/flows.js";
import { LAB, labFiles } from "../support/lab.js";
import { NEEDS, REPO_ROOT, skipWithoutShared } from "../support/shared.js";

function labDumps(): Array<{ path: string; name: string }> {
  return labFiles(/^ovs-ofctl.*dump-flows|^ovs-appctl_bridge\.dump-flows/).map((path) => ({
    path,
    name: relative(LAB, path),
  }));
}

/** Our own recorded dumps (scripts/record-ovs-dumps.sh: a netdev-datapath host with system ports). */
function fixtureDumps(): Array<{ path: string; name: string }> {
  const dir = join(REPO_ROOT, "fixtures/hosts/linux-host/sos_commands/openvswitch");
  return readdirSync(dir)
    .filter((n) => /^ovs-ofctl.*dump-flows|^ovs-appctl_bridge\.dump-flows/.test(n))
    .map((f) => ({ path: join(dir, f), name: `fixtures/linux-host/${f}` }));
}

describe("flow dumps recorded from OVS: zero unparsed lines, exact round trip", () => {
  const dumps = fixtureDumps();
  it("finds the dumps", () => expect(dumps.length).toBeGreaterThan(8));
  it.each(dumps.map((d) => [d.name, d] as const))("%s", (_n, d) => {
    const text = readFileSync(d.path, "utf8");
    const { value, diagnostics } = parseFlowDump(text, d.name);
    expect(diagnostics).toEqual([]);
    const lines = text.split("\n").filter((l) => l.trim() !== "" && !/^(NXST|OFPST)_FLOW reply/.test(l));
    expect(value.flows.map((f) => formatFlowLine(f, value.style))).toEqual(lines);
  });
});

// A loaded flow reads its line, statistics and action text from the dump when asked: each must be what
// the recorded line says, with Unix or DOS line ends, and survive a copy (withActions) and JSON.
describe("a loaded flow's line, statistics and action text, read when asked", () => {
  const dumps = fixtureDumps();
  it.each(
    dumps.flatMap((d) => [
      [d.name, d.path, "\n"],
      [d.name, d.path, "\r\n"],
    ]),
  )("%s (line end %j)", (name, path, eol) => {
    const text = readFileSync(path, "utf8").split("\n").join(eol);
    const { value } = parseFlowDump(text, name);
    const lines = text
      .split(eol)
      .map((l, i) => ({ l, i }))
      .filter(({ l }) => l.trim() !== "" && !/^(NXST|OFPST)_FLOW reply/.test(l));
    expect(value.flows.map((f) => [f.line, f.text])).toEqual(lines.map(({ l, i }) => [i + 1, l]));
    for (const f of value.flows) {
      const at = f.text.search(/[ ,]actions=/);
      expect(f.actionsText).toBe(f.text.slice(at + " actions=".length));
      expect(f.actionsColumn).toBe(at + " actions=".length + 1);
      const copy = withActions(f, f.actions);
      expect(formatFlowLine(copy, value.style)).toBe(formatFlowLine(f, value.style));
      const json = JSON.parse(JSON.stringify(f, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
      expect(Object.keys(json)).toEqual([
        "file",
        "line",
        "text",
        "table",
        "priority",
        "cookie",
        "stats",
        "flags",
        "match",
        "actions",
        "actionsText",
        "actionsColumn",
      ]);
      expect([json.text, json.actionsText, json.stats]).toEqual([f.text, f.actionsText, { ...f.stats }]);
    }
  });
});

describe.skipIf(skipWithoutShared(NEEDS.labs))(
  "flow dumps of the labs: zero unparsed lines, exact round trip",
  () => {
    const dumps = labDumps();
    it("finds the dumps", () => expect(dumps.length).toBeGreaterThan(60));
    it.each(dumps.map((d) => [d.name, d] as const))("%s", (_n, d) => {
      const text = readFileSync(d.path, "utf8");
      expect(looksLikeFlowDump(text)).toBe(true);
      const { value, diagnostics } = parseFlowDump(text, d.name);
      expect(diagnostics).toEqual([]);
      const lines = text.split("\n").filter((l) => l.trim() !== "" && !/^(NXST|OFPST)_FLOW reply/.test(l));
      expect(value.flows.map((f) => formatFlowLine(f, value.style))).toEqual(lines);
    });
  },
);

describe("parseFlowDump", () => {
  const dump = [
    "OFPST_FLOW reply (OF1.3) (xid=0x2):",
    " cookie=0x1, duration=2.5s, table=3, n_packets=4, n_bytes=5, reset_counts priority=7,tun_id=0x64 actions=goto_table:10",
    " cookie=0x1, duration=2.5s, table=3, n_packets=4, n_bytes=5, priority=7,ip,nw_src=10.0.0.300 actions=drop",
    "garbage line",
    " priority=0 actions=NORMAL",
  ].join("\n");
  const { value, diagnostics } = parseFlowDump(dump, "flows.txt");

  it("keeps reading after a damaged line, and names file, line, column and field", () => {
    expect(value.flows).toHaveLength(2);
    expect(value.header).toBe("OFPST_FLOW reply (OF1.3) (xid=0x2):");
    expect(diagnostics).toHaveLength(2);
    expect(diagnostics[0]).toMatchObject({ file: "flows.txt", line: 3, column: 83, field: "nw_src" });
    expect(diagnostics[1]).toMatchObject({ file: "flows.txt", line: 4, field: "actions" });
  });

  it.each([
    ["CRLF line ends", "NXST_FLOW reply (xid=0x4):\r\n priority=0 actions=NORMAL\r\n", 1, 0],
    [
      "blank lines of spaces, tabs and a no-break space",
      " \t \n\u00a0\n priority=0 actions=NORMAL\n\n",
      1,
      0,
    ],
    ["a line that only starts like a header", "NXST_FLOWS priority=0 actions=NORMAL", 0, 1],
    ["no line end after the last flow", "\n\n priority=0 actions=NORMAL", 1, 0],
    ["a lone carriage return line", "\r\n priority=0 actions=NORMAL\r", 1, 0],
  ])("%s", (_, text, flows, errors) => {
    const r = parseFlowDump(text, "f");
    expect(r.value.flows).toHaveLength(flows);
    expect(r.diagnostics).toHaveLength(errors);
    if (flows > 0) expect(r.value.flows[0].text).toBe(" priority=0 actions=NORMAL");
    // Numbered as the lines of the text.
    if (flows > 0)
      expect(r.value.flows[0].line).toBe(text.split("\n").findIndex((l) => l.includes("priority")) + 1);
  });

  // Columns as ovspath reported them before the head of a line was walked without split().
  it.each([
    [
      "  cookie=0x1, bogus=3, table=3, priority=1 actions=drop",
      15,
      "bogus",
      /unknown flow statistic "bogus"/,
    ],
    [" cookie=0x1, table=3, frob priority=1 actions=drop", 23, "frob", /unexpected "frob" before the match/],
    [" cookie=0x1, table=x3, priority=1 actions=drop", 14, "table", /bad table number/],
    [" n_packets=0, cookie=0x1,2, priority=1 actions=drop", 15, "cookie", /unknown flow statistic "cookie"/],
    [" duration=1s,  priority=1 actions=drop", 15, "", /unexpected "" before the match/],
    [" cookie=0x1 priority=1 actions=drop", 9, "cookie", /bad cookie/],
  ])("refuses %j at column %d", (text, column, field, message) => {
    const r = parseFlowDump(text, "f");
    expect(r.value.flows).toHaveLength(0);
    expect(r.diagnostics[0]).toMatchObject({ line: 1, column, field });
    expect(r.diagnostics[0].message).toMatch(message);
  });

  it.each([
    [
      " cookie=0x1, table=3, reset_counts check_overlap actions=drop",
      { cookie: "0x1", table: "3" },
      ["reset_counts", "check_overlap"],
    ],
    [
      " table_id=2, duration=0s, n_packets=0, n_bytes=0, ,actions=drop",
      { table_id: "2", duration: "0s", n_packets: "0", n_bytes: "0" },
      [],
    ],
    [" cookie=0x1, idle_age=0, actions=NORMAL", { cookie: "0x1", idle_age: "0" }, []],
    ["priority=1 actions=drop", {}, []],
    [" cookie=0x1, send_flow_rem actions=drop", { cookie: "0x1" }, ["send_flow_rem"]],
    [" cookie=0x10, send_flow_rem priority=1,ip actions=drop", { cookie: "0x10" }, ["send_flow_rem"]],
    [" cookie=0x1, n_packets=3, priority=1,ip actions=drop", { cookie: "0x1", n_packets: "3" }, []],
  ])("reads the statistics and flags of %j", (text, stats, flags) => {
    const f = parseFlowDump(text, "f").value.flows[0];
    expect(f.stats).toEqual(stats);
    expect(f.flags).toEqual(flags);
  });

  it("gives each flow its own cookie, repeated or not", () => {
    const cookies = ["0x1", "0x1", "0xffffffffffffffff", "0x1", "0x0"];
    const text = cookies.map((c) => ` cookie=${c}, priority=1 actions=drop`).join("\n");
    expect(parseFlowDump(text, "f").value.flows.map((f) => f.cookie)).toEqual(cookies.map((c) => BigInt(c)));
  });

  it("reads stats, flags, table, priority and cookie", () => {
    const f = value.flows[0];
    expect(f).toMatchObject({
      table: 3,
      priority: 7,
      cookie: 1n,
      flags: ["reset_counts"],
      actionsText: "goto_table:10",
    });
    expect(f.stats).toMatchObject({ duration: "2.5s", n_packets: "4" });
    expect(value.flows[1]).toMatchObject({ table: 0, priority: 0, line: 5 });
  });

  it("recognises flow dumps by content", () => {
    expect(looksLikeFlowDump(" priority=1,in_port=2 actions=drop\n")).toBe(true);
    expect(looksLikeFlowDump("bridge name\tbridge id\n")).toBe(false);
  });
});
