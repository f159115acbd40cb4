/**
 * The TUI: the packet list over the capture index, the detail panes of the selected frame, the drops
 * summary, a display filter. State changes go through the pure reducer (state.ts) and key map
 * (keys.ts); the data sources (capture index, replay, filter scan) run in the background (Background)
 * and the app re-renders as they progress.
 */
import { Box, Text, useApp, useInput, useStdout } from "ink";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { Host } from "../dumps/host/load.js";
import { escapeText } from "../util/escape.js";
import { Background } from "./data/background.js";
import { U32List } from "./data/growable.js";
import type { MatchSet, TuiData } from "./data/tui-data.js";
import { type Command, type KeyInfo, keyCommand, NO_KEY, parseMouse } from "./keys.js";
import { layout, paneAt, usedRows } from "./layout.js";
import { HelpBox, statusLine, titleLine } from "./panes/bars.js";
import { DropsPane, FlowsPane, HexPane, LayersPane, PathPane, TracePane } from "./panes/detail.js";
import { SegText } from "./panes/frame.js";
import { PacketList } from "./panes/packet-list.js";
import { type Action, type DetailPane, initialState, reduce, type TuiState, type ViewCtx } from "./state.js";
import type { Theme } from "./theme.js";
import {
  dropLines,
  type FlowLines,
  fitText,
  flowLines,
  hexLines,
  hexWidth,
  type Line,
  layerLines,
  listHeading,
  listLine,
  markLine,
  matchedFlows,
  pathLines,
  traceLines,
  wrapLines,
} from "./view.js";

export type { MatchSet, TuiData };

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

