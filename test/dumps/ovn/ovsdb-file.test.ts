import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseLflowList } from "../../../src/dumps/ovn/lflow-list.js";
import { parseOvsdbFile } from "../../../src/dumps/ovn/ovsdb-file.js";
import { parseVsctlList } from "../../../src/dumps/vsctl/list.js";
import type { OvsdbValue } from "../../../src/dumps/vsctl/ovsdb-value.js";
import { REPO_ROOT } from "../../support/shared.js";

const CENTRAL = join(REPO_ROOT, "fixtures/ovn-lab/central");
const read = (p: string) => readFileSync(join(CENTRAL, p), "utf8");
const LIST = "sos_commands/ovn_central/ovn-%sctl_--no-leader-only_list_";

/** Values as comparable plain data (ovs-vsctl prints a one-element set as its atom). */
function plain(v: OvsdbValue | undefined): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]).sort());
  if (Array.isArray(v)) return v.length === 1 ? plain(v[0]) : v.map(plain).sort();
  return v;
}

describe("parseOvsdbFile: the clustered databases sos copied, replayed, equal `ovn-*ctl list`", () => {
  // Each row of the replayed log must hold what ovn-nbctl/ovn-sbctl listed from the live database.
  const cases: Array<[string, string, string]> = [
    ["var/lib/ovn/ovnnb_db.db", "nb", "ACL"],
    ["var/lib/ovn/ovnnb_db.db", "nb", "Logical_Switch_Port"],
    ["var/lib/ovn/ovnnb_db.db", "nb", "Port_Group"],
    ["var/lib/ovn/ovnnb_db.db", "nb", "Address_Set"],
    ["var/lib/ovn/ovnnb_db.db", "nb", "Load_Balancer"],
    ["var/lib/ovn/ovnsb_db.db", "sb", "Port_Binding"],
    ["var/lib/ovn/ovnsb_db.db", "sb", "Datapath_Binding"],
    ["var/lib/ovn/ovnsb_db.db", "sb", "Chassis"],
    ["var/lib/ovn/ovnsb_db.db", "sb", "Encap"],
    ["var/lib/ovn/ovnsb_db.db", "sb", "Multicast_Group"],
  ];
  const dbs = new Map<string, ReturnType<typeof parseOvsdbFile>>();
  const db = (p: string) => {
    if (!dbs.has(p)) dbs.set(p, parseOvsdbFile(read(p), p));
    return dbs.get(p) as ReturnType<typeof parseOvsdbFile>;
  };
  it.each(cases)("%s %s %s", (path, which, table) => {
    const parsed = db(path);
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.value.clustered).toBe(true);
    const listed = parseVsctlList(read(`${LIST.replace("%s", which)}${table}`), table).value;
    const rows = parsed.value.tables.get(table) ?? [];
    expect(rows.length).toBe(listed.length);
    const byUuid = new Map(rows.map((r) => [r.columns.get("_uuid"), r]));
    for (const l of listed) {
      const row = byUuid.get(l.columns.get("_uuid") as string);
      expect(row).toBeDefined();
      for (const [col, v] of l.columns) expect([col, plain(row?.columns.get(col))]).toEqual([col, plain(v)]);
    }
  });
  it("names the schema", () => {
    expect(db("var/lib/ovn/ovnsb_db.db").value.name).toBe("OVN_Southbound");
    expect(db("var/lib/ovn/ovnnb_db.db").value.name).toBe("OVN_Northbound");
  });
  it("keeps every Logical_Flow that `ovn-sbctl lflow-list` printed, with its UUID (the cookie's source)", () => {
    const flows = db("var/lib/ovn/ovnsb_db.db").value.tables.get("Logical_Flow") ?? [];
    const key = (stage: unknown, prio: unknown, match: unknown, actions: unknown) =>
      `${stage}|${prio}|${match}|${actions}`;
    const inDb = new Set(
      flows.map((f) =>
        key(
          (f.columns.get("external_ids") as Map<string, OvsdbValue>).get("stage-name"),
          f.columns.get("priority"),
          f.columns.get("match"),
          f.columns.get("actions"),
        ),
      ),
    );
    const listed = parseLflowList(
      read(`${LIST.replace("%s", "sb").replace("list_", "")}lflow-list`),
      "l",
    ).value;
    const tuples = new Set(
      listed.flatMap((d) => d.flows.map((f) => key(f.stage, f.priority, f.match, f.actions))),
    );
    expect(tuples.size).toBeGreaterThan(250);
    expect([...tuples].filter((t) => !inDb.has(t))).toEqual([]);
    expect(inDb.size).toBe(tuples.size);
  });
});

