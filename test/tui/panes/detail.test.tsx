import { join } from "node:path";
import { render } from "ink-testing-library";
import { describe, expect, it } from "vitest";
import { loadHosts } from "../../../src/dumps/host/load.js";
import { switchesOf } from "../../../src/pipeline/index.js";
import { resolveAt } from "../../../src/pipeline/ingress.js";
import { CaptureSource } from "../../../src/tui/data/capture-source.js";
import { ReplayRunner } from "../../../src/tui/data/replay-runner.js";
import type { PaneBox } from "../../../src/tui/layout.js";
import {
  type DetailProps,
  DropsPane,
  FlowsPane,
  HexPane,
  LayersPane,
  PathPane,
  TracePane,
} from "../../../src/tui/panes/detail.js";
import {
  dropLines,
  flowLines,
  hexLines,
  layerLines,
  pathLines,
  traceLines,
  wrapLines,
} from "../../../src/tui/view.js";
import { DEMO, DEMO_CAPTURE } from "../../support/tui.js";

const theme = { color: false };
const box = (pane: PaneBox["pane"]): PaneBox => ({ pane, x: 0, y: 0, width: 100, height: 14 });

async function demoFrame8() {
  const hosts = await loadHosts(join(DEMO, "hosts"));
  const switches = switchesOf(hosts);
  const at = resolveAt(switches, "compute1:qvo8c2d4e6f-1a");
  if (typeof at === "string") throw new Error(at);
  const r = ReplayRunner.open(DEMO_CAPTURE, switches, { at });
  const s = CaptureSource.open(DEMO_CAPTURE);
  if (!r.ok || !s.ok) throw new Error("cannot open the demo capture");
  while (!r.value.step(50)) {
    // until done
  }
  s.value.indexAll();
  const detail = s.value.detail(8);
  const verdict = r.value.verdict(8);
  if (!detail || !verdict) throw new Error("no frame 8");
  return { hosts, detail, verdict, groups: r.value.drops() };
}

function show(Pane: (p: DetailProps) => React.JSX.Element, props: DetailProps): string[] {
  const r = render(<Pane {...props} />);
  const out = (r.lastFrame() ?? "").split("\n");
  r.unmount();
  return out;
}

describe("detail panes on the demo's frame 8 (dropped in br-int table 25)", () => {
  it("layers: the tree with the ICMP layer expanded, the cursor on a line", async () => {
    const { detail } = await demoFrame8();
    const lines = layerLines(detail.decoded, new Set(["icmp@0"])).lines;
    const out = show(LayersPane, {
      box: box("layers"),
      focused: true,
      theme,
      lines,
      top: 0,
      cursor: 2,
      note: "frame 8",
    });
    expect(out[0]).toMatch(/╔═ ▶ layers ═+ frame 8 ╗/);
    expect(out[1]).toContain("▸ Ethernet II [eth, bytes 0-13]");
    expect(out[2]).toContain("▸ Internet Protocol Version 4 [ipv4, bytes 14-33]");
    expect(out[3]).toContain("▾ Internet Control Message Protocol [icmp, bytes 34-");
    expect(out.join("\n")).toContain("type: 8");
  });

  it("hex: the frame's bytes, from the scroll position", async () => {
    const { detail } = await demoFrame8();
    const lines = hexLines(detail.data, { offset: 14, length: 20 }, 16);
    const out = show(HexPane, { box: box("hex"), focused: false, theme, lines, top: 1, note: "ipv4 14-33" });
    expect(out[1]).toMatch(/^│0010 {2}/);
  });

  it("path: the hops and the drop point", async () => {
    const { verdict } = await demoFrame8();
    const out = show(PathPane, {
      box: box("path"),
      focused: false,
      theme,
      lines: pathLines(verdict, "dropped", false),
      top: 0,
    });
    expect(out.join("\n")).toContain("● in  br-int qvo8c2d4e6f-1a [vlan 1]");
    expect(out.join("\n")).toContain("✗   br-int table 25  ← dropped here");
  });

  it("trace: why, the near misses and OVS's trace text, scrolled", async () => {
    const { verdict } = await demoFrame8();
    const lines = wrapLines(traceLines(verdict, "dropped", false), 98);
    const out = show(TracePane, { box: box("trace"), focused: true, theme, lines, top: 0 });
    const text = out.join("\n");
    expect(text).toContain("why: no anti-spoofing flow in br-int table 25 admits this source (table miss)");
    expect(text).toContain("br-int table 25 priority 2 (ovs-ofctl_-O_OpenFlow13_dump-flows_br-int:23):");
    const end = show(TracePane, { box: box("trace"), focused: true, theme, lines, top: lines.length - 12 });
    expect(end.join("\n")).toContain("25. No match.");
    expect(end[0]).toMatch(/\d+-\d+\/\d+ ╗$/);
  });

  it("flows: the bridges and tables with counters", async () => {
    const { hosts } = await demoFrame8();
    const out = show(FlowsPane, {
      box: box("flows"),
      focused: true,
      theme,
      lines: flowLines(hosts).lines,
      top: 0,
      cursor: 0,
    });
    expect(out[1]).toContain("host compute1");
    expect(out.join("\n")).toMatch(/table 0 {2}\(\d+ flows\)/);
  });

  it("drops: the groups by host, bridge, table and reason", async () => {
    const { groups } = await demoFrame8();
    const out = show(DropsPane, {
      box: box("drops"),
      focused: true,
      theme,
      lines: dropLines(groups, false, true),
      top: 0,
      cursor: 1,
      note: "3 groups",
    });
    expect(out[1]).toContain("2  compute1 br-int table 24  anti-spoofing  frames 9,14");
    expect(out[2]).toContain("1  compute1 br-int table 25  anti-spoofing  frames 8");
    expect(out[3]).toContain("1  compute1 br-int table 60  vlan-mismatch  frames 10");
  });
});
