import { readFileSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename } from "node:path";
import type { Command } from "@commander-js/extra-typings";
import { InvalidArgumentError } from "@commander-js/extra-typings";
import { PcapFileWriter } from "../../capture/writer.js";
import { tunnelOf } from "../../decode/flowkey.js";
import { parseFlowDump } from "../../dumps/flows.js";
import type { Host } from "../../dumps/host/load.js";
import { firewallsOf } from "../../dumps/netfilter/firewall.js";
import { dropsOf, hasFailure } from "../../explain/branches.js";
import { ReplayAggregate } from "../../explain/conversations.js";
import { type CounterDelta, counterEvidence } from "../../explain/counters.js";
import { FRAME_FIELDS, frameFieldType, frameRecord } from "../../explain/filter-fields.js";
import { type FrameMeta, Replayer } from "../../explain/replay.js";
import { FlowCoverage } from "../../explain/rule-coverage.js";
import type { FrameVerdict } from "../../explain/types.js";
import type { DisplayFilter } from "../../model/display-filter.js";
import type { CookieIndex } from "../../ovn/cookies.js";
import { type SimHost, switchesOf, traceSteps } from "../../pipeline/index.js";
import { resolveAt } from "../../pipeline/ingress.js";
import { coverageLines } from "../../present/coverage-view.js";
import { conversationLines, dropLines, frameLines } from "../../present/replay-view.js";
import { escapeText } from "../../util/escape.js";
import { formatDiagnostic } from "../../util/format-diagnostic.js";
import { HEAP_CEILING, HEAP_CEILING_BESIDE_A_THREAD, heapCap, holdYoungWhileLoading } from "../heap-cap.js";
import { EXIT, err, out, UsageError } from "../io.js";
import { JsonListStream } from "../json-stream.js";
import { progressOnTerminal } from "../progress.js";
import { errorCount, loadInputs } from "./hosts.js";
import { compileFilterOption, listFilterFields } from "./options.js";
import { ovnDropLines, ovnDropTargets, ovnFrameDropLines, ovnFrameDrops, ovnIndex } from "./ovn.js";
import { CaptureFrames, type FrameSource } from "./replay-frames.js";
import { type CaptureInput, splitReplayArgs } from "./replay-inputs.js";
import { type DecoderThread, defaultThreads, startDecoderThread } from "./replay-threads.js";

/** `A-B`, `A-` or `N`: 1-based frame numbers. */
function parseRange(value: string): { from: number; to: number } {
  const m = /^(\d+)(?:-(\d*))?$/.exec(value);
  if (!m || Number(m[1]) < 1) throw new InvalidArgumentError("expected N, A-B or A- (frame numbers from 1)");
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : m[2] === "" ? Number.POSITIVE_INFINITY : Number(m[2]);
  if (to < from) throw new InvalidArgumentError(`the range ends before it starts (${value})`);
  return { from, to };
}

/**
 * The captures' size together (what decides the threads, and the progress bar's whole); a capture that
 * cannot be read counts 0 (the replay then says why, as it opens it).
 */
function capturesBytes(inputs: readonly CaptureInput[]): number {
  let bytes = 0;
  for (const i of inputs) {
    try {
      bytes += statSync(i.path).size;
    } catch {
      // Named by the reader.
    }
  }
  return bytes;
}

/** `--threads`: 1 or 2 (the replay itself is one thread's work: a second one reads and decodes). */
function parseThreads(value: string): number {
  if (value !== "1" && value !== "2") throw new InvalidArgumentError("expected 1 or 2");
  return Number(value);
}

function verdictJson(v: FrameVerdict, time: string, summary: string): unknown {
  return {
    frame: v.frame,
    time,
    summary,
    verdict: v.verdict,
    partial: v.partial,
    branches: v.branches.map(({ drop: _drop, ...b }) => b),
    drops: dropsOf(v),
    tree: v.tree,
    result: v.summary,
    cached: v.cached,
    hops: v.hops,
    drop: v.drop,
    steps: v.traces.flatMap((t) =>
      traceSteps(t).map((st) => ({
        ...st,
        cookie: st.cookie === undefined ? undefined : `0x${st.cookie.toString(16)}`,
      })),
    ),
  };
}

