import { describe, expect, it } from "vitest";
import { decodeFrame, formatLayerTree, schemaLayers } from "../../src/decode/index.js";

const hex = (s: string) =>
  Uint8Array.from(s.replace(/\s+/g, "").match(/../g) ?? [], (b) => Number.parseInt(b, 16));
const OUTER = "525400000012 525400000011 0800 4500 0040 0000 4000 402f 0000 0a00000b 0a00000c";
const MIRRORED = "fa163e0b0002 fa163e0b0001 0806 0001 0800 0604 0001";

describe("ERSPAN by the GRE sequence bit, as tshark decides", () => {
  it.each([
    { name: "type I: no S bit, no header, an empty erspan layer", gre: "0000 88be", erspan: {} },
    {
      name: "type II: S bit, an 8-byte header",
      gre: "1000 88be 00000001 1064 002a 00000000",
      erspan: { version: 1, sessionId: 42 },
    },
  ])("$name", ({ gre, erspan }) => {
    const frame = decodeFrame(hex(`${OUTER} ${gre} ${MIRRORED}`), 1);
    const layers = schemaLayers(frame);
    expect(layers.map((l) => l.proto).slice(0, 5)).toEqual(["eth", "ipv4", "gre", "erspan", "eth"]);
    expect(layers[3]).toEqual({ proto: "erspan", ...erspan });
    expect(layers[4]).toMatchObject({ type: "0x0806", src: "fa:16:3e:0b:00:01" });
  });

  it("-V says why a type I layer is there", () => {
    const frame = decodeFrame(hex(`${OUTER} 0000 88be ${MIRRORED}`), 1);
    expect(formatLayerTree(frame).join("\n")).toMatch(/note: ERSPAN type I has no header/);
  });
});
