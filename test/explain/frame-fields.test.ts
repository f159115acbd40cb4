import { describe, expect, it } from "vitest";
import type { Layer } from "../../src/decode/index.js";
import { FRAME_SPECS, protocolNames } from "../../src/explain/frame-fields.js";

const layer = (proto: string, fields: Layer["fields"] = {}): Layer => ({
  proto,
  offset: 0,
  length: 0,
  depth: 0,
  fields,
});

describe("protocolNames: each layer by its filter protocol's name", () => {
  it.each([
    [
      [layer("eth", { type: "0x0800" }), layer("ipv4"), layer("udp")],
      ["eth", "ip", "udp"],
    ],
    // An S-tag (after 0x88a8) is ieee8021ad, the C-tag inside it vlan, as tshark names them.
    [
      [layer("eth", { type: "0x88a8" }), layer("vlan"), layer("vlan", { type: "0x0800" }), layer("ipv4")],
      ["eth", "ieee8021ad", "vlan", "ip"],
    ],
    [
      [layer("sll", { type: "0x86dd" }), layer("ipv6")],
      ["sll", "ipv6"],
    ],
    [
      [layer("eth"), layer("undeclared")],
      ["eth", "undeclared"],
    ],
  ])("%#", (layers, names) => {
    expect(protocolNames(layers)).toEqual(names);
  });
});

describe("FRAME_SPECS", () => {
  it("has the frame's own fields, then each protocol followed by its fields", () => {
    const names = FRAME_SPECS.map((s) => s.name);
    expect(names.slice(0, 3)).toEqual(["frame", "frame.number", "frame.len"]);
    expect(names.indexOf("ip")).toBeLessThan(names.indexOf("ip.src"));
    expect(names.indexOf("ip.src")).toBeLessThan(names.indexOf("ipv6"));
  });

  it("computes a field over every layer of its protocol (outer and inner ip.src)", () => {
    const layers = [layer("ipv4", { src: "10.0.0.1" }), layer("udp"), layer("ipv4", { src: "192.168.0.1" })];
    const spec = FRAME_SPECS.find((s) => s.name === "ip.src");
    const ctx = { info: { number: 1, length: 0, captured: 0 }, layers, names: protocolNames(layers) };
    expect(spec?.get(ctx)).toEqual(["10.0.0.1", "192.168.0.1"]);
    expect(FRAME_SPECS.find((s) => s.name === "ip")?.get(ctx)).toEqual([true, true]);
  });
});