describe("parseOvsdbFile: standalone logs, diffs and damage", () => {
  const schema = JSON.stringify({
    name: "T",
    tables: {
      R: {
        columns: {
          name: { type: "string" },
          tags: { type: { key: "string", min: 0, max: "unlimited" } },
          ids: { type: { key: "string", value: "string", min: 0, max: "unlimited" } },
        },
      },
    },
  });
  const rec = (json: string) =>
    `OVSDB JSON ${new TextEncoder().encode(json).length + 1} ${"0".repeat(40)}\n${json}\n`;
  const u = "11111111-2222-3333-4444-555555555555";
  it.each([
    [
      "insert then diff: scalar replaced, set toggled, map pair changed/removed",
      [
        `{"R":{"${u}":{"name":"a","tags":["set",["x","y"]],"ids":["map",[["k","1"],["j","2"]]]}}}`,
        `{"R":{"${u}":{"name":"b","tags":"x","ids":["map",[["k","3"],["j","2"]]]}},"_is_diff":true}`,
      ],
      { name: "b", tags: ["y"], ids: { k: "3" } },
    ],
    [
      "without _is_diff a row is replaced column by column",
      [`{"R":{"${u}":{"name":"a","tags":["set",["x","y"]]}}}`, `{"R":{"${u}":{"tags":"z"}}}`],
      { name: "a", tags: ["z"], ids: {} },
    ],
  ])("%s", (_, txns, want) => {
    const p = parseOvsdbFile(rec(schema) + txns.map(rec).join(""), "t.db");
    expect(p.diagnostics).toEqual([]);
    const row = p.value.tables.get("R")?.[0];
    const got = Object.fromEntries(
      [...(row?.columns ?? [])]
        .filter(([k]) => k !== "_uuid")
        .map(([k, v]) => [k, v instanceof Map ? Object.fromEntries(v) : v]),
    );
    expect(got).toEqual(want);
  });
  it("a deleted row is gone", () => {
    const p = parseOvsdbFile(
      rec(schema) + rec(`{"R":{"${u}":{"name":"a"}}}`) + rec(`{"R":{"${u}":null}}`),
      "t.db",
    );
    expect(p.value.tables.get("R")).toEqual([]);
  });
  it.each([
    ["a wrong record length", `OVSDB JSON 99 ${"0".repeat(40)}\n{}\n`, 1, 12, "length"],
    ["a line that is not a header", "garbage\n", 1, 1, undefined],
    ["broken JSON", `${rec(schema)}OVSDB JSON 3 ${"0".repeat(40)}\n{x\n`, 4, 2, undefined],
    ["an unknown table", `${rec(schema)}${rec('{"Q":{}}')}`, 4, 1, "Q"],
    ["a column that is not in the schema", `${rec(schema)}${rec(`{"R":{"${u}":{"nope":1}}}`)}`, 4, 1, "nope"],
  ])("reports %s with file:line:column", (_, text, line, column, field) => {
    const d = parseOvsdbFile(text, "x.db").diagnostics[0];
    expect(d).toMatchObject({ file: "x.db", line, column });
    expect(d.field).toBe(field);
  });
});
