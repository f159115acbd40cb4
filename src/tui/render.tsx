/**
 * Drawing: the title line, the packet list, the detail panes of the layout, the status line (or the
 * help overlay). Everything here is built from what the app computed; nothing reads the data sources.
 */
import { Box, Text } from "ink";
import type { Layout, PaneBox } from "./layout.js";
import { HelpBox } from "./panes/bars.js";
import { DropsPane, FlowsPane, HexPane, LayersPane, PathPane, TracePane } from "./panes/detail.js";
import { SegText } from "./panes/frame.js";
import { PacketList, type PacketListProps } from "./panes/packet-list.js";
import type { DetailPane, TuiState } from "./state.js";
import type { Theme } from "./theme.js";
import { type Line, markLine } from "./view.js";

/** What the detail panes show besides their lines. */
export interface DetailNotes {
  /** The layers pane's title note ("frame 8 on tap…"). */
  layers?: string;
  /** The hex pane's ("ip 14-33": the selected layer's bytes). */
  hex?: string;
  flows?: string;
  drops?: string;
  /** The flows-pane lines marked ▶ (the selected frame's flows). */
  flowMarked(line: number): boolean;
}

function detailPane(
  pane: DetailPane,
  box: PaneBox,
  state: TuiState,
  theme: Theme,
  lines: readonly Line[],
  notes: DetailNotes,
) {
  const common = { box, focused: state.focus === pane, theme, lines, top: state.tops[pane] };
  const note = (text: string | undefined) => (text ? { note: text } : {});
  switch (pane) {
    case "layers":
      return <LayersPane key={pane} {...common} cursor={state.cursors.layers} {...note(notes.layers)} />;
    case "hex":
      return <HexPane key={pane} {...common} {...note(notes.hex)} />;
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
          mark={{ has: notes.flowMarked, line: markLine }}
          {...note(notes.flows)}
        />
      );
    case "drops":
      return <DropsPane key={pane} {...common} cursor={state.cursors.drops} {...note(notes.drops)} />;
    default: {
      const never: never = pane;
      return never;
    }
  }
}

export interface ScreenProps {
  columns: number;
  height: number;
  theme: Theme;
  state: TuiState;
  lay: Layout;
  title: Line;
  status: Line;
  list: Omit<PacketListProps, "box" | "focused" | "theme">;
  content: Readonly<Record<DetailPane, readonly Line[]>>;
  notes: DetailNotes;
}

export function Screen({
  columns,
  height,
  theme,
  state,
  lay,
  title,
  status,
  list,
  content,
  notes,
}: ScreenProps) {
  return (
    <Box flexDirection="column" width={columns} height={height}>
      <Text wrap="truncate">
        <SegText segs={title} theme={theme} />
      </Text>
      {state.help ? (
        <HelpBox columns={columns} rows={height - 2} />
      ) : (
        <>
          <PacketList box={lay.list} focused={state.focus === "list"} theme={theme} {...list} />
          <Box flexDirection="row">
            {lay.details.map((b) =>
              detailPane(b.pane as DetailPane, b, state, theme, content[b.pane as DetailPane], notes),
            )}
          </Box>
        </>
      )}
      <Text wrap="truncate">
        <SegText segs={status} theme={theme} />
      </Text>
    </Box>
  );
}
