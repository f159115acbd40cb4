import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openCapture, recordData } from "../../src/capture/index.js";
import { extractFlowKey, extractFlowKeyAt } from "../../src/decode/index.js";
import { type FlowKey, K, newFlowKey } from "../../src/model/layout.js";
import { formatIpv6 } from "../../src/model/value/index.js";
import { REPO_ROOT, SHARED } from "../support/shared.js";

/**
 * The fast path's flow key against Open vSwitch's own flow extraction: `ovs-ofctl parse-pcap` output
 * recorded by scripts/record-ovs-parse-pcap.sh. Every field OVS prints must have the same value here.
 */
const GOLDEN_DIR = join(REPO_ROOT, "fixtures", "ovs-parse-pcap");

const SHORTHANDS: Record<string, [number, number?]> = {
  ip: [0x0800],
  ipv6: [0x86dd],
  icmp: [0x0800, 1],
  icmp6: [0x86dd, 58],
  tcp: [0x0800, 6],
  tcp6: [0x86dd, 6],
  udp: [0x0800, 17],
  udp6: [0x86dd, 17],
  sctp: [0x0800, 132],
  sctp6: [0x86dd, 132],
  arp: [0x0806],
  rarp: [0x8035],
  mpls: [0x8847],
  mplsm: [0x8848],
};

const hex = (v: number, width: number) => `0x${v.toString(16).padStart(width, "0")}`;
const mac = (k: FlowKey, o: number) =>
  [k[o] >> 8, k[o] & 0xff, k[o + 1] >>> 24, (k[o + 1] >> 16) & 0xff, (k[o + 1] >> 8) & 0xff, k[o + 1] & 0xff]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join(":");
const ipv4 = (v: number) => [v >>> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff].join(".");
/** Four words of the key from `o`, as OVS prints an IPv6 address (inet_ntop, the value module's printer). */
function ipv6(k: FlowKey, o: number): string {
  let v = 0n;
  for (let i = 0; i < 4; i++) v = (v << 32n) | BigInt(k[o + i] >>> 0);
  return formatIpv6(v);
}
const TCP_FLAG_NAMES = ["fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns"];
const FRAG = ["no", "first", "?", "later"];

/** Our key's value of a field, formatted as ovs-ofctl prints it. */
const FORMAT: Record<string, (k: FlowKey) => string> = {
  dl_src: (k) => mac(k, K.dlSrc),
  dl_dst: (k) => mac(k, K.dlDst),
  dl_type: (k) => hex(k[K.dlType], 4),
  vlan_tci: (k) => hex(k[K.vlanTci], 4),
  dl_vlan: (k) => String(k[K.vlanTci] & 0xfff),
  dl_vlan_pcp: (k) => String(k[K.vlanTci] >> 13),
  vlan_tci1: (k) => hex(k[K.vlanTci1], 4),
  nw_src: (k) => ipv4(k[K.nwSrc]),
  nw_dst: (k) => ipv4(k[K.nwDst]),
  arp_spa: (k) => ipv4(k[K.nwSrc]),
  arp_tpa: (k) => ipv4(k[K.nwDst]),
  arp_op: (k) => String(k[K.nwProto]),
  arp_sha: (k) => mac(k, K.arpSha),
  arp_tha: (k) => mac(k, K.arpTha),
  nd_sll: (k) => mac(k, K.arpSha),
  nd_tll: (k) => mac(k, K.arpTha),
  nd_target: (k) => ipv6(k, K.ndTarget),
  nw_proto: (k) => String(k[K.nwProto]),
  nw_tos: (k) => String(k[K.nwTos] & 0xfc),
  nw_ecn: (k) => String(k[K.nwTos] & 3),
  nw_ttl: (k) => String(k[K.nwTtl]),
  nw_frag: (k) => FRAG[k[K.nwFrag]],
  ipv6_src: (k) => ipv6(k, K.ipv6Src),
  ipv6_dst: (k) => ipv6(k, K.ipv6Dst),
  ipv6_label: (k) => hex(k[K.ipv6Label], 5),
  tp_src: (k) => String(k[K.tpSrc]),
  tp_dst: (k) => String(k[K.tpDst]),
  icmp_type: (k) => String(k[K.tpSrc]),
  icmp_code: (k) => String(k[K.tpDst]),
  tcp_flags: (k) => TCP_FLAG_NAMES.filter((_, i) => k[K.tcpFlags] & (1 << i)).join("|") || "0",
  dl_vlan1: (k) => String(k[K.vlanTci1] & 0xfff),
  dl_vlan_pcp1: (k) => String(k[K.vlanTci1] >> 13),
  mpls_lse1: (k) => String(k[K.mplsLse + 1]),
  mpls_lse2: (k) => String(k[K.mplsLse + 2]),
  mpls_label: (k) => String(k[K.mplsLse] >>> 12),
  mpls_tc: (k) => String((k[K.mplsLse] >> 9) & 7),
  mpls_bos: (k) => String((k[K.mplsLse] >> 8) & 1),
  mpls_ttl: (k) => String(k[K.mplsLse] & 0xff),
};

