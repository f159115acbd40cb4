import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseNbctlShow, parseSbctlShow, unquote } from "../../../src/dumps/ovn/show.js";
import { REPO_ROOT } from "../../support/shared.js";

const DIR = join(REPO_ROOT, "fixtures/ovn-lab/central/sos_commands/ovn_central");
const read = (f: string) => readFileSync(join(DIR, f), "utf8");

describe("parseNbctlShow / parseSbctlShow on the recorded lab", () => {
  it("NB: switches and routers with their ports and attributes", () => {
    const p = parseNbctlShow(read("ovn-nbctl_--no-leader-only_show"), "nb");
    expect(p.diagnostics).toEqual([]);
    expect(
      p.value.map(
        (d) =>
          `${d.kind} ${d.name} ${d.ports
            .map((x) => x.name)
            .sort()
            .join(",")}`,
      ),
    ).toEqual(["switch ls1 ls1-lr1,vm1,vm2,vm5", "switch ls2 ls2-lr1,vm3,vm4", "router lr1 lr1-ls1,lr1-ls2"]);
    const lr = p.value[2].ports.find((x) => x.name === "lr1-ls1");
    expect(unquote(lr?.attrs.get("mac") ?? "")).toBe("fa:16:3e:00:ff:01");
    expect(p.value[0].ports[0].attrs.get("router-port")).toBe("lr1-ls1");
  });
  it("SB: chassis with encaps and bound ports", () => {
    const p = parseSbctlShow(read("ovn-sbctl_--no-leader-only_show"), "sb");
    expect(p.diagnostics).toEqual([]);
    expect(
      p.value.map((c) => [
        c.name,
        c.encaps.map((e) => `${e.type} ${unquote(e.attrs.get("ip") ?? "")}`),
        c.bindings.sort(),
      ]),
    ).toEqual([
      ["hv1", ["geneve 192.168.0.11"], ["vm1", "vm4", "vm5"]],
      ["hv2", ["geneve 192.168.0.12"], ["vm2"]],
      ["hv3", ["geneve 192.168.0.13"], ["vm3"]],
    ]);
  });
  it.each([
    ["NB: a port before any switch", () => parseNbctlShow("    port x\n", "f")],
    ["SB: an attribute before any chassis", () => parseSbctlShow("    hostname: x\n", "f")],
  ])("reports %s", (_, run) => {
    expect(run().diagnostics[0]).toMatchObject({ file: "f", line: 1, column: 5 });
  });
});
