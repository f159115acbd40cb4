import { describe, expect, it } from "vitest";
import { decodeFrame } from "../../src/decode/index.js";
import type { FrameVerdict } from "../../src/explain/types.js";
import {
  dropLines,
  fitText,
  hexLines,
  hexWidth,
  keepFlows,
  type Line,
  layerLines,
  listLine,
  markLine,
  pathLines,
  traceLines,
  wrapLines,
} from "../../src/tui/view.js";

const text = (l: Line): string => l.map((s) => s.text).join("");

// Ethernet + IPv4 + UDP to 4789 + VXLAN 100 + inner Ethernet + ARP: a tunnel nests the inner layers.
const vxlanArp = Uint8Array.from(
  Buffer.from(
    "02000000000202000000000108004500004e000040004011000a0a00000b0a00000c12b512b5003a0000080000000000640" +
      "0ffffffffffff0200000000050806000108000604000102000000000 5c0a80a05000000000000c0a80a06".replace(
        / /g,
        "",
      ),
    "hex",
  ),
);

describe("view", () => {
  it("fitText cuts with … and pads to the width", () => {
    expect(fitText("abcdef", 4)).toBe("abc…");
    expect(fitText("ab", 4)).toBe("ab  ");
    expect(fitText("x", 0)).toBe("");
  });

  it("a list line: number, time, verdict, summary; * marks a match", () => {
    expect(text(listLine(8, "9.333224", "a → b", "dropped", { verdict: true }, true))).toBe(
      "*     8    9.333224 DROPPED    a → b",
    );
    expect(text(listLine(8, "9.333224", "a → b", "pending", { verdict: true }, false))).toContain("…");
    const partial = listLine(3, "0.056602", "a → b", "partial", { verdict: true }, false);
    expect(text(partial)).toContain(" PARTIAL    a → b");
    expect(partial[1].tone).toBe("drop");
    expect(text(listLine(8, "-", "a → b", undefined, { verdict: false }, false))).toBe(
      "      8           - a → b",
    );
  });

  it("layers: collapsed headings, an expanded layer's fields, tunnels indented by depth", () => {
    const d = decodeFrame(vxlanArp, 1);
    const collapsed = layerLines(d, new Set());
    expect(collapsed.lines.map(text)[0]).toBe("▸ Ethernet II [eth, bytes 0-13]");
    expect(collapsed.lines.map(text)).toContain("    ▸ Address Resolution Protocol [arp, bytes 64-91]");
    expect(collapsed.keys).toContain("arp@1");
    const open = layerLines(d, new Set(["arp@1"]));
    expect(open.lines.map(text)).toContain("    ▾ Address Resolution Protocol [arp, bytes 64-91]");
    expect(open.lines.map(text).some((l) => l.includes("tpa: 192.168.10.6"))).toBe(true);
    // Every field line belongs to its layer (the hex pane highlights that layer).
    const i = open.lines.findIndex((l) => text(l).includes("tpa:"));
    expect(d.layers[open.layerOf[i]].proto).toBe("arp");
  });

  it("hex: 16 or 8 bytes a line, the highlighted bytes inverted", () => {
    const lines = hexLines(vxlanArp, { offset: 14, length: 20 }, 16);
    expect(lines.length).toBe(Math.ceil(vxlanArp.length / 16));
    expect(text(lines[0])).toMatch(/^0000 {2}02 00 00 00 00 02 02 00 {2}00 00 00 01 08 00 45 00 {2}/);
    expect(text(lines[0]).length).toBe(hexWidth(16));
    const inv = lines[0].filter((s) => s.inverse).map((s) => s.text);
    expect(inv[0]).toBe("45 00");
    expect(
      hexLines(vxlanArp, undefined, 8)[1]
        .map((s) => s.text)
        .join(""),
    ).toMatch(/^0008 {2}/);
    expect(text(hexLines(new Uint8Array(), undefined, 16)[0])).toBe("(no bytes captured)");
  });

  const drop: FrameVerdict = {
    frame: 3,
    verdict: "dropped",
    branches: [],
    partial: false,
    summary: "dropped compute2 br-tun table 4 (unknown-tunnel-id)",
    hops: [
      { host: "compute2", bridge: "br-tun", port: "vxlan-0a00000b", kind: "tunnel-in", segment: "vxlan 100" },
      { host: "compute2", bridge: "br-tun", port: "table 4", kind: "drop" },
    ],
    drop: {
      host: "compute2",
      bridge: "br-tun",
      table: 4,
      reason: "unknown-tunnel-id",
      detail: "no flow in br-tun table 4 matches tun_id=0x64",
      nearMisses: [
        {
          host: "compute2",
          bridge: "br-tun",
          table: 4,
          priority: 1,
          cookie: "0x1",
          file: "/x/y/ovs-ofctl_dump-flows_br-tun",
          line: 24,
          text: "table=4,priority=1,tun_id=0x3e9 actions=mod_vlan_vid:1,resubmit(,10)",
          mismatches: [{ field: "tun_id", expected: "0x3e9", actual: "0x64" }],
        },
      ],
    },
    traces: [],
    cached: false,
  };

  it("path: hops by host, the drop point marked", () => {
    const lines = pathLines(drop, "dropped", false).map(text);
    expect(lines[0]).toBe("dropped compute2 br-tun table 4 (unknown-tunnel-id)");
    expect(lines[1]).toBe("compute2");
    expect(lines[2]).toBe("  ● ⇐   br-tun vxlan-0a00000b [vxlan 100]");
    expect(lines[3]).toBe("  ↓ ✗   br-tun table 4  ← dropped here");
  });

  it("path and trace without a kept verdict say why", () => {
    expect(text(pathLines(undefined, undefined, true)[0])).toContain("replaying");
    expect(text(pathLines(undefined, undefined, false)[0])).toContain("no hosts loaded");
    expect(text(traceLines(undefined, "delivered", false)[0])).toContain("were not kept");
  });

  it("trace: why, the near misses with the dump file's name and line", () => {
    const lines = traceLines(drop, "dropped", false).map(text);
    expect(lines).toContain("why: no flow in br-tun table 4 matches tun_id=0x64");
    expect(lines).toContain(
      "  br-tun table 4 priority 1 (ovs-ofctl_dump-flows_br-tun:24): tun_id=0x3e9 expected, frame has tun_id=0x64",
    );
  });

  it("escapes what came from input", () => {
    const evil: FrameVerdict = {
      ...drop,
      summary: "dropped \u001b[2J",
      hops: [{ host: "h\u001b]0;x\u0007", port: "p", kind: "in" }],
    };
    const all = [...pathLines(evil, "dropped", false), ...traceLines(evil, "dropped", false)]
      .map(text)
      .join("\n");
    expect(all).not.toContain("\u001b");
    expect(all).toContain("\\e[2J");
  });

  it("drops: one line per group, or why there is none", () => {
    const g = [
      {
        host: "c2",
        bridge: "br-tun",
        table: 4,
        reason: "unknown-tunnel-id" as const,
        detail: "d",
        frames: [1, 2, 3, 4, 5, 6, 7],
      },
    ];
    expect(text(dropLines(g, false, true)[0])).toBe(
      "     7  c2 br-tun table 4  unknown-tunnel-id  frames 1,2,3,4,5,6,…  d",
    );
    expect(text(dropLines([], true, true)[0])).toContain("no drop so far");
    expect(text(dropLines([], false, false)[0])).toContain("no hosts loaded");
  });

  it("markLine puts ▶ in the first cell and tones the line", () => {
    const m = markLine([{ text: "      9 n_packets=7 priority=9" }]);
    expect(text(m)).toBe("▶     9 n_packets=7 priority=9");
    expect(m.every((x) => x.tone === "mark")).toBe(true);
  });

  it("wrapLines breaks at spaces, indents continuations, keeps the styles", () => {
    const l: Line = [
      { text: "why: ", tone: "drop" },
      { text: "no flow in br-tun table 4 matches tun_id=0x64" },
    ];
    const w = wrapLines([l], 20);
    expect(w.map(text)).toEqual(["why: no flow in ", "  br-tun table 4 ", "  matches ", "  tun_id=0x64"]);
    expect(w[0][0]).toEqual({ text: "why: ", tone: "drop" });
    expect(wrapLines([l], 200)).toEqual([l]);
  });

  it("path: a flood's forks as indented branches, each by host; partly dropped said so", () => {
    const hop = (host: string, port: string, kind: "in" | "out" | "drop" | "tunnel-out" | "tunnel-in") => ({
      host,
      bridge: "br-int",
      port,
      kind,
    });
    const flood: FrameVerdict = {
      frame: 3,
      verdict: "delivered",
      branches: [
        { kind: "delivered", host: "c1", text: "c1:tap1" },
        { kind: "dropped", host: "c2", text: "dropped c2 br-tun table 4 (unknown-tunnel-id)" },
      ],
      partial: true,
      summary: "delivered c1:tap1; dropped c2 br-tun table 4 (unknown-tunnel-id)",
      hops: [],
      tree: {
        hops: [hop("c1", "qvo1", "in")],
        forks: [
          { hops: [hop("c1", "tap1", "out")], forks: [] },
          {
            hops: [
              hop("c1", "vxlan-c2", "tunnel-out"),
              hop("c2", "vxlan-c1", "tunnel-in"),
              hop("c2", "table 4", "drop"),
            ],
            forks: [],
          },
        ],
      },
      traces: [],
      cached: false,
    };
    flood.hops = [flood.tree?.hops ?? [], ...(flood.tree?.forks.map((f) => f.hops) ?? [])].flat();
    expect(pathLines(flood, "delivered", false).map(text)).toEqual([
      "PARTLY DROPPED: delivered c1:tap1; dropped c2 br-tun table 4 (unknown-tunnel-id)",
      "c1",
      "  ● in  br-int qvo1",
      "  ├─ branch 1 of 2",
      "  │ c1",
      "  │   ↓ out br-int tap1",
      "  └─ branch 2 of 2",
      "    c1",
      "      ↓ ⇒   br-int vxlan-c2",
      "    c2",
      "      ↓ ⇐   br-int vxlan-c1",
      "      ↓ ✗   br-int table 4  ← dropped here",
    ]);
  });

  it.each([
    ["hit", ["host h", "  br-int", "    table 0", "a:1", "    table 4", "c:3"]],
    ["unhit", ["host h", "  br-int", "    table 0", "b:2"]],
  ] as const)("keepFlows: only the %s flows, under their headings", (which, want) => {
    const head = (t: string) => [{ text: t }];
    const fl = {
      lines: [
        head("host h"),
        head("  br-int"),
        head("    table 0"),
        head("a:1"),
        head("b:2"),
        head("    table 4"),
        head("c:3"),
      ],
      keys: [undefined, undefined, undefined, "a:1", "b:2", undefined, "c:3"],
    };
    const hit = new Set(["a:1", "c:3"]);
    const kept = keepFlows(fl, (k) => hit.has(k) === (which === "hit"));
    expect(kept.lines.map(text)).toEqual(want);
    expect(kept.keys.filter((k) => k !== undefined)).toEqual(want.filter((l) => l.includes(":")));
  });
});