function compare(line: string, key: FlowKey): string[] {
  const problems: string[] = [];
  for (const part of line.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) {
      const sh = SHORTHANDS[part];
      if (!sh) problems.push(`unknown shorthand ${part}`);
      else {
        if (key[K.dlType] !== sh[0]) problems.push(`${part}: dl_type ${hex(key[K.dlType], 4)}`);
        if (sh[1] !== undefined && key[K.nwProto] !== sh[1])
          problems.push(`${part}: nw_proto ${key[K.nwProto]}`);
      }
      continue;
    }
    const name = part.slice(0, eq);
    const want = part.slice(eq + 1);
    if (name === "in_port") continue;
    const format = FORMAT[name];
    if (!format) problems.push(`no formatter for ${name}`);
    else if (format(key) !== want) problems.push(`${name}: want ${want}, got ${format(key)}`);
  }
  return problems;
}

function capturePath(name: string): string | undefined {
  for (const dir of [
    join(SHARED, "captures", "synthetic"),
    join(SHARED, "captures", "ovs-lab"),
    join(REPO_ROOT, "fixtures", "packets"),
    // The same captures copied (test/support/lab.test.ts keeps them equal) for a clone without ../shared.
    join(GOLDEN_DIR, "captures"),
  ]) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

const goldens = readdirSync(GOLDEN_DIR)
  .filter((n) => n.endsWith(".txt"))
  .map((n) => ({
    name: n.replace(/\.txt$/, ""),
    lines: readFileSync(join(GOLDEN_DIR, n), "utf8").trim().split("\n"),
  }))
  .filter((g) => capturePath(g.name) !== undefined);

describe("flow key extraction agrees with OVS's flow_extract (ovs-ofctl parse-pcap)", () => {
  it("has goldens to check", () => expect(goldens.length).toBeGreaterThan(10));
  it.each(goldens.map((g) => [g.name, g] as const))("%s", (_n, g) => {
    const opened = openCapture(capturePath(g.name) as string);
    if (!opened.ok) throw new Error(opened.error.message);
    const key = newFlowKey();
    const problems: string[] = [];
    let i = 0;
    for (let r = opened.value.next(); r && i < g.lines.length; r = opened.value.next(), i++) {
      expect(extractFlowKey(recordData(r), r.linktype, key)).toBe(true);
      for (const p of compare(g.lines[i], key)) problems.push(`frame ${r.frame}: ${p}`);
      // The same frame read in place, inside the reader's window (the benchmarks' and big replays' way).
      expect(extractFlowKeyAt(r.bytes, r.offset, r.offset + r.caplen, r.linktype, key)).toBe(true);
      for (const p of compare(g.lines[i], key)) problems.push(`frame ${r.frame} in place: ${p}`);
    }
    expect(i).toBe(g.lines.length);
    expect(problems).toEqual([]);
  });
});
