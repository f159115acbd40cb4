import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ovspath } from "../support/cli.js";
import { icmpPacket } from "../support/icmp-packet.js";
import { LAB } from "../support/lab.js";

const BROKEN = join(LAB, "neutron-lab-broken");
/** VXLAN 100 from compute1 (10.0.0.11) to compute2 (10.0.0.12), taken on the underlay. */
const UNDERLAY = join("fixtures", "replay", "broken-vni100-underlay.pcap");

describe.runIf(existsSync(BROKEN))("trace --frame of a tunnel frame addressed to a loaded host", () => {
  const compute2 = join(BROKEN, "compute2");

  it("traces the inner frame from the tunnel port with tun_id/tun_src/tun_dst, as replay does", () => {
    const r = ovspath("trace", compute2, "br-tun", "in_port=1", "--frame", `${UNDERLAY}#1`);
    expect(r.status).toBe(1);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe(
      "Decapsulated: vxlan 100 from 10.0.0.11 to 10.0.0.12, entering compute2 br-tun at vxlan-0a00000b (--outer traces the outer packet)",
    );
    expect(lines[1]).toMatch(
      /^Flow: arp,tun_id=0x64,tun_src=10\.0\.0\.11,tun_dst=10\.0\.0\.12,.*,in_port=2,.*arp_spa=192\.168\.10\.5/,
    );
    // The same place replay names: compute2's br-tun table 4 drops VNI 100.
    expect(r.stdout).toMatch(/\n 4\. priority 0, cookie 0x[0-9a-f]+\n {4}drop\n/);
    const replay = JSON.parse(ovspath("replay", UNDERLAY, compute2, "--frames", "1", "--json").stdout);
    expect(replay.frames[0].drop).toMatchObject({ host: "compute2", bridge: "br-tun", table: 4 });
  });

  it("--json says what was decapsulated", () => {
    const r = ovspath("trace", compute2, "br-tun", "in_port=1", "--frame", `${UNDERLAY}#1`, "--json");
    expect(JSON.parse(r.stdout).decapsulated).toEqual({
      host: "compute2",
      bridge: "br-tun",
      port: "vxlan-0a00000b",
      tunnel: { kind: "vxlan", id: 100, src: "10.0.0.11", dst: "10.0.0.12" },
    });
  });

  it("--outer traces the outer packet as it is", () => {
    const r = ovspath("trace", compute2, "br-tun", "in_port=1", "--frame", `${UNDERLAY}#1`, "--outer");
    expect(r.stdout).not.toContain("Decapsulated");
    expect(r.stdout).toMatch(
      /^Flow: udp,in_port=1,.*nw_src=10\.0\.0\.11,nw_dst=10\.0\.0\.12,.*tp_dst=4789\n/,
    );
    expect(
      JSON.parse(
        ovspath("trace", compute2, "br-tun", "in_port=1", "--frame", `${UNDERLAY}#1`, "--outer", "--json")
          .stdout,
      ).decapsulated,
    ).toBeUndefined();
  });

  it("a tunnel frame for a host not loaded is traced as it is", () => {
    const r = ovspath("trace", join(BROKEN, "compute1"), "br-tun", "in_port=1", "--frame", `${UNDERLAY}#1`);
    expect(r.stdout).toMatch(/^Flow: udp,in_port=1,/);
  });
});

describe.runIf(existsSync(BROKEN))("trace: the flood order note", () => {
  const compute1 = join(BROKEN, "compute1");
  const arp =
    "in_port=qvo1a2b3c4d-5e,dl_src=fa:16:3e:0a:00:01,dl_dst=ff:ff:ff:ff:ff:ff,arp,arp_spa=192.168.10.5";

  it("a flood with several outputs ends with the note (text and JSON)", () => {
    const r = ovspath("trace", compute1, "br-int", arp);
    expect(r.stdout).toMatch(
      /\nDatapath actions: .*,.*\n\nNote: the flood's outputs follow the OVSDB's port order; .*\n$/,
    );
    const json = JSON.parse(ovspath("trace", compute1, "br-int", arp, "--json").stdout);
    expect(json.notes).toEqual([expect.stringMatching(/^Note: the flood's outputs/)]);
  });

  it("a dropped packet has none", () => {
    const r = ovspath("trace", join(BROKEN, "compute2"), "br-tun", "in_port=1", "--frame", `${UNDERLAY}#1`);
    expect(r.stdout).not.toContain("Note:");
  });
});

describe("trace: a packet's length decides check_pkt_larger where the datapath cannot", () => {
  // Recorded from real OVS with the datapath's check_pkt_len turned off (fixtures/ovs-live/README.md).
  const host = join("fixtures", "ovs-live", "check-pkt-len-unsupported");
  const hex = (size: number) => Buffer.from(icmpPacket(size)).toString("hex");

  it.each([
    [100, "3,set(eth(dst=82:82:82:82:82:82)),4"],
    [300, "2,set(eth(dst=82:82:82:82:82:82)),4"],
  ])("a %i-byte packet: its branch, slow-pathed (text and JSON)", (size, actions) => {
    const r = ovspath("trace", host, "br0", "in_port=1", hex(size));
    expect(r.stdout).toContain(
      `Datapath actions: ${actions}\nThis flow is handled by the userspace slow path because it:\n  - Uses action(s) not supported by datapath.\n`,
    );
    const json = JSON.parse(ovspath("trace", host, "br0", "in_port=1", hex(size), "--json").stdout);
    expect(json.passes[0]).toMatchObject({
      datapathActions: actions,
      slowPath: ["Uses action(s) not supported by datapath."],
    });
  });
});
