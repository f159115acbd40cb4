/** The chrome around the panes: the title line, the status line (and filter prompt), the help overlay. */
import { Box, Text } from "ink";
import type { VerdictKind } from "../../explain/types.js";
import { escapeText } from "../../util/escape.js";
import type { MatchSet, TuiData } from "../data/tui-data.js";
import { HELP } from "../keys.js";
import type { TuiState } from "../state.js";
import { type Line, type Seg, VERDICT_TONE } from "../view.js";

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
      // Floods delivered somewhere but dropped on a branch: the frames the whole-frame count misses.
      if (r.partlyDropped > 0) segs.push({ text: `, ${r.partlyDropped} partly dropped`, tone: "drop" });
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
  verdict?: { kind: VerdictKind; summary: string; partial?: boolean },
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
  // What goes first when the line is too long: the key hints (least useful first), then the row
  // count, then where; the verdict stays longest and is cut at a word, never mid-word.
  const verdictSeg: Seg | undefined = verdict && {
    text: escapeText(verdict.partial ? `PARTLY DROPPED: ${verdict.summary}` : verdict.summary),
    tone: verdict.partial ? "drop" : VERDICT_TONE[verdict.kind],
  };
  const wheres =
    frame !== undefined ? [`frame ${frame} (row ${s.selected + 1} of ${rows})`, `frame ${frame}`, ""] : [""];
  // Fewer hints first (the two most useful stay while the row count goes), then a shorter where; at
  // the last the verdict is cut at a word.
  for (const [i, where] of wheres.entries())
    for (let n = HINTS.length; n >= (i === 0 ? 2 : 0); n--) {
      const line = statusSegs(where, verdictSeg, hintsKept(n));
      if (width(line) <= columns) return line;
    }
  return cut(statusSegs(wheres[1] ?? "", verdictSeg, []), columns);
}

/** The key hints of the status line, in their order, with their rank (1: the last to go). */
const HINTS: ReadonlyArray<readonly [string, number]> = [
  ["Tab pane", 4],
  ["/ filter", 3],
  ["n/N match", 5],
  ["d/D drop", 2],
  ["Enter open", 6],
  ["? help", 1],
  ["q quit", 7],
];

/** The `n` most useful hints, in their order. */
const hintsKept = (n: number): string[] => HINTS.filter(([, rank]) => rank <= n).map(([t]) => t);

function statusSegs(where: string, verdict: Seg | undefined, hints: readonly string[]): Line {
  const segs: Line = [];
  if (where) segs.push({ text: verdict || hints.length > 0 ? `${where} · ` : where, tone: "dim" });
  if (verdict) segs.push({ ...verdict, text: hints.length > 0 ? `${verdict.text} · ` : verdict.text });
  if (hints.length > 0) segs.push({ text: hints.join(" · "), tone: "dim" });
  return segs;
}

const width = (l: Line): number => l.reduce((n, s) => n + [...s.text].length, 0);

/** The longest start of `chars` that fits `room` cells and ends at a word ("…" marks the cut); "" if none. */
function wordCut(chars: readonly string[], room: number): string {
  if (room < 2) return "";
  // A space at the last cell that fits ends the word before it: the "…" takes that cell.
  const head = chars.slice(0, room);
  const space = head.lastIndexOf(" ");
  if (space <= 0) return "";
  return `${head.slice(0, space).join("").trimEnd()}…`;
}

/** Cuts a line of segments to `columns` cells, at a word boundary (never mid-word). */
export function cut(segs: Line, columns: number): Line {
  const out: Line = [];
  let left = columns;
  for (const s of segs) {
    if (left <= 0) break;
    const chars = [...s.text];
    if (chars.length <= left) {
      out.push(s);
      left -= chars.length;
      continue;
    }
    const piece = wordCut(chars, left);
    if (piece) out.push({ ...s, text: piece });
    break;
  }
  return out;
}

/** Wraps `text` at spaces into lines of at most `width` cells (a word longer than that is cut). */
export function wrapWords(text: string, width: number): string[] {
  const out: string[] = [];
  let cur = "";
  for (const word of text.split(" ")) {
    const next = cur ? `${cur} ${word}` : word;
    if ([...next].length <= width) cur = next;
    else {
      if (cur) out.push(cur);
      cur = [...word].length > width ? [...word].slice(0, width).join("") : word;
    }
  }
  if (cur) out.push(cur);
  return out;
}

/** The help overlay's lines: each key's text wrapped under itself at `columns` (less the border). */
export function helpLines(columns: number): string[] {
  const keyWidth = Math.max(...HELP.map(([k]) => k.length)) + 2;
  const inner = Math.max(20, columns - 2);
  const room = Math.max(10, inner - 2 - keyWidth);
  const wrapped = (text: string, indent: string) =>
    wrapWords(text, inner - indent.length).map((l) => indent + l);
  return [
    "ovspath tui: keys",
    " ",
    // Narrow: each key on its own line, its text under it; else the text in a column beside the keys.
    ...HELP.flatMap(([k, what]) =>
      room < 24
        ? [`  ${k}`, ...wrapped(what, "      ")]
        : wrapWords(what, room).map((l, i) => `  ${(i === 0 ? k : "").padEnd(keyWidth)}${l}`),
    ),
    " ",
    ...wrapped(
      "Panes: packets (verdict column once the replay has run), layers, hex of the selected layer, path (hops by branch, drop points marked), trace (why, near misses, ofproto/trace), flows (frames each flow took, h: hit or unhit only), drops.",
      "",
    ),
  ];
}

/** The help overlay: the key table of keys.ts. */
export function HelpBox({ columns, rows }: { columns: number; rows: number }) {
  const lines = helpLines(columns);
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
