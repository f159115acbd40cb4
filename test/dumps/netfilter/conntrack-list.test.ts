/** conntrack -L [-o extended]: the recorded host's table (from the kernel's conntrack), zones, damage. */
import { describe, expect, it } from "vitest";
import { parseConntrackList } from "../../../src/dumps/netfilter/conntrack-list.js";
import { ipv4Of } from "../../../src/model/field-value.js";
import { sos } from "../../firewall/support.js";

describe("the recorded conntrack -L -o extended", () => {
  const r = parseConntrackList(sos("conntrack/conntrack_-L_-o_extended"), "c");
  it("reads every entry, with zone, both tuples and [UNREPLIED]", () => {
    expect(r.diagnostics).toEqual([]);
    const lines = sos("conntrack/conntrack_-L_-o_extended").trim().split("\n");
    expect(r.value.length).toBe(lines.length);
    const ssh = r.value.find((e) => e.orig.dport === 22 && e.replied && e.orig.proto === 6)!;
    expect([ipv4Of(ssh.orig.src), ipv4Of(ssh.orig.dst), ssh.orig.sport, ssh.zone]).toEqual([
      "10.0.0.100",
      "10.0.0.5",
      40000,
      4097,
    ]);
    expect(ssh.reply.sport).toBe(22);
    expect(r.value.every((e) => e.preexisting)).toBe(true);
    const ping = r.value.find((e) => e.orig.proto === 1)!;
    expect([ping.orig.sport, ping.orig.dport, ping.reply.dport]).toEqual([7, 8, 0]);
  });
});

describe("conntrack -L without -o extended, and damage", () => {
  it.each([
    [
      "tcp      6 431999 ESTABLISHED src=1.1.1.1 dst=2.2.2.2 sport=1 dport=2 src=2.2.2.2 dst=1.1.1.1 sport=2 dport=1 [ASSURED] mark=0 use=1",
      [],
    ],
    ["conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.", []],
    ["tcp 6 10 ESTABLISHED src=1.1.1.1 dst=2.2.2.2 sport=1 dport=2 garbage", [[1, 62]]],
    ["hello world", [[1, 1]]],
    ["udp 17 10 src=1.1.1.1 dst=2.2.2.2 sport=1 dport=2", [[1, 1]]],
  ])("%s", (text, want) => {
    expect(parseConntrackList(text, "f").diagnostics.map((d) => [d.line, d.column])).toEqual(want);
  });
});
