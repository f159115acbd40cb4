import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openCapture } from "../../src/capture/index.js";
import { decodeFrame } from "../../src/decode/index.js";
import { parseFlowDump } from "../../src/dumps/flows.js";
import { loadHosts } from "../../src/dumps/host/load.js";
import {
  FLOW_FIELDS,
  FRAME_FIELDS,
  flowFieldType,
  flowRecord,
  frameFieldType,
  frameRecord,
  isFlowField,
  isFrameField,
  isVerdictField,
} from "../../src/explain/filter-fields.js";
import { Replayer } from "../../src/explain/replay.js";
import type { FrameVerdict } from "../../src/explain/types.js";
import { compileDisplayFilter, type FilterRecord } from "../../src/model/display-filter.js";
import { switchesOf } from "../../src/pipeline/index.js";
import { resolveAt } from "../../src/pipeline/ingress.js";
import { HAVE_SHARED, REPO_ROOT, SHARED } from "../support/shared.js";

const DEMO_TX = join(REPO_ROOT, "fixtures/demo/compute1-eth1-tx.pcap");
const DEMO_RX = join(REPO_ROOT, "fixtures/demo/compute1-qvo8c2d4e6f-1a-rx.pcap");

/** Every frame of a capture as a filter record (no verdict). */
function records(path: string): Array<{ frame: number; record: FilterRecord }> {
  const opened = openCapture(path);
  if (!opened.ok) throw new Error(opened.error.message);
  const reader = opened.value;
  const out: Array<{ frame: number; record: FilterRecord }> = [];
  try {
    for (let rec = reader.next(); rec; rec = reader.next()) {
      const decoded = decodeFrame(rec.bytes.slice(rec.offset, rec.offset + rec.caplen), rec.linktype);
      const iface = reader.interfaces[rec.interfaceId]?.name;
      const info = {
        number: rec.frame,
        length: rec.len,
        captured: rec.caplen,
        ...(iface !== undefined ? { interface: iface } : {}),
      };
      out.push({ frame: rec.frame, record: frameRecord(info, decoded) });
    }
  } finally {
    reader.close();
  }
  return out;
}

function matching(recs: Array<{ frame: number; record: FilterRecord }>, expr: string): number[] {
  const c = compileDisplayFilter(expr, frameFieldType);
  if (!c.ok) throw new Error(`${expr}: column ${c.column}: ${c.message}`);
  return recs.filter((r) => c.filter.matches(r.record)).map((r) => r.frame);
}

describe("frameRecord: fields of real decoded frames (fixtures/demo/compute1-eth1-tx.pcap)", () => {
  const recs = records(DEMO_TX);
  const at = (n: number) => recs[n - 1].record;
  it.each<[number, string, unknown[] | undefined]>([
    // Frame 8: 10.0.0.11 → 10.0.0.12 GRE key 2020 | 192.168.200.11 → 192.168.200.21 TCP 51000 → 22 [SYN]
    [8, "frame.number", [8]],
    [8, "ip.src", ["10.0.0.11", "192.168.200.11"]],
    [8, "ip.dst", ["10.0.0.12", "192.168.200.21"]],
    // Per layer, source then destination, as `tshark -T fields -e ip.addr` lists them.
    [8, "ip.addr", ["10.0.0.11", "10.0.0.12", "192.168.200.11", "192.168.200.21"]],
    [8, "ip.proto", [47, 6]],
    [8, "gre.key", [2020]],
    [8, "gre.proto", [0x6558]],
    [8, "eth.type", [0x0800, 0x0800]],
    [8, "tcp.srcport", [51000]],
    [8, "tcp.port", [51000, 22]],
    [8, "tcp.flags", [0x002]],
    [8, "tcp.flags.syn", [true]],
    [8, "tcp.flags.ack", [false]],
    [8, "tunnel.depth", [1]],
    [8, "ip", [true, true]],
    [8, "gre", [true]],
    [8, "vxlan", undefined],
    [8, "udp.port", undefined],
    // Frame 1: ARP who has 10.0.0.12? tell 10.0.0.11
    [1, "arp", [true]],
    [1, "arp.opcode", [1]],
    [1, "arp.src.proto_ipv4", ["10.0.0.11"]],
    [1, "arp.dst.proto_ipv4", ["10.0.0.12"]],
    [1, "eth.type", [0x0806]],
    [1, "tunnel.depth", [0]],
    // Frame 6: 10.0.0.11 → 10.0.0.12 VXLAN 1010 | 192.168.100.11 → 192.168.100.21 ICMP echo request
    [6, "vxlan.vni", [1010]],
    [6, "udp.dstport", [4789]],
    [6, "icmp.type", [8]],
    [6, "icmp.code", [0]],
    [6, "eth", [true, true]],
    // Frame 19: VXLAN | fe80::f816:3eff:fe11:a101 → ff02::1 ICMPv6 neighbor advertisement
    [19, "ipv6.src", ["fe80::f816:3eff:fe11:a101"]],
    [19, "ipv6.nxt", [58]],
    [19, "ipv6.hlim", [255]],
    [19, "icmpv6.type", [136]],
    [19, "icmpv6.nd.na.target_address", ["fe80::f816:3eff:fe11:a101"]],
    // No verdict without a replay.
    [19, "drop", undefined],
    [19, "verdict", undefined],
  ])("frame %d: %s = %j", (frame, field, values) => {
    expect(at(frame).values(field)).toEqual(values);
  });

  it.each<[string, number[]]>([
    ["ip.src == 10.0.0.11 && vxlan.vni == 1010", [2, 4, 5, 6, 7, 10, 11, 16, 17, 18, 19, 20]],
    ["tcp.port == 22", [8, 9]],
    ["arp && !vxlan", [1, 3]],
    ["gre.key == 2020 && udp", [12, 13, 14, 15]],
    ["ip.dst == 10.0.0.21 && frame.number > 15", [16, 18, 20]],
  ])("%s → frames %j", (expr, frames) => {
    expect(matching(recs, expr)).toEqual(frames);
  });
});

