import { describe, expect, it } from "vitest";
import { decodeFrame, formatLayerTree } from "../../src/decode/index.js";
import { sourceRouteDestination } from "../../src/decode/ipv4-options.js";

const opts = (...b: number[]) => Uint8Array.from(b);

describe("the final destination of an IPv4 source route option", () => {
  it.each([
    {
      name: "loose source route, two hops",
      bytes: opts(131, 11, 4, 1, 2, 3, 4, 5, 6, 7, 8, 0),
      want: "5.6.7.8",
    },
    { name: "strict source route, one hop", bytes: opts(137, 7, 4, 8, 8, 8, 8, 0), want: "8.8.8.8" },
    { name: "after NOPs", bytes: opts(1, 1, 1, 131, 7, 4, 9, 9, 9, 9, 0, 0), want: "9.9.9.9" },
    { name: "after another option", bytes: opts(148, 4, 0, 0, 131, 7, 4, 1, 1, 1, 1, 0), want: "1.1.1.1" },
    { name: "record route is no source route", bytes: opts(7, 7, 4, 1, 1, 1, 1, 0), want: undefined },
    { name: "end of list first", bytes: opts(0, 131, 7, 4, 1, 1, 1, 1), want: undefined },
    { name: "length not 3 + 4n", bytes: opts(131, 8, 4, 1, 1, 1, 1, 0), want: undefined },
    { name: "length past the header", bytes: opts(131, 11, 4, 1, 1, 1, 1), want: undefined },
    { name: "length below 2", bytes: opts(68, 1, 0, 0), want: undefined },
  ])("$name", ({ bytes, want }) => {
    expect(sourceRouteDestination(bytes, 0, bytes.length)).toBe(want);
  });
});

describe("a source-routed IPv4 packet as decoded", () => {
  const hex = (s: string) =>
    Uint8Array.from(s.replace(/\s+/g, "").match(/../g) ?? [], (b) => Number.parseInt(b, 16));
  // Loose source route through 1.2.3.4 to 5.6.7.8; the header's destination is 13.14.15.16.
  const frame = hex(
    "525400000002 525400000001 0800 4800 0020 0001 0000 4006 0000 090a0b0c 0d0e0f10 830b04 01020304 05060708 00",
  );

  it("keeps tshark's dst, the header's in detail, and -V says which is which", () => {
    const d = decodeFrame(frame, 1);
    expect(d.layers[1].fields.dst).toBe("5.6.7.8");
    expect(d.layers[1].detail?.headerDst).toBe("13.14.15.16");
    expect(formatLayerTree(d).join("\n")).toMatch(/note: dst 5\.6\.7\.8 is the source route's last hop/);
  });
});
