import { describe, expect, it } from "vitest";
import { type KeyInfo, keyCommand, NO_KEY, parseMouse } from "../../src/tui/keys.js";
import { initialState, type TuiState } from "../../src/tui/state.js";

const NONE = NO_KEY;
const k = (over: Partial<KeyInfo>): KeyInfo => ({ ...NONE, ...over });
const base = initialState();
const at = (over: Partial<TuiState>): TuiState => ({ ...base, ...over });

describe("keyCommand", () => {
  it.each([
    ["j", NONE, { type: "move", delta: 1 }],
    ["k", NONE, { type: "move", delta: -1 }],
    ["", k({ downArrow: true }), { type: "move", delta: 1 }],
    ["", k({ upArrow: true }), { type: "move", delta: -1 }],
    ["", k({ pageDown: true }), { type: "page", dir: 1 }],
    ["", k({ pageUp: true }), { type: "page", dir: -1 }],
    ["f", k({ ctrl: true }), { type: "page", dir: 1 }],
    ["b", k({ ctrl: true }), { type: "page", dir: -1 }],
    ["g", NONE, { type: "home" }],
    ["G", NONE, { type: "end" }],
    ["", k({ tab: true }), { type: "cycle", dir: 1 }],
    ["", k({ tab: true, shift: true }), { type: "cycle", dir: -1 }],
    ["[Z", NONE, { type: "cycle", dir: -1 }],
    ["/", NONE, { type: "prompt-open" }],
    ["n", NONE, { type: "next-match", dir: 1 }],
    ["N", NONE, { type: "next-match", dir: -1 }],
    ["d", NONE, { type: "next-drop", dir: 1 }],
    ["D", NONE, { type: "next-drop", dir: -1 }],
    ["h", NONE, undefined],
    ["?", NONE, { type: "help" }],
    ["q", NONE, { type: "quit" }],
    ["c", k({ ctrl: true }), { type: "quit" }],
    ["5", NONE, { type: "focus", pane: "trace" }],
    ["7", NONE, { type: "focus", pane: "drops" }],
    ["x", NONE, undefined],
  ] as const)("%j %j in the list", (input, key, want) => {
    expect(keyCommand(input, key, base)).toEqual(want);
  });

  it("h cycles the flows pane's listing only where the flows pane has the focus", () => {
    expect(keyCommand("h", NONE, at({ focus: "flows" }))).toEqual({ type: "flows-show" });
  });

  it("Enter opens the layers from the list, toggles a layer, opens a drop group", () => {
    const enter = k({ return: true });
    expect(keyCommand("", enter, base)).toEqual({ type: "focus", pane: "layers" });
    expect(keyCommand("", enter, at({ focus: "layers" }))).toEqual({ type: "toggle-layer" });
    expect(keyCommand("", enter, at({ focus: "drops" }))).toEqual({ type: "open-drop-group" });
    expect(keyCommand("", enter, at({ focus: "flows" }))).toEqual({ type: "next-flow" });
    expect(keyCommand("", enter, at({ focus: "hex" }))).toBeUndefined();
  });

  it("Esc clears the filter in the list, goes back to the list elsewhere", () => {
    expect(keyCommand("", k({ escape: true }), base)).toEqual({ type: "clear-filter" });
    expect(keyCommand("", k({ escape: true }), at({ focus: "trace" }))).toEqual({
      type: "focus",
      pane: "list",
    });
  });

  it("in the prompt, keys are text; Enter applies, Esc cancels, Backspace deletes; control characters are dropped", () => {
    const p = at({ prompt: { text: "ip" } });
    expect(keyCommand("q", NONE, p)).toEqual({ type: "prompt-input", text: "q" });
    expect(keyCommand("", k({ return: true }), p)).toEqual({ type: "apply-filter", text: "ip" });
    expect(keyCommand("", k({ escape: true }), p)).toEqual({ type: "prompt-cancel" });
    expect(keyCommand("", k({ backspace: true }), p)).toEqual({ type: "prompt-backspace" });
    expect(keyCommand("a\u001b[31mb", NONE, p)).toEqual({ type: "prompt-input", text: "a[31mb" });
    expect(keyCommand("\u0007", NONE, p)).toBeUndefined();
  });

  it("with the help shown, any key closes it", () => {
    expect(keyCommand("j", NONE, at({ help: true }))).toEqual({ type: "help" });
  });
});

describe("parseMouse", () => {
  it("reads SGR reports with or without the ESC", () => {
    expect(parseMouse("[<64;10;5M")).toEqual({ button: 64, x: 10, y: 5, press: true });
    expect(parseMouse("\u001b[<65;1;2m")).toEqual({ button: 65, x: 1, y: 2, press: false });
    expect(parseMouse("[A")).toBeUndefined();
    expect(parseMouse("j")).toBeUndefined();
  });
});
