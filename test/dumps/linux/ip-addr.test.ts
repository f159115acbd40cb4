/**
 * ip address: link blocks with inet/inet6 and lifetime lines (-d), the one-line form (-o) merged by
 * ifindex, damaged addresses, and every `ip -d address` / `ip -o addr` of the lab.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parseIpAddr } from "../../../src/dumps/linux/ip-addr.js";
import { type DamagedLine, expectAt } from "../../support/damaged.js";
import { labRoot, networkingFiles } from "../../support/lab.js";

const labFiles = networkingFiles;

const DETAIL = `1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00 promiscuity 0  allmulti 0 minmtu 0 maxmtu 0 numtxqueues 1
    inet 127.0.0.1/8 scope host lo
       valid_lft forever preferred_lft forever
    inet6 ::1/128 scope host 
       valid_lft forever preferred_lft forever
2: eth1: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc pfifo_fast state DOWN group default qlen 1000
    link/ether c6:dc:43:66:e3:be brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65521 
    tun type tap pi off vnet_hdr off persist on numtxqueues 1 numrxqueues 1 
    altname enp1s0
    inet 10.0.0.11/24 brd 10.0.0.255 scope global dynamic noprefixroute eth1
       valid_lft 86000sec preferred_lft 86000sec
    inet 10.0.0.99/24 scope global secondary eth1:0
       valid_lft forever preferred_lft forever
    inet6 fe80::c4dc:43ff:fe66:e3be/64 scope link tentative 
       valid_lft forever preferred_lft forever
5: qvb1a2b@qvo1a2b: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue master qbr1a2b state UP group default qlen 1000
    link/ether 5e:b9:b5:93:a7:e6 brd ff:ff:ff:ff:ff:ff promiscuity 1  allmulti 1 minmtu 68 maxmtu 65535 
    veth 
    bridge_slave state forwarding priority 32 cost 2 hairpin off
9: tun0: <POINTOPOINT,UP> mtu 1400 qdisc fq_codel state UNKNOWN group default qlen 500
    link/none 
    inet 10.8.0.1 peer 10.8.0.2/32 scope global tun0
       valid_lft forever preferred_lft forever
`;

const ONE_LINE = [
  "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever",
  "1: lo    inet6 ::1/128 scope host \\       valid_lft forever preferred_lft forever",
  "2: eth1    inet 10.0.0.11/24 brd 10.0.0.255 scope global eth1\\       valid_lft forever preferred_lft forever",
  "4: qvb1a2b    inet6 fe80::acf9:70ff:fe1a:ee3f/64 scope link tentative \\       valid_lft forever preferred_lft forever",
].join("\n");

describe("ip address layouts", () => {
  it("ip -d address: the link block and its addresses", () => {
    const { value, diagnostics } = parseIpAddr(DETAIL, "f");
    expect(diagnostics).toEqual([]);
    expect(value.map((l) => l.name)).toEqual(["lo", "eth1", "qvb1a2b", "tun0"]);
    const [lo, eth1, qvb, tun0] = value;
    expect(lo.addresses).toEqual([
      {
        family: "inet",
        cidr: "127.0.0.1/8",
        scope: "host",
        label: "lo",
        flags: [],
        validLft: "forever",
        preferredLft: "forever",
        rest: "scope host lo",
        line: 3,
      },
      {
        family: "inet6",
        cidr: "::1/128",
        scope: "host",
        flags: [],
        validLft: "forever",
        preferredLft: "forever",
        rest: "scope host",
        line: 5,
      },
    ]);
    expect(eth1).toMatchObject({ kind: "tun", tunType: "tap", altnames: ["enp1s0"], mtu: 1500 });
    expect(eth1.addresses.map((a) => [a.cidr, a.brd, a.label, a.flags, a.validLft])).toEqual([
      ["10.0.0.11/24", "10.0.0.255", "eth1", ["dynamic", "noprefixroute"], "86000sec"],
      ["10.0.0.99/24", undefined, "eth1:0", ["secondary"], "forever"],
      ["fe80::c4dc:43ff:fe66:e3be/64", undefined, undefined, ["tentative"], "forever"],
    ]);
    expect(qvb).toMatchObject({ peer: "qvo1a2b", slaveKind: "bridge_slave", addresses: [] });
    expect(tun0.addresses[0]).toMatchObject({ cidr: "10.8.0.1", peer: "10.8.0.2/32", label: "tun0" });
  });

  it("ip -o addr: one line per address, merged by ifindex", () => {
    const { value, diagnostics } = parseIpAddr(ONE_LINE, "f");
    expect(diagnostics).toEqual([]);
    expect(value.map((l) => [l.index, l.name, l.addresses.map((a) => a.cidr)])).toEqual([
      [1, "lo", ["127.0.0.1/8", "::1/128"]],
      [2, "eth1", ["10.0.0.11/24"]],
      [4, "qvb1a2b", ["fe80::acf9:70ff:fe1a:ee3f/64"]],
    ]);
    expect(value[1].addresses[0]).toMatchObject({
      brd: "10.0.0.255",
      scope: "global",
      validLft: "forever",
      line: 3,
    });
    expect(value[2].addresses[0].flags).toEqual(["tentative"]);
  });
});

interface Damaged extends DamagedLine {}

const LO = "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000";
const DAMAGED: Damaged[] = [
  {
    name: "an inet line whose address is damaged",
    text: `${LO}\n    inet 127.0.0.x/8 scope host lo\n`,
    line: 2,
    column: 10,
    message: /not an address/,
  },
  {
    name: "an inet line whose address has an octet above 255",
    text: `${LO}\n    inet 10.0.0.300/24 scope global eth1\n`,
    line: 2,
    column: 10,
    message: /not an address: 10\.0\.0\.300\/24/,
  },
  {
    name: "an inet6 line whose prefix is longer than 128",
    text: `${LO}\n    inet6 fe80::1/129 scope link\n`,
    line: 2,
    column: 11,
    message: /not an address: fe80::1\/129/,
  },
  {
    name: "lifetimes with no address before them",
    text: `${LO}\n       valid_lft forever preferred_lft forever\n`,
    line: 2,
    column: 8,
    message: /lifetimes without an address/,
  },
  {
    name: "-o: a damaged address points into the line",
    text: "1: lo    inet 127.0.0.1/8 scope host lo\n2: eth1    inet zz/24 scope global eth1\n",
    line: 2,
    column: 17,
    message: /not an address: zz/,
  },
  {
    name: "-o: an unknown tail",
    text: "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n2: eth1    inet 10.0.0.1/24 scope global eth1\\       garbage\n",
    line: 2,
    column: 1,
    message: /ip -o address/,
  },
  {
    name: "garbage between blocks",
    text: `${LO}\n    inet 127.0.0.1/8 scope host lo\n??\n`,
    line: 3,
    column: 1,
    message: /ip address output/,
  },
];

describe("damaged ip address lines are reported at their line and column", () => {
  for (const c of DAMAGED)
    it(c.name, () => {
      const { value, diagnostics } = parseIpAddr(c.text, "dump");
      expect(diagnostics).toHaveLength(1);
      expectAt(diagnostics[0], "dump", c);
      expect(value.length).toBeGreaterThan(0);
    });
});

describe("every ip -d address and ip -o addr of the lab", () => {
  const detailed = labFiles("ip_-d_address");
  it("finds the lab files", () => expect(detailed.length).toBeGreaterThan(0));
  for (const f of detailed)
    it(relative(labRoot(), f), () => {
      const text = readFileSync(f, "utf8");
      const { value, diagnostics } = parseIpAddr(text, f);
      expect(diagnostics).toEqual([]);
      expect(value.length).toBe(text.split("\n").filter((l) => /^\d+: /.test(l)).length);
      const inetLines = text.split("\n").filter((l) => /^\s+inet6? /.test(l)).length;
      expect(value.flatMap((l) => l.addresses)).toHaveLength(inetLines);
      for (const l of value) {
        expect(l.mtu).toBeGreaterThanOrEqual(1280);
        for (const a of l.addresses) {
          expect(a.validLft).toBe("forever");
          expect(a.scope).toMatch(/^(host|link|global)$/);
          if (a.family === "inet") expect(a.label).toBe(l.name);
        }
      }
      // The -o form of the same host lists the same addresses on the same ifindex.
      const oneLine = join(dirname(f), "ip_-o_addr");
      if (!existsSync(oneLine)) return;
      const o = parseIpAddr(readFileSync(oneLine, "utf8"), oneLine);
      expect(o.diagnostics).toEqual([]);
      const key = (ls: typeof value) =>
        ls.flatMap((l) => l.addresses.map((a) => `${l.index} ${l.name} ${a.cidr}`)).sort();
      expect(key(o.value)).toEqual(key(value));
    });
});
