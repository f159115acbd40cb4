/**
 * The TUI: the packet list over the capture index, the detail panes of the selected frame, the drops
 * summary, a display filter. This file wires the jobs together: state changes go through the pure
 * reducer (state.ts) and key map (keys.ts), the commands that need the data through effects.ts, the
 * list's rows through list-model.ts, the drawing through render.tsx; the data sources (capture index,
 * replay, filter scan) run in the background (Background) and the app re-renders as they progress.
 */
import { useApp, useInput, useStdout } from "ink";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { Host } from "../dumps/host/load.js";
import { escapeText } from "../util/escape.js";
import { Background } from "./data/background.js";
import type { MatchSet, TuiData } from "./data/tui-data.js";
import { type EffectEnv, isEffect, nextHitLine, runEffect } from "./effects.js";
import { type Command, type KeyInfo, keyCommand, NO_KEY, parseMouse } from "./keys.js";
import { ANSWER_FIRST, BYTES_FIRST, layout, paneAt, usedRows } from "./layout.js";
import { ListModel, type ListView } from "./list-model.js";
import { statusLine, titleLine } from "./panes/bars.js";
import { Screen } from "./render.js";
import { type Action, type DetailPane, initialState, reduce, type TuiState, type ViewCtx } from "./state.js";
import type { Theme } from "./theme.js";
import {
  dropLines,
  type FlowLines,
  fitText,
  flowLines,
  hexLines,
  hexWidth,
  keepFlows,
  type Line,
  layerLines,
  listHeading,
  listLine,
  matchedFlows,
  pathLines,
  traceLines,
  wrapLines,
} from "./view.js";

export type { MatchSet, TuiData } from "./data/tui-data.js";

export interface AppProps {
  data: TuiData;
  theme: Theme;
  /** Fixed size (tests, benchmarks); otherwise the terminal's, following resizes. */
  size?: { columns: number; rows: number };
  /** Called once when the user quits. */
  onQuit?: () => void;
  /** Receives the background runner (tests wait for it to go idle). */
  onBackground?: (bg: Background) => void;
}

function useTerminalSize(fixed: AppProps["size"]): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = useCallback(
    () => fixed ?? { columns: stdout.columns || 80, rows: stdout.rows || 24 },
    [fixed, stdout],
  );
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (fixed) return;
    const onResize = () => setSize(read());
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  }, [fixed, stdout, read]);
  return fixed ?? size;
}

/** The key of one character of typed-ahead input. */
function keyOfChar(ch: string): KeyInfo {
  if (ch === "\r" || ch === "\n") return { ...NO_KEY, return: true };
  if (ch === "\t") return { ...NO_KEY, tab: true };
  if (ch === "\u007f" || ch === "\b") return { ...NO_KEY, backspace: true };
  return NO_KEY;
}

/** The first screen: the answer (verdict and why) when a replay is loaded, the flows without a capture. */
function firstState(data: TuiData): TuiState {
  if (!data.source) return { ...initialState(), focus: "flows", detail: "flows" };
  return data.replay ? { ...initialState(), detail: "trace" } : initialState();
}

/** Every host's flows, with the replay's per-flow frames once it is done; built when first shown, then kept. */
function useFlowLines(hosts: readonly Host[], data: TuiData, shown: boolean): FlowLines {
  const ref = useRef<{ hosts: readonly Host[]; counted: boolean; flows: FlowLines } | null>(null);
  const counted = data.replay?.done === true;
  if (shown && (ref.current?.hosts !== hosts || ref.current.counted !== counted)) {
    const coverage = counted ? data.replay?.coverage : undefined;
    ref.current = { hosts, counted, flows: flowLines(hosts, coverage && ((k) => coverage.framesAt(k))) };
  }
  return ref.current?.flows ?? { lines: [], keys: [] };
}

