/**
 * Near misses on the recorded lab: the packets are the recorded traces' (their flow at the ACL stage,
 * as ovspath traces them over the chassis' dumps), the ACLs the lab's northbound database.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadHosts } from "../../src/dumps/host/load.js";
import { CookieIndex } from "../../src/ovn/cookies.js";
import { ovnDatabases } from "../../src/ovn/db.js";
import { explainOvnDrop } from "../../src/ovn/explain.js";
import { buildOvnModel } from "../../src/ovn/model.js";
import { parseTraceFlow, type SimHost, switchesOf, trace } from "../../src/pipeline/index.js";
import { readRecordedTrace } from "../support/ovs-trace.js";
import { REPO_ROOT } from "../support/shared.js";

const LAB = join(REPO_ROOT, "fixtures/ovn-lab");
let switches: SimHost[];
let index: CookieIndex;
beforeAll(async () => {
  const hosts = await loadHosts(LAB);
  switches = switchesOf(hosts);
  index = new CookieIndex(buildOvnModel(ovnDatabases(hosts)));
});

function dropOf(file: string, host: string) {
  const rec = readRecordedTrace(readFileSync(join(LAB, "traces", file), "utf8"));
  const sw = switches.find((s) => s.name === host) as SimHost;
  const br = sw.bridges.get(rec.bridge);
  const f = parseTraceFlow(rec.flow, (n) => br?.byName.get(n)?.ofport);
  if (!f.ok) throw new Error(f.message);
  return explainOvnDrop(
    trace({ host: sw, bridge: rec.bridge, flow: f.flow, withPacket: false, ctNext: [] }),
    index,
  );
}

describe("ACL near misses", () => {
  it.each([
    [
      "017-hv3.txt",
      "hv3",
      ["tcp.dst == 22, frame has 80", "ip4.src == $pg_web_ip4, frame has 10.0.2.14", "icmp4, frame is tcp"],
    ],
    ["014-hv1.txt", "hv1", ["(tcp || icmp4), frame is udp"]],
    // vm4 accepts nothing: no allow ACL applies to it in that direction.
    ["018-hv1.txt", "hv1", []],
  ])("%s on %s", (file, host, want) => {
    const d = dropOf(file, host);
    expect((d?.nearMisses ?? []).flatMap((m) => m.failed).sort()).toEqual([...want].sort());
  });
  it("the best near miss comes first and names its ACL", () => {
    const m = dropOf("017-hv3.txt", "hv3")?.nearMisses?.find((x) => x.failed[0].startsWith("tcp.dst"));
    expect(m?.acl).toMatchObject({
      direction: "to-lport",
      priority: 1002,
      action: "allow-related",
      match: "outport == @pg_web && ip4 && ip4.src == $as_admin && tcp && tcp.dst == 22",
    });
  });
});
