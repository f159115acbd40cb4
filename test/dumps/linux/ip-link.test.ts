/**
 * ip link in every layout ip prints (-d, -s -d, -s -s -d, plain, -o), the damaged lines that must be
 * reported where they are, and every `ip -s -d link` of the lab read without a diagnostic.
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parseIpLink } from "../../../src/dumps/linux/ip-link.js";
import { type DamagedLine, expectAt } from "../../support/damaged.js";
import { labRoot, networkingFiles } from "../../support/lab.js";

const labFiles = networkingFiles;

const LO = [
  "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000",
  "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
].join("\n");

const DETAIL_STATS = `1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00 promiscuity 0  allmulti 0 minmtu 0 maxmtu 0 addrgenmode eui64 numtxqueues 1 numrxqueues 1
    RX:  bytes packets errors dropped  missed   mcast           
          1234      12      0       0       0       0 
    TX:  bytes packets errors dropped carrier collsns           
          1234      12      0       0       0       0 
4: qvb1a2b@qvo1a2b: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue master qbr1a2b state UP mode DEFAULT group default qlen 1000
    link/ether ae:f9:70:1a:ee:3f brd ff:ff:ff:ff:ff:ff promiscuity 1  allmulti 1 minmtu 68 maxmtu 65535 
    veth 
    bridge_slave state forwarding priority 32 cost 2 hairpin off guard off hold_timer    0.00 forward_delay_timer   14.84 addrgenmode eui64 numtxqueues 2
    RX:  bytes packets errors dropped  missed   mcast           
            90       1      0       0       0       0 
    TX:  bytes packets errors dropped carrier collsns           
           254       3      0       0       0       0 
5: tap1a2b: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1450 qdisc pfifo_fast master qbr1a2b state DOWN mode DEFAULT group default qlen 1000
    link/ether fe:16:3e:11:a1:01 brd ff:ff:ff:ff:ff:ff promiscuity 1  allmulti 1 minmtu 68 maxmtu 65521 
    tun type tap pi off vnet_hdr off persist on 
    bridge_slave state disabled priority 32 cost 2
    RX:  bytes packets errors dropped  missed   mcast           
             0       0      0       0       0       0 
    TX:  bytes packets errors dropped carrier collsns           
             0       0      0       0       0       0 
`;

/** -s -s in the older iproute2 layout (values under the headers, error sub-tables). */
const SS_OLD = `2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP mode DEFAULT group default qlen 1000
    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff
    altname enp0s3
    altname ens3
    RX: bytes  packets  errors  dropped overrun mcast   
    98765      432      1       2       0       7      
    RX errors: length   crc     frame   fifo    missed
               0        0       0       0       3      
    TX: bytes  packets  errors  dropped carrier collsns 
    5555       44       0       0       0       0      
    TX errors: aborted  fifo   window heartbeat transns
               0        0       0       0       2      
`;

const VARIOUS = `6: br-int: <BROADCAST,MULTICAST> mtu 1450 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/ether 9e:3c:c2:2b:41:4f brd ff:ff:ff:ff:ff:ff promiscuity 1 minmtu 68 maxmtu 65535 
    openvswitch addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 
7: qvo1a2b@qvb1a2b: <BROADCAST,MULTICAST,PROMISC,UP,LOWER_UP> mtu 1450 qdisc noqueue master ovs-system state UP mode DEFAULT group default qlen 1000
    link/ether 66:88:29:ac:04:9f brd ff:ff:ff:ff:ff:ff promiscuity 2 minmtu 68 maxmtu 65535 
    veth 
    openvswitch_slave addrgenmode eui64 numtxqueues 2 numrxqueues 2 
8: vxlan-0a000016: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 65000 qdisc noqueue master ovs-system state UNKNOWN mode DEFAULT group default qlen 1000
    link/ether 2e:9f:11:22:33:44 brd ff:ff:ff:ff:ff:ff promiscuity 1 minmtu 68 maxmtu 65535 
    vxlan id 42 remote 10.0.0.22 local 10.0.0.21 srcport 0 0 dstport 4789 nolearning ttl auto ageing 300 udpcsum noudp6zerocsumtx noudp6zerocsumrx external 
    openvswitch_slave addrgenmode eui64 numtxqueues 1 numrxqueues 1 
9: ns-1a2b@if12: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UP mode DEFAULT group default qlen 1000
    link/ether fa:16:3e:00:00:01 brd ff:ff:ff:ff:ff:ff link-netnsid 3 promiscuity 0 minmtu 68 maxmtu 65535 
    veth 
    vf 0     link/ether 00:00:00:00:00:00 brd ff:ff:ff:ff:ff:ff, spoof checking on, link-state auto
10: tunl0@NONE: <NOARP> mtu 1480 qdisc noop state DOWN mode DEFAULT group default qlen 1000
    link/ipip 0.0.0.0 brd 0.0.0.0
11: tun0: <POINTOPOINT,MULTICAST,NOARP,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UNKNOWN mode DEFAULT group default qlen 500
    link/none  promiscuity 0 minmtu 68 maxmtu 65535 
    tun type tun pi off vnet_hdr off persist off 
`;