export function App({ data, theme, size: fixedSize, onQuit, onBackground }: AppProps) {
  const { exit } = useApp();
  const size = useTerminalSize(fixedSize);
  // Without a capture (`ovspath tui HOST...`) the flows are what there is to see.
  const [state, setState] = useState<TuiState>(() =>
    data.source ? initialState() : { ...initialState(), focus: "flows", detail: "flows" },
  );
  const [, setTick] = useState(0);
  // What the list shows, read and changed by key handlers ahead of React (several keys per chunk).
  const live = useRef<{ matches: MatchSet | null; filtered: boolean }>({ matches: null, filtered: false });
  const setView = (matches: MatchSet | null, filtered: boolean) => {
    const old = live.current.matches?.scan;
    if (old && old !== matches?.scan) old.close();
    live.current = { matches, filtered };
    setTick((t) => t + 1);
  };
  const [message, setMessage] = useState<string | undefined>();
  const bgRef = useRef<Background | null>(null);
  const { source, replay, hosts } = data;

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
  const { matches, filtered } = live.current;
  const rowsOf = (): number =>
    live.current.filtered && live.current.matches ? live.current.matches.list.length : (source?.count ?? 0);
  const frameAt = (row: number): number =>
    live.current.filtered && live.current.matches ? live.current.matches.list.at(row) : row + 1;
  const rows = rowsOf();
  /** The selected frame as of the last key (not of the last render). */
  const currentFrame = (): number | undefined => {
    const n = rowsOf();
    return n > 0 ? frameAt(Math.min(stateRef.current.selected, n - 1)) : undefined;
  };
  const isMarked = (frame: number): boolean => {
    if (!matches) return false;
    const i = matches.list.lowerBound(frame);
    return i < matches.list.length && matches.list.at(i) === frame;
  };

  // While indexing (or scanning), the list keeps its full height: it is growing.
  const layoutNow = (focus: TuiState["focus"], detail: DetailPane) => {
    const { filtered: f, matches: m } = live.current;
    const growing = !source?.indexed || (f && m?.scan !== undefined && !m.scan.done);
    return layout(size.columns, size.rows, focus === "list" ? detail : focus, growing ? undefined : rowsOf());
  };
  const lay = layoutNow(state.focus, state.detail);
  const selectedFrame = rows > 0 ? frameAt(Math.min(state.selected, rows - 1)) : undefined;
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
  const path = useMemo(
    () => (showPath ? wrapLines(pathLines(verdict, kind, replaying), pathWidth) : []),
    [showPath, verdict, kind, replaying, pathWidth],
  );
  const trace = useMemo(
    () => (showTrace ? wrapLines(traceLines(verdict, kind, replaying), traceWidth) : []),
    [showTrace, verdict, kind, replaying, traceWidth],
  );
  // All flows of all hosts (100k lines for a big host): built the first time the pane shows, then kept.
  const flowsRef = useRef<{ hosts: readonly Host[]; flows: FlowLines } | null>(null);
  if (shown.has("flows") && flowsRef.current?.hosts !== hosts)
    flowsRef.current = { hosts, flows: flowLines(hosts) };
  const flows = flowsRef.current?.flows.lines ?? [];
  const flowKeys = flowsRef.current?.flows.keys ?? [];
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
      return rowsOf();
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

  useEffect(() => {
    if (state.quit) {
      bgRef.current?.stop();
      onQuit?.();
      exit();
    }
  }, [state.quit, exit, onQuit]);

  // ---- effects that need the data ----
  const selectFrame = (frame: number) => {
    const { matches: m, filtered: f } = live.current;
    dispatch({ type: "select", row: f && m ? m.list.lowerBound(frame) : frame - 1 });
  };

  const run = (c: Command) => {
    setMessage(undefined);
    switch (c.type) {
      case "apply-filter": {
        const text = c.text.trim();
        if (text === "") {
          const cur = currentFrame();
          bgRef.current?.cancel("filter");
          setView(null, false);
          dispatch({ type: "prompt-close" });
          if (cur !== undefined) selectFrame(cur);
          return;
        }
        const compiled = data.compileFilter(text);
        if (!compiled.ok) {
          dispatch({ type: "prompt-error", message: compiled.message, column: compiled.column });
          return;
        }
        const scan = data.openScan?.(compiled.filter);
        if (scan === undefined || typeof scan === "string") {
          dispatch({ type: "prompt-error", message: scan ?? "no capture to filter", column: 1 });
          return;
        }
        bgRef.current?.add("filter", (ms) => scan.step(ms));
        setView({ label: escapeText(text), list: scan.matches, scan }, true);
        dispatch({ type: "prompt-close" });
        dispatch({ type: "focus", pane: "list" });
        dispatch({ type: "select", row: 0 });
        return;
      }
      case "clear-filter": {
        const cur = currentFrame();
        if (live.current.filtered && cur !== undefined) {
          setView(live.current.matches, false);
          selectFrame(cur);
        }
        return;
      }
      case "next-match": {
        const m = live.current.matches;
        if (!m || m.list.length === 0) {
          setMessage(m ? "no match (yet)" : "no filter: / to set one");
          return;
        }
        const cur = currentFrame() ?? 0;
        const list = m.list;
        const i = c.dir > 0 ? list.lowerBound(cur + 1) : list.lowerBound(cur) - 1;
        if (i < 0 || i >= list.length) {
          setMessage(c.dir > 0 ? "no later match" : "no earlier match");
          return;
        }
        selectFrame(list.at(i));
        return;
      }
      case "open-drop-group": {
        const g = groups[stateRef.current.cursors.drops];
        if (!g || g.frames.length === 0) return;
        bgRef.current?.cancel("filter");
        const where = `${g.host} ${g.bridge}${g.table !== undefined ? ` table ${g.table}` : ""}`;
        setView({ label: escapeText(`drops: ${where} ${g.reason}`), list: U32List.of(g.frames) }, true);
        dispatch({ type: "focus", pane: "list" });
        dispatch({ type: "select", row: 0 });
        return;
      }
      case "next-flow": {
        // The next flow (after the cursor, wrapping) that the selected frame's traces matched.
        const from = stateRef.current.cursors.flows;
        const n = flowKeys.length;
        for (let k = 1; k <= n; k++) {
          const i = (from + k) % n;
          if (hits.has(flowKeys[i] ?? "")) {
            dispatch({ type: "cursor", pane: "flows", line: i });
            return;
          }
        }
        setMessage("the selected frame went through none of these flows");
        return;
      }
      default:
        dispatch(c);
    }
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
    const frame = frameAt(r);
    const row = source?.row(frame);
    if (!row) continue;
    const k = replay?.kind(frame);
    listRows.push(
      listLine(
        frame,
        row.time,
        row.summary,
        k ?? (replay ? "pending" : undefined),
        cols,
        !filtered && isMarked(frame),
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
    verdict ? { kind: verdict.verdict, summary: verdict.summary } : undefined,
  );
  const paneProps = (pane: DetailPane) => {
    const box = lay.details.find((b) => b.pane === pane);
    if (!box) return null;
    const common = { box, focused: state.focus === pane, theme, lines: content[pane], top: state.tops[pane] };
    switch (pane) {
      case "layers":
        return (
          <LayersPane
            key={pane}
            {...common}
            cursor={state.cursors.layers}
            {...(selectedFrame
              ? { note: `frame ${selectedFrame}${detail?.ifName ? ` on ${escapeText(detail.ifName)}` : ""}` }
              : {})}
          />
        );
      case "hex":
        return (
          <HexPane
            key={pane}
            {...common}
            {...(hl ? { note: `${hl.proto} ${hl.offset}-${hl.offset + hl.length - 1}` } : {})}
          />
        );
      case "path":
        return <PathPane key={pane} {...common} />;
      case "trace":
        return <TracePane key={pane} {...common} />;
      case "flows":
        return (
          <FlowsPane
            key={pane}
            {...common}
            cursor={state.cursors.flows}
            mark={{ has: (i) => hits.has(flowKeys[i] ?? ""), line: markLine }}
            {...(hits.size > 0 && selectedFrame ? { note: `▶ flows of frame ${selectedFrame}` } : {})}
          />
        );
      case "drops":
        return (
          <DropsPane key={pane} {...common} cursor={state.cursors.drops} note={`${groups.length} groups`} />
        );
      default: {
        const never: never = pane;
        return never;
      }
    }
  };

  const height = usedRows(size.rows);
  return (
    <Box flexDirection="column" width={size.columns} height={height}>
      <Text wrap="truncate">
        <SegText segs={title} theme={theme} />
      </Text>
      {state.help ? (
        <HelpBox columns={size.columns} rows={height - 2} />
      ) : (
        <>
          <PacketList
            box={lay.list}
            focused={state.focus === "list"}
            theme={theme}
            heading={fitText(listHeading(cols), size.columns - 2)}
            rows={listRows}
            selected={state.selected - top}
            title={filtered && matches ? `packets: ${matches.label}` : "packets"}
            {...(rows > 0
              ? {
                  info: `${(selectedFrame ?? 0).toLocaleString("en-US")} · ${rows.toLocaleString("en-US")} rows`,
                }
              : {})}
            empty={
              !source
                ? "no capture: ovspath tui CAPTURE [HOST...]"
                : filtered
                  ? "no matching frame (yet)"
                  : source.indexed
                    ? "no frames in this capture"
                    : "indexing…"
            }
          />
          <Box flexDirection="row">{lay.details.map((b) => paneProps(b.pane as DetailPane))}</Box>
        </>
      )}
      <Text wrap="truncate">
        <SegText segs={status} theme={theme} />
      </Text>
    </Box>
  );
}
