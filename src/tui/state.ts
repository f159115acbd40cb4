/**
 * The TUI's state and its reducer: which pane has the focus, the packet list's selection and scroll
 * window, the cursor and scroll of each detail pane, the expanded layers, the filter prompt, the help
 * overlay. Pure: what the reducer needs to know about the data (row counts, pane heights) comes in a
 * ViewCtx, and what needs the data (applying a filter, jumping to frames) is an effect for the app.
 */

export const PANES = ["list", "layers", "hex", "path", "trace", "flows", "drops"] as const;
export type PaneId = (typeof PANES)[number];
export type DetailPane = Exclude<PaneId, "list">;
export const DETAIL_PANES: readonly DetailPane[] = ["layers", "hex", "path", "trace", "flows", "drops"];

/** Panes with a line cursor (Enter acts on it); the others scroll. */
const CURSOR_PANES: ReadonlySet<DetailPane> = new Set(["layers", "flows", "drops"]);

export const PANE_TITLES: Readonly<Record<PaneId, string>> = {
  list: "packets",
  layers: "layers",
  hex: "hex",
  path: "path",
  trace: "trace",
  flows: "flows",
  drops: "drops",
};

export interface Prompt {
  text: string;
  error?: { message: string; column: number };
}

export interface TuiState {
  focus: PaneId;
  /** The detail pane shown when the list has the focus and there is room for one only. */
  detail: DetailPane;
  /** Row index in the list (all frames, or the matches of the filter). */
  selected: number;
  /** First row on screen. */
  top: number;
  cursors: Readonly<Record<DetailPane, number>>;
  tops: Readonly<Record<DetailPane, number>>;
  /** Layers shown expanded, by "proto@depth" (kept from frame to frame, as Wireshark does). */
  expanded: ReadonlySet<string>;
  prompt: Prompt | null;
  help: boolean;
  quit: boolean;
  /** Which flows the flows pane lists: all, those the replayed frames hit, those none hit. */
  flowsShow: FlowsShow;
}

export type FlowsShow = "all" | "hit" | "unhit";
const FLOWS_SHOW: readonly FlowsShow[] = ["all", "hit", "unhit"];

/** What the reducer needs to know about the screen and the data. */
export interface ViewCtx {
  /** Rows of the list (frames indexed, or matches so far). */
  rows: number;
  /** List rows on screen. */
  listHeight: number;
  /** Lines on screen in each detail pane (a hidden pane counts as the list's height). */
  paneHeight: Readonly<Record<DetailPane, number>>;
  /** Lines of content of each detail pane for the selected frame. */
  lines: Readonly<Record<DetailPane, number>>;
  /** The layer key ("proto@depth") of a layers-pane line that is a layer heading. */
  layerKeyAt?: (line: number) => string | undefined;
}

export type Action =
  | { type: "move"; delta: number }
  | { type: "page"; dir: 1 | -1 }
  | { type: "home" }
  | { type: "end" }
  | { type: "focus"; pane: PaneId }
  | { type: "cycle"; dir: 1 | -1 }
  | { type: "toggle-layer" }
  | { type: "select"; row: number }
  /** Puts a detail pane's cursor (or first line) on `line`. */
  | { type: "cursor"; pane: DetailPane; line: number }
  | { type: "wheel"; pane: PaneId; delta: number }
  | { type: "prompt-open" }
  | { type: "prompt-input"; text: string }
  | { type: "prompt-backspace" }
  | { type: "prompt-cancel" }
  | { type: "prompt-error"; message: string; column: number }
  | { type: "prompt-close" }
  | { type: "help" }
  /** The flows pane's next listing: all → hit → unhit → all. */
  | { type: "flows-show" }
  | { type: "quit" }
  | { type: "clamp" };

const zero = (): Record<DetailPane, number> => ({ layers: 0, hex: 0, path: 0, trace: 0, flows: 0, drops: 0 });

export function initialState(): TuiState {
  return {
    focus: "list",
    detail: "layers",
    selected: 0,
    top: 0,
    cursors: zero(),
    tops: zero(),
    expanded: new Set(),
    prompt: null,
    help: false,
    quit: false,
    flowsShow: "all",
  };
}

const clamp = (v: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, v));