describe("frameRecord: verdict fields, from a replay of the demo VM's capture through compute1", () => {
  const verdicts = new Map<number, FrameVerdict>();
  const recs: Array<{ frame: number; record: FilterRecord }> = [];
  beforeAll(async () => {
    const switches = switchesOf(await loadHosts(join(REPO_ROOT, "fixtures/demo/hosts")));
    const at = resolveAt(switches, "compute1:qvo8c2d4e6f-1a");
    if (typeof at === "string") throw new Error(at);
    const replayer = new Replayer(switches, { at });
    const opened = openCapture(DEMO_RX);
    if (!opened.ok) throw new Error(opened.error.message);
    const reader = opened.value;
    for (let rec = reader.next(); rec; rec = reader.next()) {
      const data = rec.bytes.slice(rec.offset, rec.offset + rec.caplen);
      const v = replayer.replayFrame(rec.frame, data, { linkType: rec.linktype, wireLength: rec.len });
      verdicts.set(rec.frame, v);
      const info = { number: rec.frame, length: rec.len, captured: rec.caplen };
      recs.push({ frame: rec.frame, record: frameRecord(info, decodeFrame(data, rec.linktype), v) });
    }
    reader.close();
  });

  it("verdict, drop words, reason, host, bridge, table and port agree with the verdicts", () => {
    const dropped = [...verdicts.values()].filter((v) => v.verdict === "dropped").map((v) => v.frame);
    expect(dropped.length).toBeGreaterThan(0);
    expect(matching(recs, "drop")).toEqual(dropped);
    expect(matching(recs, "dropped")).toEqual(dropped);
    expect(matching(recs, 'verdict == "dropped"')).toEqual(dropped);
    expect(matching(recs, "!drop")).toEqual(recs.map((r) => r.frame).filter((f) => !dropped.includes(f)));
    const delivered = [...verdicts.values()].filter((v) => v.verdict === "delivered").map((v) => v.frame);
    expect(matching(recs, "delivered")).toEqual(delivered);
    for (const f of dropped) {
      const v = verdicts.get(f);
      const r = recs[f - 1].record;
      expect(r.values("reason")).toEqual([v?.drop?.reason]);
      expect(r.values("drop.bridge")).toEqual([v?.drop?.bridge]);
      expect(r.values("host")).toContain("compute1");
      if (v?.drop?.table !== undefined) expect(r.values("table")).toContain(v.drop.table);
    }
    expect(matching(recs, 'port == "qvo8c2d4e6f-1a"')).toEqual(recs.map((r) => r.frame));
    expect(matching(recs, "cached")).toEqual(
      [...verdicts.values()].filter((v) => v.cached).map((v) => v.frame),
    );
    for (const reason of new Set([...verdicts.values()].flatMap((v) => (v.drop ? [v.drop.reason] : []))))
      expect(matching(recs, `reason == "${reason}"`)).toEqual(
        [...verdicts.values()].filter((v) => v.drop?.reason === reason).map((v) => v.frame),
      );
  });
});

