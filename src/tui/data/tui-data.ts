/** What the TUI shows, as the app and its panes share it. */
import type { Host } from "../../dumps/host/load.js";
import type { CompileResult, DisplayFilter } from "../../model/display-filter.js";
import type { CookieIndex } from "../../ovn/cookies.js";
import type { CaptureSource } from "./capture-source.js";
import type { FilterScan } from "./filter-scan.js";
import type { U32List } from "./growable.js";
import type { ReplayRunner } from "./replay-runner.js";

export interface TuiData {
  /** The capture (absent: `ovspath tui HOST...` browses flows only). */
  source?: CaptureSource;
  hosts: readonly Host[];
  replay?: ReplayRunner;
  /** The OVN databases of the loaded hosts (a central node among them): the panes speak logical names. */
  ovn?: CookieIndex;
  /** The title line's name for what is shown ("demo: compute1-…-rx.pcap"). */
  title: string;
  compileFilter(text: string): CompileResult;
  /** Starts a background scan of the capture for a compiled filter. */
  openScan?(filter: DisplayFilter): FilterScan | string;
}

/** The frames the list shows instead of all: a filter's matches (growing while it scans) or a drop group. */
export interface MatchSet {
  label: string;
  list: U32List;
  scan?: FilterScan;
}