export function registerReplay(program: Command): void {
  program
    .command("replay")
    .description(
      "replay a capture through the pipeline of the loaded hosts: where each frame went, and why each drop happened",
    )
    .argument("<capture>", "pcap or pcapng file; CAPTURE@HOST:PORT pins where its frames enter")
    .argument(
      "<hosts...>",
      "sosreport directories or archives (several: tunnels continue across them); more captures may come first, told apart by content, merged by timestamp",
    )
    .option(
      "--at <host:port>",
      "where the frames enter (a port or device name: qvo…, tap…, eth1); default: from the pcapng interface name, the tunnel endpoint or the source MAC",
    )
    .option("--frames <range>", "only frames A-B (1-based; A- to the end)", parseRange)
    .option(
      "--filter <expr>",
      "report only frames matching a display filter over the frame's fields and its verdict ('drop && reason == \"unknown-tunnel-id\"', 'bridge == \"br-tun\" && table == 4', 'tcp.port == 22'); every frame is still replayed, so MAC learning, learn() and conntrack evolve as they did, but only matching frames are printed, aggregated (conversations, drops), written by --write-inner and counted for the exit status; '?' lists the fields",
    )
    .option(
      "--tunnels <style>",
      "kernel (set(tunnel(...))) or native (tnl_push); default: as each host's datapath does",
    )
    .option("--no-cache", "translate every frame (no megaflow cache)")
    .option(
      "--before <dump>",
      "a flow dump taken before the capture (with --after: which flows' n_packets grew)",
    )
    .option("--after <dump>", "a flow dump taken after the capture")
    .option(
      "--write-inner <out.pcap>",
      "write the decapsulated inner frames of tunnel traffic, with their timestamps",
    )
    .option(
      "--flows",
      "flow coverage: per bridge and table, each flow with the replayed frames that hit it (and the first), beside the dump's n_packets; the flows the dump counted but no frame hit",
    )
    .option(
      "-v, --verbose",
      "the path of every frame, as a tree by host with one branch per flood or tunnel fork",
    )
    .option("--json", "frames, conversations, drops and counters as JSON")
    .option(
      "--threads <n>",
      "2: the captures read and decoded on a second thread while this one replays, the same output ~1.4x sooner where a second core is free, for ~8 MB more memory (the default for captures of 32 MB and more on 2 or more cores); 1: everything on one thread",
      parseThreads,
    )
    .option(
      "--ovn [central]",
      "OVN: a drop's logical flow and the ACL (or other northbound object) behind it, from the OVN databases of the loaded hosts or of the CENTRAL sosreport",
    )
    .action(async (capture, inputs, opts) => {
      if (listFilterFields(opts.filter, FRAME_FIELDS)) return;
      if (opts.tunnels !== undefined && opts.tunnels !== "kernel" && opts.tunnels !== "native")
        throw new UsageError(`--tunnels takes kernel or native, got "${opts.tunnels}"`);
      if ((opts.before === undefined) !== (opts.after === undefined))
        throw new UsageError("--before and --after go together");
      const filter = opts.filter === undefined ? undefined : compileFilterOption(opts.filter, frameFieldType);
      const args = splitReplayArgs([capture, ...inputs]);
      if (args.captures.length === 0) throw new UsageError(`${capture}: not a pcap or pcapng capture`);
      if (args.hosts.length === 0) throw new UsageError("no host given (sosreport directories or archives)");
      if (opts.at !== undefined && args.captures.some((c) => c.at !== undefined))
        throw new UsageError("--at and CAPTURE@HOST:PORT pins do not go together");
      const range = opts.frames ?? { from: 1, to: Number.POSITIVE_INFINITY };
      const threads = opts.threads ?? defaultThreads(capturesBytes(args.captures), availableParallelism());
      // Text output caps its memory (runReplay's heapCap): the load must not grow the young generation
      // past what the cap holds it at. The decoder thread starts once the hosts are loaded: a thread's
      // start sets V8's flags anew (the hold with them), and this thread waits for it, allocating
      // nothing, before holding again (see heap-cap.ts). Started before the load, it overlapped it by
      // ~50 ms, and the hold broke by chance.
      const loaded = opts.json ? undefined : holdYoungWhileLoading();
      const hosts = await loadInputs(args.hosts, {});
      const switches = switchesOf(hosts, opts.tunnels ? { tunnels: opts.tunnels } : {});
      const { filter: _text, ovn: ovnOpt, threads: _threads, ...rest } = opts;
      const ovn = ovnOpt === undefined ? undefined : await ovnIndex(hosts, ovnOpt);
      const decoder =
        threads === 2 ? await startDecoderThread({ inputs: args.captures, ...range }) : undefined;
      loaded?.();
      try {
        process.exitCode = runReplay(args.captures, switches, hosts, {
          ...rest,
          ...(filter ? { filter } : {}),
          ...(ovn ? { ovn } : {}),
          ...(decoder ? { decoder } : {}),
        });
      } finally {
        decoder?.close();
      }
    });
}