export function App({ data, theme, size: fixedSize, onQuit, onBackground }: AppProps) {
  const { exit } = useApp();
  const size = useTerminalSize(fixedSize);
  const [state, setState] = useState<TuiState>(() => firstState(data));
  const [, setTick] = useState(0);
  // What the list shows, read and changed by key handlers ahead of React (several keys per chunk).
  const live = useRef<ListView>({ matches: null, filtered: false });
  const setView = (matches: MatchSet | null, filtered: boolean) => {
    const old = live.current.matches?.scan;
    if (old && old !== matches?.scan) old.close();
    live.current = { matches, filtered };
    setTick((t) => t + 1);
  };
  const [message, setMessage] = useState<string | undefined>();
  const bgRef = useRef<Background | null>(null);
  const { source, replay, hosts } = data;
  const order = replay ? ANSWER_FIRST : BYTES_FIRST;

  // ---- background jobs: index, replay ----
  const onBackgroundRef = useRef(onBackground);
  useEffect(() => {
    const bg = new Background(() => setTick((t) => t + 1));
    bgRef.current = bg;
    onBackgroundRef.current?.(bg);
    if (source && !source.indexed) bg.add("index", (ms) => source.indexStep(ms));
    if (replay && !replay.done) bg.add("replay", (ms) => replay.step(ms));
    return () => bg.stop();
  }, [source, replay]);

  // ---- what the list shows ----
  const listNow = () => new ListModel(source, live.current);
  const list = listNow();
  const { matches, filtered } = live.current;
  const rows = list.rows;

  // While indexing (or scanning), the list keeps its full height: it is growing.
  const layoutNow = (focus: TuiState["focus"], detail: DetailPane) => {
    const { filtered: f, matches: m } = live.current;
    const growing = !source?.indexed || (f && m?.scan !== undefined && !m.scan.done);
    const shown = focus === "list" ? detail : focus;
    return layout(size.columns, size.rows, shown, growing ? undefined : listNow().rows, order);
  };
  const lay = layoutNow(state.focus, state.detail);
  const selectedFrame = list.frameOfRow(state.selected);
  const detail = selectedFrame !== undefined ? source?.detail(selectedFrame) : undefined;
  const verdict = selectedFrame !== undefined ? replay?.verdict(selectedFrame) : undefined;
  const kind = selectedFrame !== undefined ? replay?.kind(selectedFrame) : undefined;
  const replaying = replay !== undefined && !replay.done;

  // ---- the detail panes' content (built for the panes on screen only) ----
  const shown = new Set<DetailPane>(lay.details.map((b) => b.pane as DetailPane));
  const widthOf = (pane: DetailPane): number =>
    Math.max(10, (lay.details.find((b) => b.pane === pane)?.width ?? size.columns) - 2);
  const layers = useMemo(
    () => (detail ? layerLines(detail.decoded, state.expanded) : { lines: [], keys: [], layerOf: [] }),
    [detail, state.expanded],
  );
  const layerIndex = layers.layerOf[state.cursors.layers] ?? -1;
  const hl = detail && layerIndex >= 0 ? detail.decoded.layers[layerIndex] : undefined;
  const perLine = widthOf("hex") >= hexWidth(16) ? 16 : 8;
  const hex = useMemo(
    () =>
      detail ? hexLines(detail.data, hl ? { offset: hl.offset, length: hl.length } : undefined, perLine) : [],
    [detail, hl, perLine],
  );
  const pathWidth = widthOf("path");
  const traceWidth = widthOf("trace");
  const showPath = shown.has("path");
  const showTrace = shown.has("trace");
  const ovn = useMemo(() => (data.ovn ? { index: data.ovn, hosts } : undefined), [data.ovn, hosts]);
  const path = useMemo(
    () => (showPath ? wrapLines(pathLines(verdict, kind, replaying, ovn), pathWidth) : []),
    [showPath, verdict, kind, replaying, pathWidth, ovn],
  );
  const trace = useMemo(
    () => (showTrace ? wrapLines(traceLines(verdict, kind, replaying, ovn), traceWidth) : []),
    [showTrace, verdict, kind, replaying, traceWidth, ovn],
  );
  const allFlows = useFlowLines(hosts, data, shown.has("flows"));
  const coverage = replay?.done ? replay.coverage : undefined;
  const flowsShow = state.flowsShow;
  const flowsView = useMemo(
    () =>
      flowsShow === "all" || !coverage
        ? allFlows
        : keepFlows(allFlows, (k) => coverage.framesAt(k) > 0 === (flowsShow === "hit")),
    [allFlows, coverage, flowsShow],
  );
  const flows = flowsView.lines;
  const flowKeys = flowsView.keys;
  const hits = useMemo(() => matchedFlows(verdict), [verdict]);
  const groups = replay ? replay.drops() : [];
  const drops = dropLines(groups, replaying, replay !== undefined);
  const content: Record<DetailPane, readonly Line[]> = {
    layers: source ? layers.lines : [[{ text: "no capture loaded", tone: "dim" }]],
    hex,
    path,
    trace,
    flows,
    drops,
  };

  const ctx: ViewCtx = {
    // Read when a key is handled: the index (or a filter scan) may have grown since the last render.
    get rows() {
      return listNow().rows;
    },
    // As for the rows: the list's height depends on them when they are few.
    get listHeight() {
      return layoutNow(stateRef.current.focus, stateRef.current.detail).listRows;
    },
    paneHeight: {
      layers: lay.detailRows,
      hex: lay.detailRows,
      path: lay.detailRows,
      trace: lay.detailRows,
      flows: lay.detailRows,
      drops: lay.detailRows,
    },
    lines: {
      layers: content.layers.length,
      hex: hex.length,
      path: path.length,
      trace: trace.length,
      flows: flows.length,
      drops: groups.length > 0 ? groups.length : 1,
    },
    layerKeyAt: (line) => layers.keys[line],
  };
  const ctxRef = useRef(ctx);
  ctxRef.current = ctx;

  // The state as of the last key, ahead of React: several keys can arrive in one chunk of input.
  const stateRef = useRef(state);
  const dispatch = useCallback((a: Action) => {
    const next = reduce(stateRef.current, a, ctxRef.current);
    stateRef.current = next;
    setState(next);
  }, []);

  // Keep the selection and scroll windows valid when the terminal is resized.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on a size change only
  useEffect(() => dispatch({ type: "clamp" }), [size.columns, size.rows, dispatch]);

  // The flows pane opens at the first flow the selected frame hit (its cursor is reset per frame).
  const showFlows = shown.has("flows");
  useEffect(() => {
    if (!showFlows || hits.size === 0 || stateRef.current.cursors.flows !== 0) return;
    const first = nextHitLine(flowKeys, hits, flowKeys.length - 1);
    if (first > 0) dispatch({ type: "cursor", pane: "flows", line: first });
  }, [showFlows, hits, flowKeys, dispatch]);

  useEffect(() => {
    if (state.quit) {
      bgRef.current?.stop();
      onQuit?.();
      exit();
    }
  }, [state.quit, exit, onQuit]);

  const env: EffectEnv = {
    data,
    list: listNow,
    view: () => live.current,
    setView,
    state: () => stateRef.current,
    dispatch,
    message: setMessage,
    background: () => bgRef.current,
    groups,
    flowKeys,
    hits,
  };
  const run = (c: Command) => {
    setMessage(undefined);
    if (isEffect(c)) runEffect(c, env);
    else dispatch(c);
  };

  useInput((input, key) => {
    const mouse = parseMouse(input);
    if (mouse) {
      if (mouse.button === 64 || mouse.button === 65) {
        const pane = paneAt(lay, mouse.x, mouse.y);
        if (pane) dispatch({ type: "wheel", pane, delta: mouse.button === 64 ? -3 : 3 });
      }
      return;
    }
    // Keys typed ahead (or pasted) arrive as one string: each character is a key.
    if (input.length > 1 && !input.startsWith("[")) {
      for (const ch of input) {
        const c = keyCommand(ch, keyOfChar(ch), stateRef.current);
        if (c) run(c);
      }
      return;
    }
    const c = keyCommand(input, key, stateRef.current);
    if (c) run(c);
  });

  // ---- drawing ----
  const cols = { verdict: replay !== undefined };
  const listRows: Line[] = [];
  const top = Math.min(state.top, Math.max(0, rows - 1));
  for (let r = top; r < Math.min(rows, top + lay.listRows); r++) {
    const frame = list.frameAt(r);
    const row = source?.row(frame);
    if (!row) continue;
    const k = replay?.partialAt(frame) ? "partial" : replay?.kind(frame);
    listRows.push(
      listLine(
        frame,
        row.time,
        row.summary,
        k ?? (replay ? "pending" : undefined),
        cols,
        list.isMarked(frame),
      ),
    );
  }

  const title = titleLine(data, matches, filtered, size.columns);
  const status = statusLine(
    state,
    message,
    selectedFrame,
    rows,
    size.columns,
    verdict ? { kind: verdict.verdict, summary: verdict.summary, partial: verdict.partial } : undefined,
  );
  const flowsNote = [
    hits.size > 0 && selectedFrame ? `▶ flows of frame ${selectedFrame}` : "",
    flowsShow === "all" ? "" : coverage ? `${flowsShow} flows (h: next listing)` : "h: after the replay",
  ]
    .filter((x) => x)
    .join("  ");
  return (
    <Screen
      columns={size.columns}
      height={usedRows(size.rows)}
      theme={theme}
      state={state}
      lay={lay}
      title={title}
      status={status}
      list={{
        heading: fitText(listHeading(cols), size.columns - 2),
        rows: listRows,
        selected: state.selected - top,
        title: filtered && matches ? `packets: ${matches.label}` : "packets",
        ...(rows > 0
          ? { info: `${(selectedFrame ?? 0).toLocaleString("en-US")} · ${rows.toLocaleString("en-US")} rows` }
          : {}),
        empty: !source
          ? "no capture: ovspath tui CAPTURE [HOST...]"
          : filtered
            ? "no matching frame (yet)"
            : source.indexed
              ? "no frames in this capture"
              : "indexing…",
      }}
      content={content}
      notes={{
        ...(selectedFrame
          ? { layers: `frame ${selectedFrame}${detail?.ifName ? ` on ${escapeText(detail.ifName)}` : ""}` }
          : {}),
        ...(hl ? { hex: `${hl.proto} ${hl.offset}-${hl.offset + hl.length - 1}` } : {}),
        ...(flowsNote ? { flows: flowsNote } : {}),
        drops: `${groups.length} groups`,
        flowMarked: (i) => hits.has(flowKeys[i] ?? ""),
      }}
    />
  );
}
