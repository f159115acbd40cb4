import { describe, expect, it } from "vitest";
import { decodeFrame, schemaLayers } from "../../src/decode/index.js";

const hex = (s: string) =>
  Uint8Array.from(s.replace(/\s+/g, "").match(/../g) ?? [], (b) => Number.parseInt(b, 16));
const OUTER = "525400000012 525400000011 0800 4500 0048 0000 4000 402f 0000 0a00000b 0a00000c";
const INNER = "4500 001c 0001 0000 4011 0000 0a000001 0a000002 1234 0035 0008 0000";

/** GRE 0x883e: tshark's rule for the redirect header (present unless IPv4 follows at once). */
describe("WCCP in GRE", () => {
  it.each([
    { name: "no redirect header", gre: "0000 883e", redirect: undefined, greLength: 4 },
    { name: "a redirect header", gre: "0000 883e 02112233", redirect: "0x02112233", greLength: 8 },
  ])("$name", ({ gre, redirect, greLength }) => {
    const frame = decodeFrame(hex(`${OUTER} ${gre} ${INNER}`), 1);
    const layers = schemaLayers(frame);
    expect(layers.map((l) => l.proto)).toEqual(["eth", "ipv4", "gre", "ipv4", "udp"]);
    expect(layers[3]).toMatchObject({ src: "10.0.0.1", dst: "10.0.0.2" });
    expect(frame.layers[2].detail?.wccpRedirect).toBe(redirect);
    expect(frame.layers[2].length).toBe(greLength);
  });

  it("a redirect header cut short ends at the GRE layer", () => {
    const frame = decodeFrame(hex(`${OUTER} 0000 883e 0211`), 1);
    expect(frame.stop).toBe("wccp redirect header cut short");
  });
});
