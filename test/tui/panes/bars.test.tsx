import { render } from "ink-testing-library";
import { describe, expect, it } from "vitest";
import { U32List } from "../../../src/tui/data/growable.js";
import { cut, HelpBox, helpLines, statusLine, titleLine } from "../../../src/tui/panes/bars.js";
import { initialState } from "../../../src/tui/state.js";
import type { Line } from "../../../src/tui/view.js";
import { demoData } from "../../support/tui.js";

const text = (l: Line): string => l.map((s) => s.text).join("");

describe("bars", () => {
  it("the title: name, frames, replay progress, filter; the name gives way when the line is too long", async () => {
    const data = await demoData();
    data.source?.indexAll();
    let t = text(titleLine(data, null, false, 200));
    expect(t).toMatch(/^ovspath {2}demo {2}14 frames {2}replay \[░+\] 0$/);
    while (data.replay && !data.replay.step(50)) {
      // until done
    }
    const matches = { label: "arp", list: U32List.of([1, 2]) };
    t = text(titleLine(data, matches, true, 200));
    expect(t).toContain("replayed: 5 delivered, 5 tunneled, 4 dropped");
    expect(t).toContain("filter: arp (2)");
    expect(text(titleLine(data, matches, false, 200))).toContain("marked: arp (2)");
    const narrow = text(
      titleLine({ ...data, title: "a-very-long-capture-name-that-does-not-fit.pcap" }, null, false, 60),
    );
    expect([...narrow].length).toBeLessThanOrEqual(60);
    expect(narrow).toContain("replayed:");
  });

  it("the status: keys, a message, the prompt, the prompt's error with its column inverted", () => {
    const s = initialState();
    expect(text(statusLine(s, undefined, 8, 14, 200))).toMatch(/^frame 8 \(row 1 of 14\) · Tab pane/);
    expect(text(statusLine(s, "no later match", 8, 14, 200))).toBe("no later match");
    const v = statusLine(s, undefined, 8, 14, 200, {
      kind: "dropped",
      summary: "dropped c1 br-int table 25",
    });
    expect(text(v)).toMatch(/^frame 8 \(row 1 of 14\) · dropped c1 br-int table 25 · Tab pane/);
    expect(v[1].tone).toBe("drop");
    const p = { ...s, prompt: { text: "ip.src ==" } };
    expect(text(statusLine(p, undefined, 8, 14, 200))).toMatch(/^\/ip\.src == {4}Enter apply/);
    const e = { ...s, prompt: { text: "ip.src === 1", error: { message: "unexpected =", column: 10 } } };
    const line = statusLine(e, undefined, 8, 14, 200);
    expect(text(line)).toBe("/ip.src === 1   ✗ column 10: unexpected =");
    expect(line.find((x) => x.inverse)?.text).toBe("=");
    // Never mid-word: cut at the last space that fits, "…" saying so; a word that does not fit is left out.
    expect(text(cut([{ text: "abc def" }, { text: "gh" }], 6))).toBe("abc…");
    expect(text(cut([{ text: "abc" }, { text: "defgh" }], 6))).toBe("abc");
    expect(text(cut([{ text: "abcdef" }, { text: "gh" }], 4))).toBe("");
  });

  it.each([
    [
      200,
      "frame 8 (row 1 of 14) · dropped compute1 br-int table 25 (anti-spoofing) · Tab pane · / filter · n/N match · d/D drop · Enter open · ? help · q quit",
    ],
    [
      120,
      "frame 8 (row 1 of 14) · dropped compute1 br-int table 25 (anti-spoofing) · Tab pane · / filter · d/D drop · ? help",
    ],
    [80, "frame 8 · dropped compute1 br-int table 25 (anti-spoofing) · d/D drop · ? help"],
    [60, "frame 8 · dropped compute1 br-int table 25 (anti-spoofing)"],
    [40, "frame 8 · dropped compute1 br-int table…"],
  ])("the status at %i columns: shortened by priority, never cut mid-word", (columns, want) => {
    const v = { kind: "dropped" as const, summary: "dropped compute1 br-int table 25 (anti-spoofing)" };
    expect(text(statusLine(initialState(), undefined, 8, 14, columns, v))).toBe(want);
  });

  it("a partly dropped frame says so in the status", () => {
    const v = {
      kind: "delivered" as const,
      summary: "delivered c1:tap; dropped c2 br-tun table 4",
      partial: true,
    };
    const line = statusLine(initialState(), undefined, 3, 4, 200, v);
    expect(text(line)).toContain("PARTLY DROPPED: delivered c1:tap; dropped c2 br-tun table 4 · ");
    expect(line[1].tone).toBe("drop");
  });

  it.each([40, 60, 100])(
    "the help at %i columns: wrapped at words under each key, never wider",
    (columns) => {
      const lines = helpLines(columns);
      for (const l of lines) expect([...l].length).toBeLessThanOrEqual(columns - 2);
      const words = lines.join(" ").split(/\s+/);
      // Every word of the key table is whole somewhere.
      expect(words).toContain("expand/collapse;");
      expect(words).toContain("(ip.src");
      expect(lines.some((l) => l.includes("q  Ctrl-C"))).toBe(true);
    },
  );

  it("the help lists the keys", () => {
    const r = render(<HelpBox columns={100} rows={20} />);
    const out = r.lastFrame() ?? "";
    expect(out).toContain("ovspath tui: keys");
    expect(out).toContain("n N");
    expect(out).toContain("q  Ctrl-C");
    r.unmount();
  });
});