describe("FRAME_FIELDS / FLOW_FIELDS", () => {
  it("describe every field once, in one line", () => {
    for (const fields of [FRAME_FIELDS, FLOW_FIELDS]) {
      expect(new Set(fields.map((f) => f.name)).size).toBe(fields.length);
      for (const f of fields) expect(f.description).toMatch(/^[^\n]+$/);
    }
    expect(FRAME_FIELDS.every((f) => isFrameField(f.name))).toBe(true);
    expect(FLOW_FIELDS.every((f) => isFlowField(f.name))).toBe(true);
    expect(isFrameField("ip.scr")).toBe(false);
    expect(isVerdictField("reason")).toBe(true);
    expect(isVerdictField("ip.src")).toBe(false);
    expect(isFlowField("tunnel_id")).toBe(true);
    expect(isFlowField("ip.src")).toBe(false);
  });
});

describe("flowRecord: fields of real dumped flows (fixtures/hosts/linux-host br-tun)", () => {
  const file = join(
    REPO_ROOT,
    "fixtures/hosts/linux-host/sos_commands/openvswitch/ovs-ofctl_-O_OpenFlow13_dump-flows_br-tun",
  );
  const flows = parseFlowDump(readFileSync(file, "utf8"), file).value.flows;
  const select = (expr: string) => {
    const c = compileDisplayFilter(expr, isFlowField);
    if (!c.ok) throw new Error(`${expr}: ${c.message}`);
    return flows.filter((f) => c.filter.matches(flowRecord("linux-host", "br-tun", f)));
  };

  it("reads the flow's own fields and its match fields as the dump prints them", () => {
    const f = flows.find((x) => x.text.includes("tun_id=0x64"));
    expect(f).toBeDefined();
    if (!f) return;
    const r = flowRecord("linux-host", "br-tun", f);
    expect(r.values("host")).toEqual(["linux-host"]);
    expect(r.values("bridge")).toEqual(["br-tun"]);
    expect(r.values("table")).toEqual([f.table]);
    expect(r.values("priority")).toEqual([f.priority]);
    expect(r.values("cookie")).toEqual([f.cookie]);
    expect(r.values("tun_id")).toEqual(["0x64"]);
    expect(r.values("tunnel_id")).toEqual(["0x64"]);
    expect(r.values("actions")).toEqual([f.actionsText]);
    expect(r.values("nw_src")).toBeUndefined();
    expect(r.values("n_packets")).toEqual([Number(f.stats.n_packets)]);
  });

  it.each<[string, (f: (typeof flows)[number]) => boolean]>([
    ["table == 4", (f) => f.table === 4],
    ["tun_id == 100", (f) => f.text.includes("tun_id=0x64")],
    ["tun_id", (f) => f.text.includes("tun_id=")],
    ["!tun_id && table == 4", (f) => f.table === 4 && !f.text.includes("tun_id=")],
    ['actions contains "goto_table"', (f) => f.actionsText.includes("goto_table")],
    ["priority >= 1 && priority < 2", (f) => f.priority === 1],
    ["n_packets == 0 && duration < 1.1311", (f) => Number.parseFloat(f.stats.duration ?? "") < 1.1311],
    ["dl_dst == 01:00:5e:00:00:01", (f) => f.text.includes("dl_dst=01:00:00:00:00:00/01")],
    ["dl_vlan in {2..4}", (f) => f.text.includes("dl_vlan=3")],
    ["in_port == 2", (f) => f.text.includes("in_port=2")],
    ['actions matches "^drop$"', (f) => f.actionsText === "drop"],
  ])("%s", (expr, expected) => {
    const got = select(expr);
    expect(got.length).toBeGreaterThan(0);
    expect(got).toEqual(flows.filter(expected));
  });
});

// ---- Golden: tshark -Y on the same captures must select the same frame numbers ----

const HAVE_TSHARK = spawnSync("tshark", ["--version"], { encoding: "utf8" }).status === 0;

