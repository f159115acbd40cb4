/**
 * A pane: a box drawn with line characters, its title in the top border, and exactly the lines that
 * fit (the caller passes the window; nothing off-screen is rendered).
 */
import { Box, Text } from "ink";
import type { PaneBox } from "../layout.js";
import { type Theme, toneColor } from "../theme.js";
import type { Line, Seg } from "../view.js";

export interface PaneFrameProps {
  box: PaneBox;
  title: string;
  focused: boolean;
  theme: Theme;
  /** The lines of content from the first one on screen; at most box.height - 2 are drawn. */
  lines: readonly Line[];
  /** Index in `lines` of the cursor line, shown inverted. */
  cursor?: number;
  /** Extra text at the right of the top border (a position, a progress figure). */
  info?: string;
}

/** A pane whose cursor and info may be absent (the optional props are left out then, not undefined). */
export function framedPane(
  p: Omit<PaneFrameProps, "cursor" | "info"> & { cursor?: number | undefined; info?: string | undefined },
) {
  const { cursor, info, ...rest } = p;
  return <PaneFrame {...rest} {...(cursor !== undefined ? { cursor } : {})} {...(info ? { info } : {})} />;
}

/** Cuts segments to `width` cells and pads the last, so every row is exactly as wide as the pane. */
export function fitSegs(line: Line, width: number): Seg[] {
  const out: Seg[] = [];
  let left = width;
  for (const s of line) {
    if (left <= 0) break;
    const chars = [...s.text];
    if (chars.length <= left) {
      out.push(s);
      left -= chars.length;
    } else {
      out.push({ ...s, text: `${chars.slice(0, left - 1).join("")}…` });
      left = 0;
    }
  }
  if (left > 0) out.push({ text: " ".repeat(left) });
  return out;
}

export function SegText({ segs, theme, inverse }: { segs: readonly Seg[]; theme: Theme; inverse?: boolean }) {
  // Keyed by the cell where each segment starts: segments have no other identity. An empty segment
  // draws nothing and would share its start with the next one: it is left out.
  let at = 0;
  const placed = segs
    .filter((s) => s.text.length > 0)
    .map((s) => {
      const start = at;
      at += s.text.length;
      return { start, s };
    });
  return (
    <>
      {placed.map(({ start, s }) => {
        const color = toneColor(theme, s.tone);
        return (
          <Text
            key={start}
            {...(color ? { color } : {})}
            bold={s.bold ?? false}
            inverse={(s.inverse ?? false) !== (inverse ?? false)}
          >
            {s.text}
          </Text>
        );
      })}
    </>
  );
}

export function PaneFrame({ box, title, focused, theme, lines, cursor, info }: PaneFrameProps) {
  const inner = Math.max(0, box.width - 2);
  const rows = Math.max(0, box.height - 2);
  const [h, v, tl, tr, bl, br] = focused ? ["═", "║", "╔", "╗", "╚", "╝"] : ["─", "│", "┌", "┐", "└", "┘"];
  const label = ` ${focused ? "▶ " : ""}${title} `;
  const right = info ? ` ${info} ` : "";
  const fill = Math.max(0, inner - [...label].length - [...right].length - 1);
  const top = `${tl}${h}${label}${h.repeat(fill)}${right}${tr}`;
  const borderColor = focused ? toneColor(theme, "tunnel") : undefined;
  const border = (text: string) => <Text {...(borderColor ? { color: borderColor } : {})}>{text}</Text>;
  const body = [];
  for (let i = 0; i < rows; i++) {
    const line = lines[i] ?? [];
    body.push(
      <Text key={i} wrap="truncate">
        {border(v)}
        <SegText segs={fitSegs(line, inner)} theme={theme} inverse={cursor === i} />
        {border(v)}
      </Text>,
    );
  }
  return (
    <Box flexDirection="column" width={box.width} height={box.height}>
      <Text wrap="truncate">{border([...top].slice(0, box.width).join(""))}</Text>
      {body}
      <Text wrap="truncate">{border(`${bl}${h.repeat(inner)}${br}`)}</Text>
    </Box>
  );
}
