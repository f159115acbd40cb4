import { describe, expect, it } from "vitest";
import { captureFromBytes, LINKTYPE_PCAPNG_CUSTOM, recordData } from "../../src/capture/index.js";
import { writePcapng } from "../../src/capture/writer.js";
import { decodeFrame } from "../../src/decode/index.js";

describe("pcapng Custom Blocks are frames, as tshark numbers them", () => {
  it.each([
    { name: "copyable (0x00000BAD)", type: 0x00000bad, bigEndian: false },
    { name: "not to be copied (0x40000BAD), big-endian section", type: 0x40000bad, bigEndian: true },
  ])("$name", ({ type, bigEndian }) => {
    // 32473, the documentation enterprise number, in the section's byte order.
    const pen = Uint8Array.from(bigEndian ? [0, 0, 0x7e, 0xd9] : [0xd9, 0x7e, 0, 0]);
    const data = new TextEncoder().encode("custom!!");
    const bytes = writePcapng([
      {
        bigEndian,
        blocks: [
          { kind: "idb", iface: { linktype: 1 } },
          { kind: "raw", type, body: Uint8Array.from([...pen, ...data]) },
          { kind: "epb", interfaceId: 0, ts: 1000000n, data: new Uint8Array(14) },
        ],
      },
    ]);
    const opened = captureFromBytes(bytes, "t.pcapng");
    if (!opened.ok) throw new Error(opened.error.message);
    const first = opened.value.next();
    expect(first).not.toBeNull();
    if (!first) return;
    expect([first.frame, first.caplen, first.len, first.hasTimestamp]).toEqual([1, 8, 8, false]);
    expect(first.linktype).toBe(LINKTYPE_PCAPNG_CUSTOM);
    expect(new TextDecoder().decode(recordData(first))).toBe("custom!!");
    const decoded = decodeFrame(recordData(first), first.linktype);
    expect(decoded.layers).toEqual([]);
    expect(decoded.stop).toMatch(/Custom Block, not a packet/);
    expect(opened.value.next()?.frame).toBe(2);
  });

  it("a block too short for its enterprise number is an error naming its offset", () => {
    const bytes = writePcapng([{ blocks: [{ kind: "raw", type: 0xbad, body: new Uint8Array(0) }] }]);
    const opened = captureFromBytes(bytes, "t.pcapng");
    if (!opened.ok) throw new Error(opened.error.message);
    expect(opened.value.next()).toBeNull();
    expect(opened.value.diagnostics[0]?.message).toMatch(/custom block too short/);
  });
});
