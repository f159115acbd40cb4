/** What the matches read from a frame: the recorded frames, as tshark decodes the same captures. */
import { describe, expect, it } from "vitest";
import { FrameSignature, fwPacketOf } from "../../src/firewall/packet.js";
import { ipv4Of, ipv6Of, macOf } from "../../src/model/field-value.js";
import { captureFrames } from "./support.js";

const tap = captureFrames("tap5f1c0a2e-3b.pcap");
const qvo = captureFrames("qvo5f1c0a2e-3b.pcap");

describe("fwPacketOf", () => {
  it("TCP SYN (tshark: 10.0.0.100:40000 → 10.0.0.5:22 [SYN], 54 bytes)", () => {
    const p = fwPacketOf(qvo[0]);
    expect([p.family, ipv4Of(p.src), ipv4Of(p.dst), p.proto, p.sport, p.dport, p.tcpFlags, p.length]).toEqual(
      ["ipv4", "10.0.0.100", "10.0.0.5", 6, 40000, 22, 0x02, 40],
    );
    expect(macOf(p.srcMac)).toBe("fa:16:3e:00:00:64");
  });
  it("ARP is not IP", () => {
    const arp = tap.find((f) => f[12] === 0x08 && f[13] === 0x06)!;
    expect(fwPacketOf(arp).family).toBeNull();
  });
  it("ICMPv6 neighbour solicitation: type 135, IPv6 addresses", () => {
    const ns = qvo.find((f) => f[12] === 0x86 && f[13] === 0xdd && f[54] === 135)!;
    const p = fwPacketOf(ns);
    expect([p.family, ipv6Of(p.src), p.proto, p.icmpType]).toEqual(["ipv6", "fe80::1", 58, 135]);
  });
  it("a frame cut inside its TCP header says so and has no ports", () => {
    const p = fwPacketOf(qvo[0].subarray(0, 40));
    expect(p.truncated).toMatch(/cut short/);
    expect(p.dport).toBe(0);
  });
  it("equal fields give equal cache keys; another port a different one", () => {
    expect(fwPacketOf(qvo[0]).key).toBe(fwPacketOf(qvo[0].slice()).key);
    expect(fwPacketOf(qvo[0]).key).not.toBe(fwPacketOf(qvo[3]).key);
  });
});

describe("FrameSignature", () => {
  const sig = (d: Uint8Array, withLength = false) => {
    const s = new FrameSignature();
    return s.read(d, withLength)
      ? { bytes: [...s.bytes.subarray(0, s.length)], hash: s.hash, family: s.family }
      : null;
  };
  /** A copy of `d` with byte `at` set to `v`. */
  const poke = (d: Uint8Array, at: number, v: number) => {
    const c = d.slice();
    c[at] = v;
    return c;
  };
  const syn = qvo[0];
  const ns = qvo.find((f) => f[12] === 0x86 && f[13] === 0xdd && f[54] === 135)!;
  const arp = tap.find((f) => f[12] === 0x08 && f[13] === 0x06)!;

  it.each([
    ["another TCP sequence number", poke(syn, 14 + 20 + 4, syn[38] ^ 0xff), true],
    ["another IP TTL", poke(syn, 22, syn[22] ^ 0x01), true],
    ["another destination port", poke(syn, 14 + 20 + 3, syn[37] ^ 0x01), false],
    ["other TCP flags", poke(syn, 14 + 20 + 13, 0x10), false],
    ["another source MAC", poke(syn, 6, syn[6] ^ 0x01), false],
    ["another source address", poke(syn, 26, syn[26] ^ 0x01), false],
  ])("%s: same signature %s", (_what, other, same) => {
    expect(sig(other)?.bytes).toBeDefined();
    expect(sig(other)!.bytes.join() === sig(syn)!.bytes.join()).toBe(same);
    if (same) expect(sig(other)!.hash).toBe(sig(syn)!.hash);
  });

  it("an ICMP echo id is part of it (conntrack's tuple), the sequence number not", () => {
    const echo = Uint8Array.from([
      ...syn.subarray(0, 23),
      1,
      ...syn.subarray(24, 34),
      8,
      0,
      0,
      0,
      0,
      7,
      0,
      1,
    ]);
    expect(sig(poke(echo, 41, 2))!.bytes).toEqual(sig(echo)!.bytes);
    expect(sig(poke(echo, 39, 8))!.bytes).not.toEqual(sig(echo)!.bytes);
  });

  it("the IP length counts only when asked (a rule set matching -m length)", () => {
    const longer = poke(syn, 17, syn[17] + 4);
    expect(sig(longer)!.bytes).toEqual(sig(syn)!.bytes);
    expect(sig(longer, true)!.bytes).not.toEqual(sig(syn, true)!.bytes);
  });

  it("reads IPv6 (neighbour solicitation) with its family", () => {
    expect(sig(ns)?.family).toBe("ipv6");
    expect(sig(syn)?.family).toBe("ipv4");
  });

  it.each([
    ["ARP (not IP)", arp],
    ["a frame cut inside its TCP header", syn.subarray(0, 40)],
    ["an IPv4 fragment", poke(syn, 21, 0x10)],
    ["a VLAN-tagged frame", Uint8Array.from([...syn.subarray(0, 12), 0x81, 0, 0, 5, ...syn.subarray(12)])],
  ])("%s is left to the long way", (_what, d) => {
    expect(sig(d)).toBeNull();
  });
});
