import { describe, expect, it } from "vitest";
import { ANSWER_FIRST, layout, paneAt, usedRows } from "../../src/tui/layout.js";

describe("layout", () => {
  it("80×24: the list and one detail pane, everything inside the screen", () => {
    const l = layout(80, 24, "layers");
    expect(l.details.map((d) => d.pane)).toEqual(["layers"]);
    const bottom = Math.max(...[l.list, ...l.details].map((b) => b.y + b.height));
    expect(bottom).toBe(usedRows(24) - 1);
    expect(l.listRows).toBeGreaterThanOrEqual(4);
    expect(l.detailRows).toBeGreaterThanOrEqual(6);
    expect(layout(80, 24, "trace").details.map((d) => d.pane)).toEqual(["trace"]);
  });

  it("wider terminals: two or three detail panes side by side, a page holding the shown pane", () => {
    expect(layout(120, 40, "trace").details.map((d) => d.pane)).toEqual(["path", "trace"]);
    expect(layout(200, 50, "flows").details.map((d) => d.pane)).toEqual(["trace", "flows", "drops"]);
    const widths = layout(200, 50, "layers").details.map((d) => d.width);
    expect(widths.reduce((a, b) => a + b, 0)).toBe(200);
  });

  it("with a replay, the answer first: trace and path on the first page, the layers beside their bytes next", () => {
    const panes = (cols: number, shown: Parameters<typeof layout>[2]) =>
      layout(cols, 40, shown, undefined, ANSWER_FIRST).details.map((d) => d.pane);
    expect(panes(80, "trace")).toEqual(["trace"]);
    expect(panes(120, "trace")).toEqual(["trace", "path"]);
    expect(panes(120, "hex")).toEqual(["layers", "hex"]);
    expect(panes(200, "trace")).toEqual(["trace", "path", "flows"]);
    expect(panes(200, "hex")).toEqual(["layers", "hex", "drops"]);
  });

  it("a short list gives its room to the detail panes", () => {
    const full = layout(120, 40, "layers");
    const short = layout(120, 40, "layers", 3);
    expect(short.list.height).toBe(6);
    expect(short.detailRows).toBe(full.detailRows + full.list.height - 6);
    expect(layout(120, 40, "layers", 1000).list.height).toBe(full.list.height);
  });

  it("paneAt finds the pane under a 1-based cell", () => {
    const l = layout(120, 40, "layers");
    expect(paneAt(l, 1, 1)).toBeUndefined();
    expect(paneAt(l, 5, 3)).toBe("list");
    expect(paneAt(l, 5, l.details[0].y + 2)).toBe("layers");
    expect(paneAt(l, 100, l.details[0].y + 2)).toBe("hex");
    expect(paneAt(l, 5, 40)).toBeUndefined();
  });

  it("a tiny terminal still lays out without negative sizes", () => {
    const l = layout(20, 5, "layers");
    expect(l.listRows).toBeGreaterThan(0);
    for (const b of [l.list, ...l.details]) expect(b.height).toBeGreaterThanOrEqual(0);
  });
});