/** Moves the list selection to `row`, keeping it on screen; a new frame resets the detail panes. */
function selectRow(s: TuiState, row: number, ctx: ViewCtx): TuiState {
  const selected = clamp(row, 0, Math.max(0, ctx.rows - 1));
  const h = Math.max(1, ctx.listHeight);
  let top = s.top;
  if (selected < top) top = selected;
  if (selected >= top + h) top = selected - h + 1;
  top = clamp(top, 0, Math.max(0, ctx.rows - h));
  if (selected === s.selected && top === s.top) return s;
  const fresh = selected !== s.selected;
  return { ...s, selected, top, ...(fresh ? { cursors: zero(), tops: zero() } : {}) };
}

/** Moves a detail pane's cursor (or, for the scrolling panes, its first line). */
function movePane(s: TuiState, pane: DetailPane, to: number, ctx: ViewCtx): TuiState {
  const lines = ctx.lines[pane];
  const h = Math.max(1, ctx.paneHeight[pane]);
  if (CURSOR_PANES.has(pane)) {
    const cursor = clamp(to, 0, Math.max(0, lines - 1));
    let top = s.tops[pane];
    if (cursor < top) top = cursor;
    if (cursor >= top + h) top = cursor - h + 1;
    return { ...s, cursors: { ...s.cursors, [pane]: cursor }, tops: { ...s.tops, [pane]: top } };
  }
  const top = clamp(to, 0, Math.max(0, lines - h));
  return { ...s, tops: { ...s.tops, [pane]: top } };
}

function position(s: TuiState, pane: PaneId): number {
  if (pane === "list") return s.selected;
  return CURSOR_PANES.has(pane) ? s.cursors[pane] : s.tops[pane];
}

function moveIn(s: TuiState, pane: PaneId, to: number, ctx: ViewCtx): TuiState {
  return pane === "list" ? selectRow(s, to, ctx) : movePane(s, pane, to, ctx);
}

function pageOf(pane: PaneId, ctx: ViewCtx): number {
  return Math.max(1, (pane === "list" ? ctx.listHeight : ctx.paneHeight[pane]) - 1);
}

export function reduce(s: TuiState, a: Action, ctx: ViewCtx): TuiState {
  switch (a.type) {
    case "move":
      return moveIn(s, s.focus, position(s, s.focus) + a.delta, ctx);
    case "page":
      return moveIn(s, s.focus, position(s, s.focus) + a.dir * pageOf(s.focus, ctx), ctx);
    case "home":
      return moveIn(s, s.focus, 0, ctx);
    case "end":
      return moveIn(s, s.focus, s.focus === "list" ? ctx.rows - 1 : ctx.lines[s.focus] - 1, ctx);
    case "focus":
      return a.pane === "list" ? { ...s, focus: a.pane } : { ...s, focus: a.pane, detail: a.pane };
    case "cycle": {
      const i = PANES.indexOf(s.focus);
      const pane = PANES[(i + a.dir + PANES.length) % PANES.length];
      return reduce(s, { type: "focus", pane }, ctx);
    }
    case "toggle-layer": {
      const key = ctx.layerKeyAt?.(s.cursors.layers);
      if (key === undefined) return s;
      const expanded = new Set(s.expanded);
      if (expanded.has(key)) expanded.delete(key);
      else expanded.add(key);
      return { ...s, expanded };
    }
    case "select":
      return selectRow(s, a.row, ctx);
    case "cursor":
      return movePane(s, a.pane, a.line, ctx);
    case "wheel":
      return moveIn(s, a.pane, position(s, a.pane) + a.delta, ctx);
    case "prompt-open":
      return { ...s, prompt: { text: "" } };
    case "prompt-input":
      return s.prompt ? { ...s, prompt: { text: s.prompt.text + a.text } } : s;
    case "prompt-backspace":
      return s.prompt ? { ...s, prompt: { text: s.prompt.text.slice(0, -1) } } : s;
    case "prompt-error":
      return s.prompt
        ? { ...s, prompt: { ...s.prompt, error: { message: a.message, column: a.column } } }
        : s;
    case "prompt-cancel":
    case "prompt-close":
      return { ...s, prompt: null };
    case "help":
      return { ...s, help: !s.help };
    case "quit":
      return { ...s, quit: true };
    case "flows-show": {
      const flowsShow = FLOWS_SHOW[(FLOWS_SHOW.indexOf(s.flowsShow) + 1) % FLOWS_SHOW.length];
      return { ...s, flowsShow, cursors: { ...s.cursors, flows: 0 }, tops: { ...s.tops, flows: 0 } };
    }
    case "clamp": {
      let next = selectRow(s, s.selected, ctx);
      for (const p of DETAIL_PANES) next = movePane(next, p, position(next, p), ctx);
      return next;
    }
    default: {
      const never: never = a;
      return never;
    }
  }
}
