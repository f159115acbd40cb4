/**
 * The detail panes. Each gets its content (built by view.ts for the selected frame) and shows the
 * window from `top`; the cursor panes (layers, flows, drops) invert their cursor line.
 */
import type { PaneBox } from "../layout.js";
import type { Theme } from "../theme.js";
import type { Line } from "../view.js";
import { framedPane } from "./frame.js";

export interface DetailProps {
  box: PaneBox;
  focused: boolean;
  theme: Theme;
  lines: readonly Line[];
  top: number;
  /** The cursor line (absolute), for the panes that have one. */
  cursor?: number;
  /** Extra title text ("frame 8", "3 groups"). */
  note?: string;
  /** Lines to mark (by absolute index), and how: only the lines on screen are asked. */
  mark?: { has(index: number): boolean; line(l: Line): Line };
}

function windowed(title: string, { box, focused, theme, lines, top, cursor, note, mark }: DetailProps) {
  const rows = Math.max(0, box.height - 2);
  const shown = lines.slice(top, top + rows).map((l, i) => (mark?.has(top + i) ? mark.line(l) : l));
  const more =
    lines.length > rows
      ? `${Math.min(lines.length, top + 1)}-${Math.min(lines.length, top + rows)}/${lines.length}`
      : "";
  const info = [note, more].filter((x) => x).join("  ");
  const at = cursor !== undefined && focused ? cursor - top : undefined;
  return framedPane({ box, title, focused, theme, lines: shown, cursor: at, info });
}

/** The selected frame's layers as a tree (▸ collapsed, ▾ expanded), tunnels indented by depth. */
export const LayersPane = (p: DetailProps) => windowed("layers", p);
/** The selected layer's bytes highlighted in the frame's hex dump. */
export const HexPane = (p: DetailProps) => windowed("hex", p);
/** The hops of the selected frame by host, the drop point marked. */
export const PathPane = (p: DetailProps) => windowed("path", p);
/** Why a drop happened and each host's ofproto/trace. */
export const TracePane = (p: DetailProps) => windowed("trace", p);
/** The loaded flows by host, bridge and table with their counters; the selected frame's flows marked ▶. */
export const FlowsPane = (p: DetailProps) => windowed("flows", p);
/** The drops by host, bridge, table and reason; Enter lists a group's frames. */
export const DropsPane = (p: DetailProps) => windowed("drops", p);
