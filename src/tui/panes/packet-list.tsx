/** The packet list: only the rows on screen are given (the app decodes those and nothing else). */
import type { PaneBox } from "../layout.js";
import type { Theme } from "../theme.js";
import type { Line } from "../view.js";
import { framedPane } from "./frame.js";

export interface PacketListProps {
  box: PaneBox;
  focused: boolean;
  theme: Theme;
  heading: string;
  /** The rows from the first on screen. */
  rows: readonly Line[];
  /** Index in `rows` of the selected row. */
  selected: number;
  title: string;
  info?: string;
  /** Shown when there are no rows (still indexing, no match). */
  empty?: string;
}

export function PacketList({
  box,
  focused,
  theme,
  heading,
  rows,
  selected,
  title,
  info,
  empty,
}: PacketListProps) {
  const lines: Line[] = [[{ text: heading, bold: true }], ...rows];
  if (rows.length === 0 && empty) lines.push([{ text: empty, tone: "dim" }]);
  const cursor = rows.length > 0 ? selected + 1 : undefined;
  return framedPane({ box, title, focused, theme, lines, cursor, info });
}
