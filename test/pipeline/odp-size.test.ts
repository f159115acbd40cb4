import { describe, expect, it } from "vitest";
import { odpActionBytes, odpBytes } from "../../src/pipeline/odp-size.js";

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
    ["ct with a zone and commit", "ct(commit,zone=1)", 16],
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
});