const ONE_LINE = [
  "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
  "2: eth1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP mode DEFAULT group default qlen 1000\\    link/ether 52:54:00:ab:cd:ef brd ff:ff:ff:ff:ff:ff\\    RX: bytes  packets  errors  dropped overrun mcast   \\    1000       10       0       0       0       0       \\    TX: bytes  packets  errors  dropped carrier collsns \\    2000       20       0       0       0       0",
  "3: tap9: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc pfifo_fast master qbr9 state UP mode DEFAULT group default qlen 1000\\    link/ether fe:16:3e:00:00:09 brd ff:ff:ff:ff:ff:ff promiscuity 1 minmtu 68 maxmtu 65521 \\    tun type tap pi off vnet_hdr on persist off ",
].join("\n");

describe("ip link layouts", () => {
  it("plain ip link: header attributes and link layer", () => {
    const { value, diagnostics } = parseIpLink(LO, "f");
    expect(diagnostics).toEqual([]);
    expect(value).toHaveLength(1);
    expect(value[0]).toMatchObject({
      index: 1,
      name: "lo",
      flags: ["LOOPBACK", "UP", "LOWER_UP"],
      mtu: 65536,
      qdisc: "noqueue",
      state: "UNKNOWN",
      mode: "DEFAULT",
      group: "default",
      qlen: 1000,
      linkType: "loopback",
      mac: "00:00:00:00:00:00",
      brd: "00:00:00:00:00:00",
      line: 1,
    });
    expect(value[0].kind).toBeUndefined();
    expect(value[0].stats).toEqual({});
  });

  it("ip -s -d link: kinds, slave details, a tap, statistics", () => {
    const { value, diagnostics } = parseIpLink(DETAIL_STATS, "f");
    expect(diagnostics).toEqual([]);
    expect(value.map((l) => l.name)).toEqual(["lo", "qvb1a2b", "tap1a2b"]);
    const [lo, qvb, tap] = value;
    expect(lo).toMatchObject({ promiscuity: 0, allmulti: 0, minmtu: 0, maxmtu: 0 });
    expect(lo.params.numtxqueues).toBe("1");
    expect(lo.stats.RX).toEqual({
      bytes: 1234n,
      packets: 12n,
      errors: 0n,
      dropped: 0n,
      missed: 0n,
      mcast: 0n,
    });
    expect(qvb).toMatchObject({
      peer: "qvo1a2b",
      master: "qbr1a2b",
      kind: "veth",
      slaveKind: "bridge_slave",
    });
    expect(qvb.slaveInfo?.params).toMatchObject({ state: "forwarding", cost: "2", hold_timer: "0.00" });
    expect(qvb.stats.TX.bytes).toBe(254n);
    expect(qvb.extra).toEqual([]);
    expect(tap).toMatchObject({ kind: "tun", tunType: "tap", state: "DOWN", maxmtu: 65521 });
    expect(tap.kindInfo).toEqual({
      kind: "tun",
      text: "tun type tap pi off vnet_hdr off persist on",
      params: { type: "tap", pi: "off", vnet_hdr: "off", persist: "on" },
    });
    expect(tap.details).toHaveLength(2);
  });

  it("ip -s -s link in the older layout: error sub-tables and altnames", () => {
    const { value, diagnostics } = parseIpLink(SS_OLD, "f");
    expect(diagnostics).toEqual([]);
    expect(value[0].altnames).toEqual(["enp0s3", "ens3"]);
    expect(value[0].stats).toEqual({
      RX: { bytes: 98765n, packets: 432n, errors: 1n, dropped: 2n, overrun: 0n, mcast: 7n },
      "RX errors": { length: 0n, crc: 0n, frame: 0n, fifo: 0n, missed: 3n },
      TX: { bytes: 5555n, packets: 44n, errors: 0n, dropped: 0n, carrier: 0n, collsns: 0n },
      "TX errors": { aborted: 0n, fifo: 0n, window: 0n, heartbeat: 0n, transns: 2n },
    });
  });

  it("openvswitch, vxlan, @ifN with link-netnsid, @NONE, tun, and an unknown detail line", () => {
    const { value, diagnostics } = parseIpLink(VARIOUS, "f");
    expect(diagnostics).toEqual([]);
    const by = new Map(value.map((l) => [l.name, l]));
    expect(by.get("br-int")).toMatchObject({ kind: "openvswitch", state: "DOWN" });
    expect(by.get("qvo1a2b")).toMatchObject({
      kind: "veth",
      slaveKind: "openvswitch_slave",
      master: "ovs-system",
    });
    expect(by.get("vxlan-0a000016")?.kindInfo?.params).toMatchObject({
      id: "42",
      remote: "10.0.0.22",
      local: "10.0.0.21",
      srcport: "0 0",
      dstport: "4789",
      nolearning: "",
      udpcsum: "",
      external: "",
    });
    const ns = by.get("ns-1a2b")!;
    expect(ns).toMatchObject({ peer: "if12", peerIfindex: 12, linkNetnsid: 3, peerNetns: "3", kind: "veth" });
    expect(ns.extra).toEqual([
      "vf 0     link/ether 00:00:00:00:00:00 brd ff:ff:ff:ff:ff:ff, spoof checking on, link-state auto",
    ]);
    expect(by.get("tunl0")).toMatchObject({ peer: "NONE", linkType: "ipip", mac: "0.0.0.0" });
    expect(by.get("tunl0")?.peerIfindex).toBeUndefined();
    expect(by.get("tun0")).toMatchObject({ linkType: "none", kind: "tun", tunType: "tun", promiscuity: 0 });
    expect(by.get("tun0")?.mac).toBeUndefined();
  });

  it("ip -o link: the `\\` segments are the block's lines", () => {
    const { value, diagnostics } = parseIpLink(ONE_LINE, "f");
    expect(diagnostics).toEqual([]);
    expect(value.map((l) => [l.index, l.name, l.linkType, l.line])).toEqual([
      [1, "lo", "loopback", 1],
      [2, "eth1", "ether", 2],
      [3, "tap9", "ether", 3],
    ]);
    expect(value[1].stats.RX.bytes).toBe(1000n);
    expect(value[1].stats.TX.packets).toBe(20n);
    expect(value[2]).toMatchObject({ tunType: "tap", master: "qbr9" });
  });
});

