import { describe, expect, it } from "vitest";
import { decodeFrame, schemaLayers, summarizeFrame } from "../../src/decode/index.js";

const hex = (s: string) =>
  Uint8Array.from(s.replace(/\s+/g, "").match(/../g) ?? [], (b) => Number.parseInt(b, 16));
const ETH = "ffffffffffff fa163e000001";
const IPV4_UDP = (total: string, ihl = "5") => `4${ihl}00 ${total} 0000 4000 4011 0000 0a00000b 0a00000c`;

describe("decoders on hand-built frames", () => {
  it.each([
    {
      name: "802.3 length frame: no type, nothing after",
      bytes: `${ETH} 0026 424203000000`,
      layers: [{ proto: "eth", src: "fa:16:3e:00:00:01", dst: "ff:ff:ff:ff:ff:ff" }],
      stop: undefined,
    },
    {
      name: "Ethernet cut inside the type",
      bytes: `${ETH} 08`,
      layers: [{ proto: "eth", src: "fa:16:3e:00:00:01" }],
      stop: "eth header cut short",
    },
    {
      name: "IPv4 with IHL 4",
      bytes: `${ETH} 0800 ${IPV4_UDP("001c", "4")} 1234 12b5 0008 0000`,
      layers: [{ proto: "eth" }, { proto: "ipv4", src: "10.0.0.11", dst: "10.0.0.12", ipProto: 17 }],
      stop: "malformed ipv4: header length 16 < 20",
    },
    {
      name: "IPv4 total length below its header",
      bytes: `${ETH} 0800 ${IPV4_UDP("0010")} 1234 12b5 0008 0000`,
      layers: [{ proto: "eth" }, { proto: "ipv4" }],
      stop: "malformed ipv4: total length 16 < header length 20",
    },
    {
      name: "UDP to 4789 with a short VXLAN header",
      bytes: `${ETH} 0800 ${IPV4_UDP("0020")} c000 12b5 000c 0000 0800 0000`,
      layers: [
        { proto: "eth" },
        { proto: "ipv4" },
        { proto: "udp", sport: 49152, dport: 4789 },
        { proto: "vxlan" },
      ],
      stop: "vxlan header cut short",
    },
    {
      name: "GRE with checksum, key and sequence carrying Ethernet",
      bytes: `${ETH} 0800 4500 0044 0000 4000 402f 0000 0a00000b 0a00000c b000 6558 00000000 000003e9 00000007 ${ETH} 0806 0001`,
      layers: [
        { proto: "eth" },
        { proto: "ipv4", ipProto: 47 },
        { proto: "gre", ptype: "0x6558", key: 1001 },
        { proto: "eth", type: "0x0806" },
        { proto: "arp" },
      ],
      stop: "arp header cut short",
    },
    {
      name: "0x9100 outer tag then 802.1Q",
      bytes: `${ETH} 9100 012c 8100 012d 0806 0001`,
      layers: [
        { proto: "eth", type: "0x9100" },
        { proto: "vlan", vid: 300, type: "0x8100" },
        { proto: "vlan", vid: 301, type: "0x0806" },
        { proto: "arp" },
      ],
      stop: "arp header cut short",
    },
    {
      name: "Geneve option overrunning its area",
      bytes: `${ETH} 0800 ${IPV4_UDP("0030")} c000 17c1 001c 0000 0100 6558 00006400 0102 0305 0000`,
      layers: [
        { proto: "eth" },
        { proto: "ipv4" },
        { proto: "udp", dport: 6081 },
        { proto: "geneve", vni: 100, ptype: "0x6558" },
        { proto: "eth" },
      ],
      stop: "eth header cut short",
    },
  ])("$name", ({ bytes, layers, stop }) => {
    const frame = decodeFrame(hex(bytes), 1);
    const got = schemaLayers(frame);
    expect(got.length).toBe(layers.length);
    for (const [i, want] of layers.entries()) expect(got[i]).toMatchObject(want);
    expect(frame.stop).toBe(stop);
    expect(summarizeFrame(frame)).not.toBe("");
  });

  it("bounds tunnel nesting", () => {
    // GRE carrying IPv4 carrying GRE ... nine levels deep.
    const level = "4500 0000 0000 4000 402f 0000 0a00000b 0a00000c 0000 0800";
    const frame = decodeFrame(hex(`${ETH} 0800 ${level.repeat(9)}`), 1, { maxDepth: 4 });
    expect(frame.stop).toBe("tunnel nesting deeper than 4");
    expect(Math.max(...frame.layers.map((l) => l.depth))).toBe(4);
  });

  it("names an unsupported link type", () => {
    expect(decodeFrame(new Uint8Array(20), 147).stop).toBe("unsupported link type 147");
  });
});
