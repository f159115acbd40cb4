/** What the matches read from a frame: the recorded frames, as tshark decodes the same captures. */
import { describe, expect, it } from "vitest";
import { fwPacketOf } from "../../src/firewall/packet.js";
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
