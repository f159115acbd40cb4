/**
 * Key bindings, as a pure function from Ink's (input, key) to a command: a reducer action, or an effect
 * the app carries out with its data (apply a filter, jump to a drop group's frames, next match).
 */
import { type Action, PANES, type TuiState } from "./state.js";

/** The subset of Ink's Key the bindings read. */
export interface KeyInfo {
  upArrow: boolean;
  downArrow: boolean;
  leftArrow: boolean;
  rightArrow: boolean;
  pageUp: boolean;
  pageDown: boolean;
  home: boolean;
  end: boolean;
  return: boolean;
  escape: boolean;
  ctrl: boolean;
  shift: boolean;
  tab: boolean;
  backspace: boolean;
  delete: boolean;
}

/** No key but the character itself (a character of typed-ahead input). */
export const NO_KEY: KeyInfo = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageUp: false,
  pageDown: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
};

export type Effect =
  | { type: "apply-filter"; text: string }
  /** Esc in the list: show all frames again (the matches stay marked; n/N still jump between them). */
  | { type: "clear-filter" }
  | { type: "next-match"; dir: 1 | -1 }
  /** Enter in the drops pane: the list shows the frames of the group under the cursor. */
  | { type: "open-drop-group" }
  /** Enter in the flows pane: the cursor to the next flow the selected frame went through. */
  | { type: "next-flow" }
  /** d / D: the next / previous frame with a dropped branch (the whole frame, or one copy of a flood). */
  | { type: "next-drop"; dir: 1 | -1 };

export type Command = Action | Effect;

/** An SGR mouse report (`ESC [ < b ; x ; y M`), as Ink passes it (the ESC stripped). */
const MOUSE = /^\[<(\d+);(\d+);(\d+)([Mm])$/;

export interface MouseEvent {
  button: number;
  x: number;
  y: number;
  press: boolean;
}

export function parseMouse(input: string): MouseEvent | undefined {
  const m = MOUSE.exec(input.startsWith("\u001b") ? input.slice(1) : input);
  if (!m) return undefined;
  return { button: Number(m[1]), x: Number(m[2]), y: Number(m[3]), press: m[4] === "M" };
}

/** The lines the help overlay shows: the same table the bindings implement. */
export const HELP: ReadonlyArray<readonly [string, string]> = [
  ["q  Ctrl-C", "quit"],
  ["?", "this help (any key closes it)"],
  ["d D", "next / previous dropped frame (any branch of a flood counts)"],
  ["↑ ↓  j k", "move in the pane with the focus"],
  ["PgUp PgDn  Ctrl-B Ctrl-F", "a page up / down"],
  ["g G  Home End", "first / last line (G: the last frame indexed so far)"],
  ["Tab  Shift-Tab", "next / previous pane (on a small screen, the pane shown below the list)"],
  ["1-7", "packets, layers, hex, path, trace, flows, drops"],
  [
    "Enter",
    "packets: the layers; layers: expand/collapse; flows: next ▶ flow; drops: list the group's frames",
  ],
  ["/", "display filter (ip.src == 10.0.0.11 && vxlan.vni == 100, tcp.port == 22, drop); Esc cancels"],
  ["Esc", "in the packet list: show all frames again (matches stay marked)"],
  ["n N", "next / previous frame matching the filter"],
  ["h", "flows: all flows, the flows the replayed frames hit, the flows none hit"],
  ["mouse wheel", "scroll the pane under the pointer"],
];

export function keyCommand(input: string, key: KeyInfo, s: TuiState): Command | undefined {
  if (s.prompt) {
    if (key.escape) return { type: "prompt-cancel" };
    if (key.return) return { type: "apply-filter", text: s.prompt.text };
    if (key.backspace || key.delete) return { type: "prompt-backspace" };
    if (key.ctrl && input === "c") return { type: "quit" };
    if (key.ctrl || key.tab || key.upArrow || key.downArrow || parseMouse(input)) return undefined;
    // Printable text only: a pasted control character never reaches the prompt.
    const text = input.replace(/[\u0000-\u001f\u007f-\u009f]/g, "");
    return text === "" ? undefined : { type: "prompt-input", text };
  }
  if (s.help) return { type: "help" };
  if (key.ctrl && input === "c") return { type: "quit" };
  if (key.tab) return { type: "cycle", dir: key.shift ? -1 : 1 };
  // Shift-Tab arrives as ESC [ Z, which Ink does not name.
  if (input === "[Z") return { type: "cycle", dir: -1 };
  if (key.upArrow || input === "k") return { type: "move", delta: -1 };
  if (key.downArrow || input === "j") return { type: "move", delta: 1 };
  if (key.pageUp || (key.ctrl && input === "b")) return { type: "page", dir: -1 };
  if (key.pageDown || (key.ctrl && input === "f") || input === " ") return { type: "page", dir: 1 };
  if (key.home || input === "g") return { type: "home" };
  if (key.end || input === "G") return { type: "end" };
  if (key.return) {
    if (s.focus === "list") return { type: "focus", pane: "layers" };
    if (s.focus === "layers") return { type: "toggle-layer" };
    if (s.focus === "drops") return { type: "open-drop-group" };
    if (s.focus === "flows") return { type: "next-flow" };
    return undefined;
  }
  if (key.escape) return s.focus === "list" ? { type: "clear-filter" } : { type: "focus", pane: "list" };
  if (input === "/") return { type: "prompt-open" };
  if (input === "d") return { type: "next-drop", dir: 1 };
  if (input === "D") return { type: "next-drop", dir: -1 };
  if (input === "h" && s.focus === "flows") return { type: "flows-show" };
  if (input === "n") return { type: "next-match", dir: 1 };
  if (input === "N") return { type: "next-match", dir: -1 };
  if (input === "?") return { type: "help" };
  if (input === "q") return { type: "quit" };
  if (/^[1-7]$/.test(input)) return { type: "focus", pane: PANES[Number(input) - 1] };
  return undefined;
}
