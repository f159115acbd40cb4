import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { odpActionBytes, odpBytes, parts } from "../../src/pipeline/odp-size.js";
import { labHosts } from "../support/lab.js";
import { REPO_ROOT } from "../support/shared.js";

// Sizes from the kernel datapath's netlink layout (include/linux/openvswitch.h, lib/odp-util.h): a 4-byte
// attribute header, payloads padded to 4 bytes.
describe("odpActionBytes", () => {
  it.each([
    ["an output (u32)", "3", 8],
    ["pop_vlan (a flag)", "pop_vlan", 4],
    ["push_vlan (tpid + tci)", "push_vlan(vid=30,pcp=0)", 8],
    ["recirc (u32)", "recirc(0x1)", 8],
    ["a whole eth set (12-byte key)", "set(eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02))", 20],
    ["a masked eth set (key and mask)", "set(eth(dst=00:00:00:00:00:02))", 32],
    ["a masked ipv4 set", "set(ipv4(tos=0x20/0xfc))", 32],
    [
      "a kernel tunnel set: id 12, dst 8, ttl 8, df 4 in a nest",
      "set(tunnel(tun_id=0x0,dst=10.1.0.2,ttl=64,flags(df|key)))",
      40,
    ],
    [
      "a packet-in: pid and the 48-byte cookie",
      "userspace(pid=0,controller(reason=1,dont_send=1,continuation=0,recirc_id=1,rule_cookie=0,controller_id=0,max_len=65535))",
      64,
    ],
    ["a clone: its header and its body", "clone(1,2)", 20],
    // struct ovs_action_push_mpls (lse u32, ethertype u16); pop_mpls carries the ethertype (u16).
    ["push_mpls", "push_mpls(label=0,tc=0,ttl=63,bos=1,eth_type=0x8847)", 12],
    ["pop_mpls", "pop_mpls(eth_type=0x800)", 8],
    // OVS_ACTION_ATTR_CHECK_PKT_LEN: header, the u16 length, and a nest per outcome (empty for drop).
    ["check_pkt_len with an output per branch", "check_pkt_len(size=200,gt(2),le(3))", 4 + 8 + 12 + 12],
    ["check_pkt_len dropping both", "check_pkt_len(size=200,gt(drop),le(drop))", 4 + 8 + 4 + 4],
    // compose_conntrack_action (ofproto/ofproto-dpif-xlate.c): the zone attribute (u16) is always put,
    // printed only when not 0; a commit flag brings the u32 OVS_CT_ATTR_EVENTMASK, never printed.
    ["ct: its header and the unprinted zone 0", "ct", 4 + 8],
    ["ct with a zone and commit: zone 8, commit 4, event mask 8", "ct(commit,zone=1)", 4 + 8 + 4 + 8],
    ["ct(commit) still carries zone 0", "ct(commit)", 4 + 8 + 4 + 8],
    ["force_commit, as commit", "ct(force_commit,zone=1)", 4 + 8 + 4 + 8],
    ["mark and label: value and mask each", "ct(zone=1,mark=0x1/0xff,label=0x1/0xff)", 4 + 8 + 12 + 36],
    ["a helper: its name and NUL", "ct(commit,zone=1,helper=ftp)", 4 + 8 + 12 + 8],
    // put_ct_nat: a nest with the src/dst flag, option flags, min (and max) address and port.
    ["an empty nat nest", "ct(zone=2,nat)", 4 + 8 + 4],
    ["nat to one IPv4 address", "ct(commit,zone=3,nat(dst=192.168.1.1))", 4 + 8 + 12 + (4 + 4 + 8)],
    [
      "nat to an IPv4 range and port range, with options",
      "ct(commit,zone=1,nat(src=10.0.0.1-10.0.0.9:100-200,persistent,random))",
      4 + 8 + 12 + (4 + 4 + 8 + 8 + 8 + 8 + 4 + 4),
    ],
    ["nat to one IPv6 address", "ct(commit,nat(src=fe80::1))", 4 + 8 + 12 + (4 + 4 + 20)],
    [
      "nat to an IPv6 range with a port (bracketed)",
      "ct(commit,nat(dst=[fe80::1]-[fe80::9]:80))",
      4 + 8 + 12 + (4 + 4 + 20 + 20 + 8),
    ],
  ])("%s", (_what, action, bytes) => {
    expect(odpActionBytes(action)).toBe(bytes);
  });

  it("tnl_push: the fixed part and the header's own size", () => {
    const push =
      "tnl_push(tnl_port(4),header(size=50,type=4,eth(dst=aa:bb:cc:dd:ee:ff,src=11:22:33:44:55:66,dl_type=0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=0x4000),udp(src=0,dst=4789,csum=0x0),vxlan(flags=0x8000000,vni=0x64)),out_port(1))";
    expect(odpActionBytes(push)).toBe(4 + 16 + 52);
  });

  it("sums a list", () => {
    expect(odpBytes(["1", "2", "pop_vlan"])).toBe(20);
  });

  // xlate.ts skips sizing while the composed text is short, on this bound: no action is more than 8 bytes
  // per character it prints, its separating comma included (an output, "1,", is exactly 8).
  it("holds every datapath action OVS printed in the labs and the recorded hosts to 8 bytes per character", () => {
    const dirs = [
      ...labHosts().map((h) => join(h, "traces")),
      ...readdirSync(join(REPO_ROOT, "fixtures", "ovs-live")).map((d) =>
        join(REPO_ROOT, "fixtures", "ovs-live", d, "traces"),
      ),
    ];
    const actions = new Set<string>();
    for (const dir of dirs) {
      let files: string[];
      try {
        files = readdirSync(dir);
      } catch {
        continue;
      }
      for (const f of files)
        for (const line of readFileSync(join(dir, f), "utf8").split("\n"))
          if (line.startsWith("Datapath actions: ")) for (const a of parts(line.slice(18))) actions.add(a);
    }
    expect(actions.size).toBeGreaterThan(20);
    for (const a of actions) expect(odpActionBytes(a), a).toBeLessThanOrEqual(8 * (a.length + 1));
  });
});
