import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadHosts } from "../../src/dumps/host/load.js";
import { formatNearMiss, tunnelIdsOf } from "../../src/explain/near-miss.js";
import type { NearMiss } from "../../src/explain/types.js";
import { switchesOf } from "../../src/pipeline/index.js";
import { LAB } from "../support/lab.js";

const miss: NearMiss = {
  host: "compute2",
  bridge: "br-tun",
  table: 3,
  priority: 1,
  cookie: "0x1",
  file: "dump",
  line: 11,
  text: "table=3,priority=1,tun_id=0x3e9 actions=…",
  mismatches: [{ field: "tun_id", expected: "0x3e9", actual: "0x64" }],
};

describe("formatNearMiss", () => {
  it.each([
    [
      "a table the frame was looked up in",
      miss,
      "br-tun table 3: priority 1 (dump:11) tun_id=0x3e9 expected, frame has tun_id=0x64",
    ],
    [
      "a table it never reached",
      { ...miss, notVisited: true as const },
      "br-tun table 3, not visited: priority 1 (dump:11) tun_id=0x3e9 expected, frame has tun_id=0x64",
    ],
  ])("%s", (_name, n, text) => {
    expect(formatNearMiss(n)).toBe(text);
  });
});

describe.runIf(existsSync(join(LAB, "neutron-lab")))("tunnelIdsOf: the ids a br-tun table maps", () => {
  it.each([
    ["neutron-lab", 3, ["0x3e9"]],
    ["neutron-lab", 4, ["0x64"]],
    ["neutron-lab-broken", 4, []],
    ["neutron-lab", 22, []],
  ])("%s compute2 table %i", async (lab, table, ids) => {
    const [host] = switchesOf(await loadHosts(join(LAB, lab, "compute2")));
    const brTun = host.bridges.get("br-tun");
    if (!brTun) throw new Error("no br-tun");
    expect(tunnelIdsOf(brTun, table)).toEqual(ids);
  });
});
