/**
 * The TUI's edge: opens the capture and the replay over the loaded hosts, builds the filter machinery,
 * enters the full screen, renders the app and waits for the user to quit.
 */
import chalk from "chalk";
import { render } from "ink";
import { createElement } from "react";
import type { Host } from "../dumps/host/load.js";
import { frameFieldType, frameRecord, isVerdictField } from "../explain/filter-fields.js";
import type { ReplayOptions } from "../explain/replay.js";
import type { VerdictBranch } from "../explain/types.js";
import { compileDisplayFilter, type DisplayFilter } from "../model/display-filter.js";
import type { CookieIndex } from "../ovn/cookies.js";
import type { SimHost } from "../pipeline/index.js";
import { formatDiagnostic } from "../util/format-diagnostic.js";
import { App, type TuiData } from "./app.js";
import { CaptureSource } from "./data/capture-source.js";
import { FilterScan } from "./data/filter-scan.js";
import { ReplayRunner } from "./data/replay-runner.js";
import { enterFullScreen } from "./screen.js";
import { themeFromEnv } from "./theme.js";

export interface TuiInput {
  capture?: string;
  hosts: readonly Host[];
  switches: readonly SimHost[];
  replay?: ReplayOptions;
  title: string;
  /** The cookie index of the OVN databases, when a central node's sosreport is loaded. */
  ovn?: CookieIndex;
}

/** Opens what the TUI shows; an unreadable capture is an error message. */
export function openTuiData(input: TuiInput): TuiData | string {
  let source: CaptureSource | undefined;
  let replay: ReplayRunner | undefined;
  if (input.capture !== undefined) {
    const s = CaptureSource.open(input.capture);
    if (!s.ok) return formatDiagnostic(s.error);
    source = s.value;
    // The first screenful before the first render; the rest is indexed in the background.
    source.indexStep(20);
    if (input.switches.length > 0) {
      const r = ReplayRunner.open(input.capture, input.switches, input.replay ?? {});
      if (!r.ok) return formatDiagnostic(r.error);
      replay = r.value;
    }
  }
  const capture = input.capture;
  const data: TuiData = {
    hosts: input.hosts,
    title: input.title,
    compileFilter: (text) => compileDisplayFilter(text, frameFieldType),
    ...(source ? { source } : {}),
    ...(replay ? { replay } : {}),
    ...(input.ovn ? { ovn: input.ovn } : {}),
  };
  if (capture !== undefined)
    data.openScan = (filter: DisplayFilter) => {
      const needsVerdict = [...filter.fields].some(isVerdictField);
      if (needsVerdict && !replay)
        return "this filter names verdict fields: load hosts to replay the capture";
      const r = FilterScan.open(capture, filter, frameRecord, {
        replayed: () => (replay && !replay.done && needsVerdict ? replay.count : Number.POSITIVE_INFINITY),
        verdict: (frame) => replay?.verdict(frame) ?? minimalVerdict(frame, replay),
      });
      return r.ok ? r.value : formatDiagnostic(r.error);
    };
  return data;
}

/** A verdict reduced to its kind, for a frame whose full verdict was not kept (filters on `verdict`). */
function minimalVerdict(frame: number, replay: ReplayRunner | undefined) {
  const kind = replay?.kind(frame);
  if (!kind) return undefined;
  // The branches are unknown; one dropped branch stands for them so `drop` matches a partly dropped frame.
  const partial = replay?.failedAt(frame) === true && !["dropped", "loop", "no-ingress"].includes(kind);
  const branches: VerdictBranch[] = partial ? [{ kind: "dropped", host: "", text: "" }] : [];
  return { frame, verdict: kind, branches, partial, summary: "", hops: [], traces: [], cached: false };
}

/** Runs the TUI on the terminal until the user quits. */
export async function runTui(data: TuiData): Promise<void> {
  const stdout = process.stdout;
  const screen = enterFullScreen(stdout, { mouse: true });
  const theme = themeFromEnv(process.env);
  // Ink colours through chalk, whose terminal check turns colours off wherever CI is set, even on a
  // real terminal. The theme decides (NO_COLOR, TERM=dumb); the tones need only the 16 basic colours.
  chalk.level = theme.color ? (Math.max(chalk.level, 1) as typeof chalk.level) : 0;
  try {
    const app = render(createElement(App, { data, theme }), {
      exitOnCtrlC: false,
      patchConsole: true,
      maxFps: 60,
    });
    await app.waitUntilExit();
  } finally {
    screen.restore();
    data.source?.close();
    data.replay?.close();
  }
}