interface Damaged extends DamagedLine {
  links: number;
}

const O_HEAD = "2: eth1: <UP> mtu 1500 qdisc noqueue state UP";
const DAMAGED: Damaged[] = [
  {
    name: "garbage at top level",
    text: `${LO}\nhello world\n`,
    line: 3,
    column: 1,
    message: /ip link/,
    links: 1,
  },
  {
    name: "an indented line before any link",
    text: `   veth\n${LO}\n`,
    line: 1,
    column: 4,
    message: /ip link/,
    links: 1,
  },
  {
    name: "mtu not a number",
    text: "3: eth2: <UP> mtu 15x0 qdisc noqueue state UP\n    link/ether 52:54:00:ab:cd:ef brd ff:ff:ff:ff:ff:ff\n",
    line: 1,
    column: 19,
    message: /mtu is not a number/,
    links: 1,
  },
  {
    name: "a statistic cut short",
    text: `${LO}\n    RX: bytes  packets  errors  dropped overrun mcast\n    1000       1x       0       0       0       0\n`,
    line: 4,
    column: 16,
    message: /RX statistic is not a number: 1x/,
    links: 1,
  },
  {
    name: "a statistics header without its values",
    text: `${LO}\n    RX: bytes  packets  errors  dropped overrun mcast\n    altname foo\n`,
    line: 3,
    column: 5,
    message: /RX statistics header without values/,
    links: 1,
  },
  {
    name: "-o: a bad number in the third segment points into the original line",
    text: `${O_HEAD}\\    link/ether 52:54:00:ab:cd:ef brd ff:ff:ff:ff:ff:ff promiscuity x1\n`,
    line: 1,
    column: `${O_HEAD}\\    link/ether 52:54:00:ab:cd:ef brd ff:ff:ff:ff:ff:ff promiscuity `.length + 1,
    message: /promiscuity is not a number/,
    links: 1,
  },
  {
    name: "-o: a header-less segment of garbage at top level",
    text: `${LO}\nnot a link\\    link/ether 52:54:00:ab:cd:ef\n`,
    line: 3,
    column: 1,
    message: /ip link/,
    links: 1,
  },
];

describe("damaged ip link lines are reported at their line and column", () => {
  for (const c of DAMAGED)
    it(c.name, () => {
      const { value, diagnostics } = parseIpLink(c.text, "dump");
      expect(diagnostics.length).toBeGreaterThan(0);
      expectAt(diagnostics[0], "dump", c);
      expect(value).toHaveLength(c.links);
    });
});

describe("every ip -s -d link of the lab", () => {
  const files = labFiles("ip_-s_-d_link");
  it("finds the lab files", () => expect(files.length).toBeGreaterThan(0));
  for (const f of files)
    it(relative(labRoot(), f), () => {
      const text = readFileSync(f, "utf8");
      const { value, diagnostics } = parseIpLink(text, f);
      expect(diagnostics).toEqual([]);
      expect(value.length).toBe(text.split("\n").filter((l) => /^\d+: /.test(l)).length);
      const names = new Set(value.map((l) => l.name));
      for (const l of value) {
        expect(l.mtu).toBeGreaterThanOrEqual(1280);
        expect(l.stats.RX?.bytes).toBeTypeOf("bigint");
        expect(l.stats.TX?.packets).toBeTypeOf("bigint");
        expect(l.extra).toEqual([]);
        if (l.name !== "lo") expect(l.mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
        if (l.name.startsWith("qvb")) {
          expect(l.peer).toBe(`qvo${l.name.slice(3)}`);
          expect(names.has(l.peer!)).toBe(true);
          expect(l).toMatchObject({ kind: "veth", slaveKind: "bridge_slave" });
        }
        if (l.name.startsWith("qbr")) expect(l.kind).toBe("bridge");
        if (l.name.startsWith("tap")) expect(l.tunType).toBe("tap");
        if (l.master) expect(names.has(l.master)).toBe(true);
      }
    });
});
