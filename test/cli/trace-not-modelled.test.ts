import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, SHARED } from "../support/shared.js";

/** Runs the built CLI (npm test builds it first) as a user would. */
function ovspath(...args: string[]) {
  const res = spawnSync(process.execPath, [join(REPO_ROOT, "bin", "ovspath.js"), ...args], {
    encoding: "utf8",
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

const PACKET_HOST = join(REPO_ROOT, "fixtures", "ovs-live", "packet-metadata");
const UDP = "525400000002525400000001080045000" + "01c00010000401100000a0000010a0000021234003500080000";
const MIRRORS = join(SHARED, "ovs-lab", "ovs-testsuite", "ofproto-dpif--mirroring-select-all-with-snaplen");
const RSTP = join(SHARED, "ovs-lab", "ovs-testsuite", "rstp--dummy-interface");

describe("ovspath trace: packets, and what it does not model", () => {
  it("with a packet, registers in FLOW are not the packet's (OVS drops it; exit 1)", () => {
    const r = ovspath("trace", PACKET_HOST, "br0", "in_port=1,reg0=1", UDP);
    expect(r.stdout).toMatch(/^Datapath actions: drop$/m);
    expect(r.status).toBe(1);
  });

  it("with a packet, a packet-in is dont_send=0 (exit 0)", () => {
    const r = ovspath("trace", PACKET_HOST, "br0", "in_port=2", UDP);
    expect(r.stdout).toMatch(/controller\(reason=1,dont_send=0,/);
    expect(r.status).toBe(0);
  });

  it("refuses a flow of a feature it does not model by name, exit 1", () => {
    const r = ovspath("trace", PACKET_HOST, "br0", "in_port=1,dl_type=0x894f,nsh_spi=0x10");
    expect(r.stderr).toMatch(/not modelled by ovspath: NSH \(column 11\)/);
    expect(r.status).toBe(1);
  });

  it.skipIf(!existsSync(RSTP))(
    "names RSTP port states on a bridge running RSTP, exit 1, and in --json",
    () => {
      const flow =
        "icmp,in_port=7,dl_src=50:54:00:00:00:09,dl_dst=50:54:00:00:00:0a,nw_src=10.0.0.2,nw_dst=10.0.0.1";
      const r = ovspath("trace", RSTP, "br0", flow);
      expect(r.stdout).toMatch(/^Not modelled by ovspath: RSTP port states: OVS's answer may differ\.$/m);
      expect(r.status).toBe(1);
      const j = ovspath("trace", RSTP, "br0", flow, "--json");
      expect(JSON.parse(j.stdout).notModelled).toEqual(["RSTP port states"]);
    },
  );

  it.skipIf(!existsSync(MIRRORS))(
    "mirrors a select-all mirror's copy, cut to its snaplen, before the output",
    () => {
      const flow =
        "icmp,in_port=1,dl_src=50:54:00:00:00:05,dl_dst=50:54:00:00:00:07,nw_src=192.168.0.1,nw_dst=192.168.0.2";
      const r = ovspath("trace", MIRRORS, "br0", flow);
      expect(r.stdout).toMatch(/^Datapath actions: trunc\(100\),3,2$/m);
      expect(r.status).toBe(0);
    },
  );
});
