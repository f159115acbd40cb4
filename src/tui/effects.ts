/**
 * The commands that need the data (keys.ts's Effects): apply or clear a filter, jump between matches or
 * dropped frames, list a drop group's frames, move to the selected frame's next flow. Each reads the
 * state as of the last key and acts through the app's callbacks.
 */
import type { DropGroup } from "../explain/conversations.js";
import { escapeText } from "../util/escape.js";
import type { Background } from "./data/background.js";
import { U32List } from "./data/growable.js";
import type { MatchSet, TuiData } from "./data/tui-data.js";
import type { Effect } from "./keys.js";
import type { ListModel, ListView } from "./list-model.js";
import type { Action, TuiState } from "./state.js";

export interface EffectEnv {
  data: TuiData;
  /** The list as of the last key (a filter scan may have grown it since the last render). */
  list(): ListModel;
  view(): ListView;
  setView(matches: MatchSet | null, filtered: boolean): void;
  state(): TuiState;
  dispatch(a: Action): void;
  message(text: string): void;
  background(): Background | null;
  groups: readonly DropGroup[];
  /** The flows pane's line keys ("file:line" of a flow, undefined for a heading). */
  flowKeys: ReadonlyArray<string | undefined>;
  /** The flows the selected frame's traces went through. */
  hits: ReadonlySet<string>;
}

/** The selected frame as of the last key. */
const current = (env: EffectEnv): number | undefined => env.list().frameOfRow(env.state().selected);

function selectFrame(env: EffectEnv, frame: number): void {
  env.dispatch({ type: "select", row: env.list().rowOf(frame) });
}

function applyFilter(env: EffectEnv, input: string): void {
  const text = input.trim();
  if (text === "") {
    const cur = current(env);
    env.background()?.cancel("filter");
    env.setView(null, false);
    env.dispatch({ type: "prompt-close" });
    if (cur !== undefined) selectFrame(env, cur);
    return;
  }
  const compiled = env.data.compileFilter(text);
  if (!compiled.ok) {
    env.dispatch({ type: "prompt-error", message: compiled.message, column: compiled.column });
    return;
  }
  const scan = env.data.openScan?.(compiled.filter);
  if (scan === undefined || typeof scan === "string") {
    env.dispatch({ type: "prompt-error", message: scan ?? "no capture to filter", column: 1 });
    return;
  }
  env.background()?.add("filter", (ms) => scan.step(ms));
  env.setView({ label: escapeText(text), list: scan.matches, scan }, true);
  env.dispatch({ type: "prompt-close" });
  env.dispatch({ type: "focus", pane: "list" });
  env.dispatch({ type: "select", row: 0 });
}

function nextMatch(env: EffectEnv, dir: 1 | -1): void {
  const m = env.view().matches;
  if (!m || m.list.length === 0) {
    env.message(m ? "no match (yet)" : "no filter: / to set one");
    return;
  }
  const cur = current(env) ?? 0;
  const i = dir > 0 ? m.list.lowerBound(cur + 1) : m.list.lowerBound(cur) - 1;
  if (i < 0 || i >= m.list.length) {
    env.message(dir > 0 ? "no later match" : "no earlier match");
    return;
  }
  selectFrame(env, m.list.at(i));
}

/** The next (or previous) row whose frame has a dropped branch, in the rows the list shows. */
function nextDrop(env: EffectEnv, dir: 1 | -1): void {
  const replay = env.data.replay;
  if (!replay) {
    env.message("no hosts loaded: no replay, no drops");
    return;
  }
  const row = env.list().findRow(env.state().selected, dir, (f) => replay.failedAt(f));
  if (row < 0) {
    env.message(`no ${dir > 0 ? "later" : "earlier"} dropped frame${replay.done ? "" : " (yet)"}`);
    return;
  }
  env.dispatch({ type: "select", row });
}

function openDropGroup(env: EffectEnv): void {
  const g = env.groups[env.state().cursors.drops];
  if (!g || g.frames.length === 0) return;
  env.background()?.cancel("filter");
  const where = `${g.host} ${g.bridge}${g.table !== undefined ? ` table ${g.table}` : ""}`;
  env.setView({ label: escapeText(`drops: ${where} ${g.reason}`), list: U32List.of(g.frames) }, true);
  env.dispatch({ type: "focus", pane: "list" });
  env.dispatch({ type: "select", row: 0 });
}

/** The flows-pane line of the next flow (after `from`, wrapping) the selected frame went through; -1 if none. */
export function nextHitLine(
  keys: ReadonlyArray<string | undefined>,
  hits: ReadonlySet<string>,
  from: number,
): number {
  const n = keys.length;
  for (let k = 1; k <= n; k++) {
    const i = (from + k) % n;
    if (hits.has(keys[i] ?? "")) return i;
  }
  return -1;
}

export function runEffect(e: Effect, env: EffectEnv): void {
  switch (e.type) {
    case "apply-filter":
      return applyFilter(env, e.text);
    case "clear-filter": {
      const cur = current(env);
      if (env.view().filtered && cur !== undefined) {
        env.setView(env.view().matches, false);
        selectFrame(env, cur);
      }
      return;
    }
    case "next-match":
      return nextMatch(env, e.dir);
    case "next-drop":
      return nextDrop(env, e.dir);
    case "open-drop-group":
      return openDropGroup(env);
    case "next-flow": {
      const i = nextHitLine(env.flowKeys, env.hits, env.state().cursors.flows);
      if (i >= 0) env.dispatch({ type: "cursor", pane: "flows", line: i });
      else env.message("the selected frame went through none of these flows");
      return;
    }
    default: {
      const never: never = e;
      return never;
    }
  }
}

const EFFECTS: ReadonlySet<string> = new Set<Effect["type"]>([
  "apply-filter",
  "clear-filter",
  "next-match",
  "next-drop",
  "open-drop-group",
  "next-flow",
]);

export function isEffect(c: { type: string }): c is Effect {
  return EFFECTS.has(c.type);
}