function tsharkFrames(path: string, expr: string, extra: string[] = []): number[] {
  const r = spawnSync(
    "tshark",
    [
      "-n",
      "-r",
      path,
      "-o",
      "ip.defragment:FALSE",
      "-o",
      "ipv6.defragment:FALSE",
      ...extra,
      "-Y",
      expr,
      "-T",
      "fields",
      "-e",
      "frame.number",
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0 && !/cut short/.test(r.stderr)) throw new Error(`tshark ${expr}: ${r.stderr}`);
  return r.stdout
    .split("\n")
    .filter((l) => l !== "")
    .map(Number);
}

const GOLDEN: Array<{ capture: string; exprs: string[]; tsharkArgs?: string[] }> = [
  {
    capture: DEMO_TX,
    exprs: [
      "ip.src == 10.0.0.11 && vxlan.vni == 1010",
      "tcp.port == 22",
      "arp",
      "!icmp",
      "ip.addr == 192.168.100.0/24",
      "eth.src == fa:16:3e:11:a1:01",
      "udp.dstport in {4789, 6081}",
      "frame.number >= 10 and frame.number <= 20",
      "gre.key == 2020 || ipv6.addr == ff02::1",
      "ip.src != 10.0.0.11",
      "tcp.flags.syn == 1 && tcp.flags.ack == 0",
      "icmpv6.type == 136 && ipv6.hlim == 255",
    ],
  },
  {
    capture: DEMO_RX,
    exprs: [
      "arp.opcode == 1 && arp.dst.proto_ipv4 == 192.168.100.12",
      "ip.ttl < 64",
      "ip.dst in {8.8.8.8, 192.168.100.12}",
    ],
  },
  ...(HAVE_SHARED
    ? [
        {
          capture: join(SHARED, "captures/synthetic/vlan-qinq.pcap"),
          exprs: [
            "vlan.id == 200",
            "vlan.id == 1416 || ieee8021ad.id == 101",
            "ieee8021ad",
            "vlan.etype == 0x0806",
          ],
        },
        {
          capture: join(SHARED, "captures/synthetic/multi-interface.pcapng"),
          exprs: [
            'frame.interface_name == "qvo4269da1c-f6" && icmp',
            "tcp.flags.ack == 1 || arp.opcode == 2",
          ],
        },
        {
          capture: join(SHARED, "captures/synthetic/geneve-options.pcap"),
          exprs: ["geneve.vni == 1101 && ip.src == 192.168.31.0/24", "geneve.proto_type == 0x6558 && !arp"],
        },
        {
          capture: join(SHARED, "captures/synthetic/gre-underlay.pcap"),
          exprs: ["gre.key == 0x3e9 && tcp.dstport > 1024", "ip.addr == 192.168.21.8 && ip.ttl >= 64"],
        },
        {
          capture: join(SHARED, "captures/synthetic/fragments.pcap"),
          exprs: ["ip.flags.mf == 1", "ip.frag_offset > 0", "udp", "vxlan"],
        },
        {
          capture: join(SHARED, "captures/real/mpls-over-udp.pcap"),
          exprs: ["mpls.label == 16", "mpls", "mpls.bottom == 1 && icmp"],
        },
        {
          capture: join(SHARED, "captures/synthetic/vxlan-8472.pcap"),
          exprs: ["vxlan.vni == 100", "udp.dstport == 8472 && ip.ttl > 0"],
          tsharkArgs: ["-d", "udp.port==8472,vxlan"],
        },
      ]
    : []),
];

describe.skipIf(!HAVE_TSHARK)("frame filters select what tshark -Y selects", () => {
  for (const g of GOLDEN.filter((x) => existsSync(x.capture))) {
    it(`${g.capture.split("/").slice(-2).join("/")}`, () => {
      const recs = records(g.capture);
      for (const expr of g.exprs)
        expect([expr, matching(recs, expr)]).toEqual([expr, tsharkFrames(g.capture, expr, g.tsharkArgs)]);
    });
  }
});

// ---- Typed fields: a value that cannot be of the field's type is an error, where tshark says ----

/** tshark's verdict on a filter: undefined when it accepts it, else the 1-based column of its caret. */
function tsharkError(expr: string): number | undefined {
  const r = spawnSync("tshark", ["-n", "-r", DEMO_TX, "-c", "1", "-Y", expr], { encoding: "utf8" });
  if (r.status === 0) return undefined;
  const caret = r.stderr.split("\n").find((l) => /^ {4}\s*\^/.test(l));
  return caret === undefined ? -1 : caret.indexOf("^") - 4 + 1;
}

describe.skipIf(!HAVE_TSHARK)("frame filter values tshark rejects are errors at tshark's column", () => {
  it.each([
    "ip.src == 10.0.0.300",
    "ip.src == fe80::1",
    "ip.src == 10.0.0.0/33",
    "ip.src in {10.0.0.1 10.0.0.}",
    "ipv6.src == 10.0.0.1",
    "vxlan.vni == abc",
    "vxlan.vni == 16777216",
    "vxlan.vni > abc",
    "ip.ttl == 256",
    "ip.ttl == 1.5",
    "tcp.port in {80..abc}",
    "eth.src == 10.0.0.1",
    "eth.dst == ff:ff:ff:ff:ff",
    "frame.time_relative > abc",
    "udp.dstport == 4789 && gre.key == 0x100000000",
  ])("%s", (expr) => {
    const ours = compileDisplayFilter(expr, frameFieldType);
    expect(ours.ok).toBe(false);
    expect(ours.ok ? undefined : ours.column).toBe(tsharkError(expr));
  });

  it("a dotted quad cut short is an error too (tshark points at the last dot, we at the value)", () => {
    expect(tsharkError("ip.src == 10.0.0.")).toBeGreaterThan(0);
    expect(compileDisplayFilter("ip.src == 10.0.0.", frameFieldType)).toEqual({
      ok: false,
      message: '"10.0.0." is not a valid IPv4 address',
      column: 11,
    });
  });

  it.each([
    "ip.src == 10.0.0.0/24",
    "ipv6.src == ::ffff:10.0.0.1",
    "ipv6.addr == ff02::1",
    "eth.src == fa-16-3e-11-a1-01",
    "eth.src == fa16.3e11.a101",
    "vxlan.vni == 0x3f2",
    "ip.ttl == 010",
    "tcp.flags.syn == 1",
    "frame.time_relative > 0.5",
    'frame.interface_name == "eth0"',
  ])("%s is accepted, as tshark accepts it", (expr) => {
    expect(tsharkError(expr)).toBeUndefined();
    expect(compileDisplayFilter(expr, frameFieldType).ok).toBe(true);
  });

  it.each([
    // A network with a mask address, as OVS dumps print non-prefix masks.
    "ip.addr == 192.168.100.0/255.255.255.0",
    // contains and matches read any field's value as its text.
    "ip.src contains 10",
  ])("%s is accepted here, though tshark refuses it", (expr) => {
    expect(tsharkError(expr)).toBeGreaterThan(0);
    expect(compileDisplayFilter(expr, frameFieldType).ok).toBe(true);
  });
});

describe("verdict and flow fields are typed", () => {
  it.each([
    ['reason == "unknown-tunnel"', 11, /cannot be found among the possible values for reason: table-miss, /],
    ["verdict == droped", 12, /cannot be found among the possible values for verdict/],
    ["drop.table == 256", 15, /too big for this field, maximum 255/],
    ["table in {0 1..x}", 16, /"x" is not a valid number/],
  ])("%s → column %d", (expr, column, message) => {
    const c = compileDisplayFilter(expr, frameFieldType);
    expect(c.ok ? undefined : [c.column, c.message]).toEqual([column, expect.stringMatching(message)]);
  });

  it("every drop reason and verdict kind a replay gives is a value the filter accepts", () => {
    for (const expr of ['reason == "unknown-tunnel-id"', "reason == table-miss", "verdict == no-ingress"])
      expect(compileDisplayFilter(expr, frameFieldType).ok).toBe(true);
  });

  it.each([
    ["n_packets > abc", false],
    ["priority == 65536", false],
    ["nw_src == 10.0.0.300", false],
    ["dl_src == 10.0.0.1", false],
    ["nw_src == 10.0.0.0/24", true],
    ["reg0 == 0x1/0x1", true],
    ['in_port == "patch-tun"', true],
    ["tun_id == 0x64", true],
  ])("flows: %s compiles: %s", (expr, ok) => {
    expect(compileDisplayFilter(expr, flowFieldType).ok).toBe(ok);
  });
});
