/**
 * The logical network of the recorded OVN lab, checked against what real OVN said about it
 * (`ovn-sbctl show`: chassis, encaps, bindings; `ovn-nbctl show`: switches, routers, ports), and each
 * finding made to appear by one change to the lab's databases.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type Host, loadHosts } from "../../src/dumps/host/load.js";
import { parseNbctlShow, parseSbctlShow, unquote } from "../../src/dumps/ovn/show.js";
import type { OvsdbRecord } from "../../src/dumps/vsctl/list.js";
import { ovnDatabases } from "../../src/ovn/db.js";
import { buildOvnModel } from "../../src/ovn/model.js";
import { buildOvnTopology, GENEVE_OVN_OVERHEAD } from "../../src/ovn/topology.js";
import { REPO_ROOT } from "../support/shared.js";

const LAB = join(REPO_ROOT, "fixtures/ovn-lab");
const CENTRAL = join(LAB, "central/sos_commands/ovn_central");

let hosts: Host[];
beforeAll(async () => {
  hosts = await loadHosts(LAB);
});

/** The lab's model with one change made to a table's rows. */
function changed(db: "nb" | "sb", table: string, change: (rows: OvsdbRecord[]) => OvsdbRecord[]) {
  const dbs = ovnDatabases(hosts);
  const t = dbs[db];
  t.set(table, change((t.get(table) ?? []).map((r) => ({ ...r, columns: new Map(r.columns) }))));
  return buildOvnTopology(buildOvnModel(dbs), hosts);
}

describe("buildOvnTopology on the recorded lab", () => {
  it("chassis, encaps and bindings as ovn-sbctl show printed them", () => {
    const t = buildOvnTopology(buildOvnModel(ovnDatabases(hosts)), hosts);
    const sb = parseSbctlShow(
      readFileSync(join(CENTRAL, "ovn-sbctl_--no-leader-only_show"), "utf8"),
      "sb",
    ).value;
    expect(
      t.chassis.map((c) => [c.name, c.encaps.map((e) => `${e.type} ${e.ip}`), [...c.bound].sort()]),
    ).toEqual(
      sb.map((c) => [
        c.name,
        c.encaps.map((e) => `${e.type} ${unquote(e.attrs.get("ip") ?? "")}`),
        [...c.bindings].sort(),
      ]),
    );
  });
  it("switches, routers and their ports as ovn-nbctl show printed them, router ports paired", () => {
    const t = buildOvnTopology(buildOvnModel(ovnDatabases(hosts)), hosts);
    const nb = parseNbctlShow(
      readFileSync(join(CENTRAL, "ovn-nbctl_--no-leader-only_show"), "utf8"),
      "nb",
    ).value;
    const names = (list: Array<{ kind: string; name: string; ports: Array<{ name: string }> }>) =>
      list
        .map(
          (d) =>
            `${d.kind} ${d.name}: ${d.ports
              .map((p) => p.name)
              .sort()
              .join(",")}`,
        )
        .sort();
    expect(names(t.datapaths)).toEqual(names(nb));
    const ls1 = t.datapaths.find((d) => d.name === "ls1");
    expect(ls1?.ports.find((p) => p.name === "ls1-lr1")?.peer).toBe("lr1-ls1");
    expect(ls1?.ports.find((p) => p.name === "vm1")).toMatchObject({
      chassis: "hv1",
      plugged: { host: "hv1", bridge: "br-int", interface: "vm1", ofport: 1 },
    });
  });
  it("the Geneve tunnels between chassis, each to the chassis owning its remote IP", () => {
    const t = buildOvnTopology(buildOvnModel(ovnDatabases(hosts)), hosts);
    expect(t.chassis.flatMap((c) => c.tunnels.map((x) => `${c.name} ${x.port} ${x.chassis}`)).sort()).toEqual(
      [
        "hv1 ovn-hv2-0 hv2",
        "hv1 ovn-hv3-0 hv3",
        "hv2 ovn-hv1-0 hv1",
        "hv2 ovn-hv3-0 hv3",
        "hv3 ovn-hv1-0 hv1",
        "hv3 ovn-hv2-0 hv2",
      ],
    );
  });
  it("MTU: the lab's 1500-byte VMs over a 1500-byte underlay do not fit Geneve's overhead", () => {
    const t = buildOvnTopology(buildOvnModel(ovnDatabases(hosts)), hosts);
    const mtu = t.findings.filter((f) => f.kind === "mtu-geneve");
    expect(mtu).toHaveLength(5);
    expect(mtu[0].message).toContain(`uses ${1500 - GENEVE_OVN_OVERHEAD}`);
    expect(mtu[0].evidence[0].line).toBeGreaterThan(0);
  });
});

describe("OVN findings, one change to the lab each", () => {
  it.each([
    [
      "a VM port bound to no chassis",
      () =>
        changed("sb", "Port_Binding", (rows) =>
          rows.map((r) =>
            r.columns.get("logical_port") === "vm2"
              ? { ...r, columns: new Map([...r.columns, ["chassis", []]]) }
              : r,
          ),
        ),
      "port-unbound",
      /logical port vm2 of switch ls1 is bound to no chassis/,
    ],
    [
      "a chassis without encapsulation",
      () =>
        changed("sb", "Chassis", (rows) =>
          rows.map((r) =>
            r.columns.get("name") === "hv3" ? { ...r, columns: new Map([...r.columns, ["encaps", []]]) } : r,
          ),
        ),
      "chassis-without-encap",
      /chassis hv3 has no encapsulation/,
    ],
    [
      "an ACL naming an empty address set",
      () =>
        changed("nb", "Address_Set", (rows) =>
          rows.map((r) => ({ ...r, columns: new Map([...r.columns, ["addresses", []]]) })),
        ),
      "acl-empty-address-set",
      /names address set \$as_admin, which is empty/,
    ],
    [
      "an ACL naming an empty port group",
      () =>
        changed("nb", "Port_Group", (rows) =>
          rows.map((r) =>
            r.columns.get("name") === "pg_admin"
              ? { ...r, columns: new Map([...r.columns, ["ports", []]]) }
              : r,
          ),
        ),
      "acl-empty-port-group",
      /names port group @pg_admin, which has no port/,
    ],
    [
      "an interface whose iface-id no logical port has",
      () =>
        changed("sb", "Port_Binding", (rows) => rows.filter((r) => r.columns.get("logical_port") !== "vm3")),
      "iface-id-unknown",
      /hv3: interface vm3 on br-int has iface-id vm3, which no logical port has/,
    ],
  ])("%s", (_, make, kind, message) => {
    const found = make().findings.filter((f) => f.kind === kind);
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(message);
  });
  it("the lab as recorded has none of these", () => {
    const t = buildOvnTopology(buildOvnModel(ovnDatabases(hosts)), hosts);
    expect(t.findings.filter((f) => f.kind !== "mtu-geneve")).toEqual([]);
  });
});