/**
 * The read buffer of the captures opened here only to be checked, while a thread reads them: enough for
 * the header and a first record (it grows for a bigger one). The 1 MiB a reader starts with was filled
 * and stayed resident beside the thread's own: measured, ~1.4 MB of the steady RSS of a 50 MB replay.
 */
const CHECK_WINDOW = 4 << 10;

export interface ReplayRunOptions {
  at?: string;
  frames?: { from: number; to: number };
  cache?: boolean;
  before?: string;
  after?: string;
  writeInner?: string;
  verbose?: boolean;
  json?: boolean;
  /** Count, per flow, the reported frames that hit it (`--flows`). */
  flows?: boolean;
  /**
   * Report only the frames this display filter matches (frame fields and verdict fields). Every frame
   * is still replayed: the switch state must evolve as it did.
   */
  filter?: DisplayFilter;
  /** OVN: explain each drop's flow by its cookie (`--ovn`). */
  ovn?: CookieIndex;
  /** The captures' frames read and decoded on this thread (started on the same captures and range). */
  decoder?: DecoderThread;
}

/**
 * Replays captures over loaded switches (several: merged by timestamp), printing as `ovspath replay`
 * does; returns the exit status.
 */
export function runReplay(
  capture: string | readonly CaptureInput[],
  switches: SimHost[],
  hosts: readonly Host[],
  opts: ReplayRunOptions,
): number {
  const at = opts.at === undefined ? undefined : resolveAt(switches, opts.at);
  if (typeof at === "string") throw new UsageError(at);
  const inputs = typeof capture === "string" ? [{ path: capture }] : capture;
  // A pin names a port as --at does; the frames then enter there as if the capture's interface had its name.
  const pinPort = (pin: string): string => {
    const r = resolveAt(switches, pin);
    if (typeof r === "string") throw new UsageError(r);
    return pin.slice(pin.indexOf(":") + 1);
  };
  // Opened here even when a thread decodes: a capture that cannot be read is a usage error before any output.
  const reader = new CaptureFrames(inputs, pinPort, opts.decoder ? CHECK_WINDOW : undefined);
  const source: FrameSource = opts.decoder ? threadFrames(opts.decoder, inputs, pinPort, reader) : reader;
  const several = inputs.length > 1;
  const replayer = new Replayer(switches, {
    ...(at ? { at } : {}),
    cache: opts.cache,
    firewalls: firewallsOf(hosts),
    // No output of this verb prints a frame's trace text (steps, drops and near misses stay).
    lean: true,
  });
  const agg = new ReplayAggregate();
  const coverage = opts.flows ? new FlowCoverage() : undefined;
  const writer = opts.writeInner ? new PcapFileWriter(opts.writeInner) : undefined;
  const range = opts.frames ?? { from: 1, to: Number.POSITIVE_INFINITY };
  // JSON is written frame by frame, as text is: nothing is kept per frame (see JsonListStream).
  const json = opts.json ? new JsonListStream("frames") : undefined;
  let failed = false;
  let reported = 0;
  const started = process.hrtime.bigint();
  const bar = progressOnTerminal(capturesBytes(inputs));
  // Nothing is kept per frame, text or JSON, so memory can stay flat (the cap is for text output, as
  // before: a JSON frame's verdict objects are larger, and collected as soon as it is written).
  const heap = opts.json ? undefined : heapCap(opts.decoder ? HEAP_CEILING_BESIDE_A_THREAD : HEAP_CEILING);
  try {
    for (let m = source.next(); m && m.frame <= range.to; m = source.next()) {
      heap?.tick();
      if (bar && (m.frame & 1023) === 0) bar.update(source.bytesRead(), m.frame);
      const data = m.data;
      // Built field by field: an object spread per frame is slow in V8.
      const meta: FrameMeta = { linkType: m.linktype, wireLength: m.len };
      if (m.ifName) meta.ifName = m.ifName;
      // Frames before the range still run: the state they leave (learning, conntrack) is real.
      const v = replayer.replayFrame(m.frame, data, meta);
      if (m.frame < range.from) continue;
      const time = source.time();
      if (opts.filter) {
        const seconds = Number(time);
        const info = {
          number: m.frame,
          length: m.len,
          captured: data.length,
          ...(Number.isNaN(seconds) ? {} : { time: seconds }),
          ...(m.ifName !== undefined ? { interface: m.ifName } : {}),
        };
        if (!opts.filter.matches(frameRecord(info, source.decoded(), v))) continue;
      }
      reported++;
      agg.add(replayer.key, v);
      coverage?.add(v);
      if (hasFailure(v)) failed = true;
      if (writer) {
        const t = tunnelOf(data, m.linktype);
        if (t)
          writer.write(data.subarray(t.innerOffset), m.tsSec, m.tsNsec, Math.max(0, m.len - t.innerOffset));
      }
      const line = source.summary();
      const summary = several ? `[${m.capture}] ${line}` : line;
      const ovn = opts.ovn && v.drop?.flow ? ovnDropTargets(v.drop.flow.cookie, opts.ovn) : undefined;
      const ovnDrops = opts.ovn ? ovnFrameDrops(v, opts.ovn) : [];
      if (json)
        json.item({
          ...(several ? { capture: m.capture } : {}),
          ...(verdictJson(v, time, line) as object),
          ...(ovn ? { ovn } : {}),
          ...(ovnDrops.length > 0 ? { ovnDrops } : {}),
        });
      else for (const l of frameLines(summary, time, v, opts.verbose ?? false)) out(l);
      if (ovn && !opts.json) for (const l of ovnDropLines(ovn)) out(l);
      if (!opts.json) for (const l of ovnFrameDropLines(ovnDrops)) out(l);
    }
  } finally {
    bar?.end();
    source.close();
    reader.close();
    writer?.close();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  let counters: CounterDelta[] | undefined;
  if (opts.before !== undefined && opts.after !== undefined) counters = countersOf(opts.before, opts.after);
  const flows = coverage?.report(switches);
  if (json) {
    json.end({
      verdicts: agg.verdicts,
      partlyDropped: agg.partlyDropped,
      conversations: agg.conversations(),
      drops: agg.dropGroups(),
      ...(counters ? { counters } : {}),
      ...(flows ? { flows } : {}),
      stats: opts.filter ? { ...replayer.stats, reported, filter: opts.filter.text } : replayer.stats,
    });
  } else {
    for (const l of conversationLines(agg.conversations())) out(l);
    for (const l of dropLines(agg.dropGroups())) out(l);
    if (counters) {
      out("");
      out(
        `== flows whose n_packets grew between ${escapeText(opts.before ?? "")} and ${escapeText(opts.after ?? "")}`,
      );
      for (const c of counters)
        out(
          `${String(`+${c.delta}`).padStart(8)}  table ${c.table} priority ${c.priority} ${escapeText(c.match)}`,
        );
    }
    if (flows) for (const l of coverageLines(flows)) out(l);
    const s = replayer.stats;
    out("");
    out(
      `${s.frames} frames replayed in ${seconds.toFixed(3)} s: ${s.translated} translated, ${s.cacheHits} from the megaflow cache (${s.invalidations} invalidations)`,
    );
    if (opts.filter) out(`${reported} frames matched --filter ${escapeText(opts.filter.text)}`);
  }
  for (const d of source.diagnostics) err(formatDiagnostic(d));
  if (errorCount(hosts) > 0 || source.diagnostics.some((d) => d.severity === "error")) failed = true;
  return failed ? EXIT.failure : EXIT.ok;
}

/** The decoder thread's frames, named and pinned as `reader` names and pins them. */
function threadFrames(
  decoder: DecoderThread,
  inputs: readonly CaptureInput[],
  pinOf: (at: string) => string,
  reader: CaptureFrames,
): FrameSource {
  // Its captures are read by the thread: this thread's copy only had to open them.
  reader.close();
  return decoder.frames(
    inputs.map((i) => basename(i.path)),
    (source, name) => {
      const at = inputs[source].at;
      return at ? pinOf(at) : name;
    },
  );
}

function countersOf(before: string, after: string): CounterDelta[] {
  const read = (file: string) => {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new UsageError(`${file}: ${(e as Error).message}`);
    }
    const d = parseFlowDump(text, file);
    for (const x of d.diagnostics) err(formatDiagnostic(x));
    return d.value.flows;
  };
  return counterEvidence(read(before), read(after));
}
