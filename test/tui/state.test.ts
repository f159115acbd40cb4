import { describe, expect, it } from "vitest";
import { type Action, initialState, reduce, type TuiState, type ViewCtx } from "../../src/tui/state.js";

const ctx = (over: Partial<ViewCtx> = {}): ViewCtx => ({
  rows: 100,
  listHeight: 10,
  paneHeight: { layers: 5, hex: 5, path: 5, trace: 5, flows: 5, drops: 5 },
  lines: { layers: 8, hex: 20, path: 3, trace: 40, flows: 12, drops: 2 },
  layerKeyAt: (line) => (line === 0 ? "eth@0" : line === 1 ? "ipv4@0" : undefined),
  ...over,
});

const run = (actions: Action[], c = ctx(), s: TuiState = initialState()) =>
  actions.reduce((acc, a) => reduce(acc, a, c), s);

describe("reduce", () => {
  it("moves the list selection and keeps it inside the scroll window", () => {
    const s = run([{ type: "move", delta: 12 }]);
    expect(s.selected).toBe(12);
    expect(s.top).toBe(3);
    expect(run([{ type: "move", delta: -5 }]).selected).toBe(0);
    expect(run([{ type: "end" }]).selected).toBe(99);
    expect(run([{ type: "end" }]).top).toBe(90);
    expect(run([{ type: "end" }, { type: "home" }])).toMatchObject({ selected: 0, top: 0 });
  });

  it("pages by the list's height less one", () => {
    expect(run([{ type: "page", dir: 1 }]).selected).toBe(9);
    expect(
      run([
        { type: "page", dir: 1 },
        { type: "page", dir: 1 },
        { type: "page", dir: -1 },
      ]).selected,
    ).toBe(9);
  });

  it("a new frame resets the detail panes' cursors and scroll", () => {
    const s = run([
      { type: "focus", pane: "trace" },
      { type: "move", delta: 7 },
    ]);
    expect(s.tops.trace).toBe(7);
    const t = run(
      [
        { type: "focus", pane: "list" },
        { type: "move", delta: 1 },
      ],
      ctx(),
      s,
    );
    expect(t.tops.trace).toBe(0);
  });

  it("scrolls the scrolling panes within their content, moves the cursor panes' cursor", () => {
    const s = run([{ type: "focus", pane: "hex" }, { type: "end" }]);
    expect(s.tops.hex).toBe(15);
    const f = run([
      { type: "focus", pane: "flows" },
      { type: "move", delta: 9 },
    ]);
    expect(f.cursors.flows).toBe(9);
    expect(f.tops.flows).toBe(5);
    expect(
      run([
        { type: "focus", pane: "drops" },
        { type: "move", delta: 9 },
      ]).cursors.drops,
    ).toBe(1);
  });

  it("cycles the focus through every pane, both ways, remembering the last detail pane", () => {
    const order = [];
    let s = initialState();
    for (let i = 0; i < 7; i++) {
      s = reduce(s, { type: "cycle", dir: 1 }, ctx());
      order.push(s.focus);
    }
    expect(order).toEqual(["layers", "hex", "path", "trace", "flows", "drops", "list"]);
    expect(s.detail).toBe("drops");
    expect(reduce(initialState(), { type: "cycle", dir: -1 }, ctx()).focus).toBe("drops");
  });

  it("toggles the layer under the cursor, and only a layer heading", () => {
    const s = run([{ type: "toggle-layer" }]);
    expect([...s.expanded]).toEqual(["eth@0"]);
    expect([...run([{ type: "toggle-layer" }], ctx(), s).expanded]).toEqual([]);
    const t = run([{ type: "focus", pane: "layers" }, { type: "move", delta: 2 }, { type: "toggle-layer" }]);
    expect(t.expanded.size).toBe(0);
  });

  it("cursor puts a pane's cursor on a line, kept on screen", () => {
    const s = run([{ type: "cursor", pane: "flows", line: 11 }]);
    expect(s.cursors.flows).toBe(11);
    expect(s.tops.flows).toBe(7);
  });

  it("the wheel scrolls the pane it is over, whatever has the focus", () => {
    const s = run([{ type: "wheel", pane: "trace", delta: 3 }]);
    expect(s.focus).toBe("list");
    expect(s.tops.trace).toBe(3);
    expect(run([{ type: "wheel", pane: "list", delta: 3 }]).selected).toBe(3);
  });

  it("edits the prompt; an error stays until the text changes; cancel closes it", () => {
    let s = run([
      { type: "prompt-open" },
      { type: "prompt-input", text: "ip.src" },
      { type: "prompt-input", text: " ==" },
    ]);
    expect(s.prompt).toEqual({ text: "ip.src ==" });
    s = run([{ type: "prompt-error", message: "expected a value", column: 10 }], ctx(), s);
    expect(s.prompt?.error).toEqual({ message: "expected a value", column: 10 });
    s = run([{ type: "prompt-backspace" }], ctx(), s);
    expect(s.prompt).toEqual({ text: "ip.src =" });
    expect(run([{ type: "prompt-cancel" }], ctx(), s).prompt).toBeNull();
    // Without an open prompt, input does nothing.
    expect(run([{ type: "prompt-input", text: "x" }]).prompt).toBeNull();
  });

  it("help toggles, quit is recorded, clamp brings the selection back into a smaller list", () => {
    expect(run([{ type: "help" }]).help).toBe(true);
    expect(run([{ type: "help" }, { type: "help" }]).help).toBe(false);
    expect(run([{ type: "quit" }]).quit).toBe(true);
    const s = run([{ type: "end" }]);
    const c = run([{ type: "clamp" }], ctx({ rows: 20 }), s);
    expect(c).toMatchObject({ selected: 19, top: 10 });
  });

  it("an empty list keeps the selection at 0", () => {
    expect(run([{ type: "move", delta: 5 }, { type: "end" }], ctx({ rows: 0 }))).toMatchObject({
      selected: 0,
      top: 0,
    });
  });

  it("flows-show cycles all → hit → unhit → all and puts the flows cursor back at the top", () => {
    let s = run([
      { type: "focus", pane: "flows" },
      { type: "move", delta: 3 },
    ]);
    expect(s.cursors.flows).toBe(3);
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      s = reduce(s, { type: "flows-show" }, ctx());
      seen.push(s.flowsShow);
      expect(s.cursors.flows).toBe(0);
    }
    expect(seen).toEqual(["hit", "unhit", "all"]);
  });
});
