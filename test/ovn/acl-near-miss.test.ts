/**
 * Near misses on the recorded lab: the packets are the recorded traces' (their flow at the ACL stage,
 * as ovspath traces them over the chassis' dumps), the ACLs the lab's northbound database.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { explainOvnDrop } from "../../src/ovn/explain.js";
import { type OvnLab, ovnLab, traceRecorded } from "../support/ovn-lab.js";

let lab: OvnLab;
beforeAll(async () => {
  lab = await ovnLab();
});

const dropOf = (file: string, host: string) => explainOvnDrop(traceRecorded(lab, file, host), lab.index);

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
