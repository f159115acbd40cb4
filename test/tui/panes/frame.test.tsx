import { render } from "ink-testing-library";
import { describe, expect, it, vi } from "vitest";
import { fitSegs, PaneFrame, type PaneFrameProps } from "../../../src/tui/panes/frame.js";

const box = { pane: "trace" as const, x: 0, y: 0, width: 30, height: 5 };

/** The rows a 30×5 unfocused "trace" pane draws, the props given overriding those defaults. */
function drawn(props: Partial<PaneFrameProps>): string[] {
  const r = render(
    <PaneFrame box={box} title="trace" focused={false} theme={{ color: false }} lines={[]} {...props} />,
  );
  const rows = (r.lastFrame() ?? "").split("\n");
  r.unmount();
  return rows;
}

describe("PaneFrame", () => {
  it("draws a box exactly its size, the title in the top border, the lines cut to fit", () => {
    const lines = [
      [{ text: "a line much longer than the pane is wide" }],
      [{ text: "two" }],
      [{ text: "three" }],
      [{ text: "four" }],
    ];
    const rows = drawn({ lines, info: "1-3/4" });
    for (const row of rows) expect([...row].length).toBe(30);
    expect(rows[0]).toMatch(/^┌─ trace ─+ 1-3\/4 ┐$/);
    expect(rows.slice(1)).toEqual([
      "│a line much longer than the…│",
      "│two                         │",
      "│three                       │",
      "└────────────────────────────┘",
    ]);
  });

  it("draws a line with empty segments without React's duplicate-key complaint", () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const rows = drawn({ lines: [[{ text: "" }, { text: "why" }, { text: "" }, { text: ": drop" }]] });
    expect(rows[1]).toBe("│why: drop                   │");
    expect(errors.mock.calls.map((c) => String(c[0]))).toEqual([]);
    errors.mockRestore();
  });

  it("the focused pane has a double border and a marker", () => {
    expect(drawn({ focused: true })[0]).toBe("╔═ ▶ trace ══════════════════╗");
  });

  it("fitSegs keeps styles, cuts the segment that overflows and pads", () => {
    expect(fitSegs([{ text: "ab", tone: "drop" }, { text: "cdef" }], 4)).toEqual([
      { text: "ab", tone: "drop" },
      { text: "c…" },
    ]);
    expect(fitSegs([{ text: "ab" }], 4)).toEqual([{ text: "ab" }, { text: "  " }]);
  });
});
