/** The chrome around the panes: the title line, the status line (and filter prompt), the help overlay. */
import { Box, Text } from "ink";
import type { VerdictKind } from "../../explain/types.js";
import { escapeText } from "../../util/escape.js";
import type { MatchSet, TuiData } from "../data/tui-data.js";
import { HELP } from "../keys.js";
import type { TuiState } from "../state.js";
import { type Line, VERDICT_TONE } from "../view.js";

function bar(fraction: number, width: number): string {
  const n = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `[${"█".repeat(n)}${"░".repeat(width - n)}]`;
}

/** The title line: the name, the indexing and replay progress, the filter or marked set. */
export function titleLine(data: TuiData, matches: MatchSet | null, filtered: boolean, columns: number): Line {
  const segs: Line = [];
  const s = data.source;
  if (s) {
    if (s.indexed) {
      segs.push({ text: `  ${s.count.toLocaleString("en-US")} frames` });
      // A damaged capture: every frame before the damage is shown, and where it is said.
      const d = s.diagnostics.find((x) => x.severity === "error");
      if (d)
        segs.push({
          text: `  ✗ damaged at frame ${d.frame ?? "?"}, byte ${d.byteOffset ?? "?"}: ${escapeText(d.message)}`,
          tone: "drop",
        });
    } else
      segs.push({
        text: `  indexing ${bar(s.progress, 12)} ${s.count.toLocaleString("en-US")} frames`,
        tone: "warn",
      });
  }
  const r = data.replay;
  if (r && s) {
    const total = s.indexed ? s.count : 0;
    if (!r.done)
      segs.push({
        text: `  replay ${total ? bar(r.count / total, 12) : ""} ${r.count.toLocaleString("en-US")}`,
        tone: "warn",
      });
    else {
      const v = r.verdicts;
      segs.push({ text: `  replayed: ${v.delivered ?? 0} delivered, ${v.tunneled ?? 0} tunneled, ` });
      segs.push({
        text: `${(v.dropped ?? 0) + (v.loop ?? 0)} dropped`,
        tone: (v.dropped ?? 0) > 0 ? "drop" : "ok",
      });
    }
  }
  if (matches) {
    const scan = matches.scan;
    const progress = scan && !scan.done && s?.count ? ` ${bar(scan.scanned / s.count, 8)}` : "";
    segs.push({
      text: `  ${filtered ? "filter" : "marked"}: ${matches.label} (${matches.list.length.toLocaleString("en-US")})${progress}`,
      tone: "mark",
    });
  }
  // The name gives way first when the line is too long for the terminal.
  const rest = segs.reduce((n, x) => n + [...x.text].length, 0);
  const name = `ovspath  ${data.title}`;
  const room = Math.max(12, columns - rest);
  segs.unshift({
    text: [...name].length > room ? `${[...name].slice(0, room - 1).join("")}…` : name,
    bold: true,
  });
  return cut(segs, columns);
}

/** The status line: the filter prompt (with its error), a message, or where we are and the keys. */
export function statusLine(
  s: TuiState,
  message: string | undefined,
  frame: number | undefined,
  rows: number,
  columns: number,
  /** The selected frame's verdict: its kind and one line ("dropped compute1 br-int table 25 (...)"). */
  verdict?: { kind: VerdictKind; summary: string },
): Line {
  if (s.prompt) {
    const p = s.prompt;
    if (p.error) {
      // The character at the error's column inverted: the caret of a one-line prompt.
      const at = Math.max(0, Math.min(p.text.length, p.error.column - 1));
      return cut(
        [
          { text: "/" },
          { text: escapeText(p.text.slice(0, at)) },
          { text: escapeText(p.text.slice(at, at + 1)) || " ", inverse: true },
          { text: escapeText(p.text.slice(at + 1)) },
          { text: `   ✗ column ${p.error.column}: ${escapeText(p.error.message)}`, tone: "drop" },
        ],
        columns,
      );
    }
    return cut(
      [
        { text: `/${escapeText(p.text)}` },
        { text: " ", inverse: true },
        { text: "   Enter apply · Esc cancel", tone: "dim" },
      ],
      columns,
    );
  }
  if (message) return cut([{ text: message, tone: "warn" }], columns);
  const where = frame !== undefined ? `frame ${frame} (row ${s.selected + 1} of ${rows}) · ` : "";
  const segs: Line = [{ text: where, tone: "dim" }];
  // The verdict in one line: on a small screen the path and trace panes may be out of sight.
  if (verdict) segs.push({ text: `${escapeText(verdict.summary)} · `, tone: VERDICT_TONE[verdict.kind] });
  segs.push({ text: "Tab pane · / filter · n/N match · Enter open · ? help · q quit", tone: "dim" });
  return cut(segs, columns);
}

/** Cuts a line of segments to `columns` cells. */
export function cut(segs: Line, columns: number): Line {
  const out: Line = [];
  let left = columns;
  for (const s of segs) {
    if (left <= 0) break;
    const chars = [...s.text];
    out.push(chars.length <= left ? s : { ...s, text: chars.slice(0, left).join("") });
    left -= Math.min(left, chars.length);
  }
  return out;
}

/** The help overlay: the key table of keys.ts. */
export function HelpBox({ columns, rows }: { columns: number; rows: number }) {
  const keyWidth = Math.max(...HELP.map(([k]) => k.length)) + 2;
  const lines = [
    "ovspath tui: keys",
    " ",
    ...HELP.map(([k, what]) => `  ${k.padEnd(keyWidth)}${what}`),
    " ",
    "Panes: packets (verdict column once the replay has run), layers, hex of the selected layer, path",
    "(hops, drop point marked), trace (why, near misses, ofproto/trace), flows, drops.",
  ];
  return (
    <Box flexDirection="column" width={columns} height={rows} borderStyle="double">
      {lines.slice(0, Math.max(0, rows - 2)).map((l, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: static lines
        <Text key={i} wrap="truncate">
          {l}
        </Text>
      ))}
    </Box>
  );
}
