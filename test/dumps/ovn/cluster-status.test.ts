import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { looksLikeClusterStatus, parseClusterStatus } from "../../../src/dumps/ovn/cluster-status.js";
import { REPO_ROOT } from "../../support/shared.js";

const DIR = join(REPO_ROOT, "fixtures/ovn-lab/central/sos_commands/ovn_central");

describe("parseClusterStatus", () => {
  it.each([
    ["ovs-appctl_-t_.var.run.ovn.ovnnb_db.ctl_cluster.status_OVN_Northbound", "OVN_Northbound", "ovnnb_raft"],
    ["ovs-appctl_-t_.var.run.ovn.ovnsb_db.ctl_cluster.status_OVN_Southbound", "OVN_Southbound", "ovnsb_raft"],
  ])("%s", (file, name, server) => {
    const text = readFileSync(join(DIR, file), "utf8");
    const p = parseClusterStatus(text, file);
    expect(p.diagnostics).toEqual([]);
    expect(looksLikeClusterStatus(text)).toBe(true);
    expect(p.value.server).toBe(server);
    expect(p.value.fields.get("Name")).toBe(name);
    expect(p.value.fields.get("Role")).toBe("leader");
    expect(p.value.servers).toHaveLength(1);
  });
  it("reports a line it does not know", () => {
    expect(parseClusterStatus("s\nName: X\n???\n", "f").diagnostics[0]).toMatchObject({ line: 3, column: 1 });
  });
});
