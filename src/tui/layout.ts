/**
 * Where the panes go for a terminal size: a title line, the packet list, a row of detail panes, a
 * status line. Wide terminals show two or three detail panes side by side; 80×24 shows one, and Tab
 * cycles which. Pure, so the mouse can ask which pane is under the pointer.
 */
import { DETAIL_PANES, type DetailPane, type PaneId } from "./state.js";

export interface PaneBox {
  pane: PaneId;
  /** 0-based column and row of the top-left corner (the border). */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Layout {
  columns: number;
  rows: number;
  list: PaneBox;
  details: PaneBox[];
  /** Rows of content inside a pane (its height less the border and the title). */
  listRows: number;
  detailRows: number;
}

/** Lines Ink writes: one less than the terminal (a full-height frame would make Ink clear the screen). */
export const usedRows = (rows: number): number => Math.max(8, rows - 1);

/** How the detail panes are paged, for 1, 2 or 3 panes side by side. */
export type PaneOrder = (perRow: number) => readonly DetailPane[];

export const BYTES_FIRST: PaneOrder = () => DETAIL_PANES;

/**
 * With a replay loaded: the answer (trace: verdict, why, dropping flow, near misses; the path) on the
 * first screen, the layers beside their bytes next; three side by side add the flows the frame took.
 */
export const ANSWER_FIRST: PaneOrder = (perRow) =>
  perRow === 3
    ? ["trace", "path", "flows", "layers", "hex", "drops"]
    : ["trace", "path", "layers", "hex", "flows", "drops"];

/**
 * `frames`: rows the list has (once indexed): a short list gives its room to the detail panes.
 * `orderOf`: how the detail panes are paged (the pages hold 1, 2 or 3 panes by width).
 */
export function layout(
  columns: number,
  rows: number,
  shown: DetailPane,
  frames?: number,
  orderOf: PaneOrder = BYTES_FIRST,
): Layout {
  const height = usedRows(rows);
  const body = height - 2; // title line, status line
  let listHeight = Math.max(5, Math.min(body - 6, Math.round(body * 0.45)));
  if (frames !== undefined) listHeight = Math.max(5, Math.min(listHeight, frames + 3));
  const detailHeight = Math.max(0, body - listHeight);
  const perRow = columns >= 180 ? 3 : columns >= 116 ? 2 : 1;
  const order = orderOf(perRow);
  const page = Math.floor(order.indexOf(shown) / perRow);
  const panes = order.slice(page * perRow, page * perRow + perRow);
  const details: PaneBox[] = [];
  let x = 0;
  panes.forEach((pane, i) => {
    const width = i === panes.length - 1 ? columns - x : Math.floor(columns / perRow);
    details.push({ pane, x, y: 1 + listHeight, width, height: detailHeight });
    x += width;
  });
  return {
    columns,
    rows,
    list: { pane: "list", x: 0, y: 1, width: columns, height: listHeight },
    details: detailHeight >= 3 ? details : [],
    // Border (2) and the column heading (1).
    listRows: Math.max(1, listHeight - 3),
    detailRows: Math.max(1, detailHeight - 2),
  };
}

/** The pane under a 1-based terminal cell (mouse reports count from 1). */
export function paneAt(l: Layout, x: number, y: number): PaneId | undefined {
  for (const b of [l.list, ...l.details]) {
    if (x - 1 >= b.x && x - 1 < b.x + b.width && y - 1 >= b.y && y - 1 < b.y + b.height) return b.pane;
  }
  return undefined;
}
