/**
 * The replay behind the verdict column, the path, trace and drops panes: every frame through the
 * loaded switches in capture order (switch state evolves from frame to frame), in chunks so the screen
 * stays live. Per frame one byte (the verdict kind); full FrameVerdicts only for drops (up to a cap)
 * and for the most recent frames (an LRU).
 */
import { type CaptureReader, openCapture } from "../../capture/index.js";
import { hasFailure } from "../../explain/branches.js";
import { type DropGroup, ReplayAggregate } from "../../explain/conversations.js";
import { Replayer, type ReplayOptions } from "../../explain/replay.js";
import { FlowCoverage } from "../../explain/rule-coverage.js";
import type { FrameVerdict, VerdictKind } from "../../explain/types.js";
import type { SimHost } from "../../pipeline/index.js";
import type { Diagnostic, Result } from "../../util/diagnostic.js";

export const VERDICT_KINDS: readonly VerdictKind[] = [
  "delivered",
  "tunneled",
  "dropped",
  "controller",
  "loop",
  "no-ingress",
];

/** Kinds whose full verdict is kept (up to KEEP_FAILED): the drops pane and their traces need them. */
const FAILED: ReadonlySet<VerdictKind> = new Set(["dropped", "loop", "no-ingress"]);
const KEEP_FAILED = 20_000;
const PARTLY_FAILED = 0x80;
const KEEP_RECENT = 20_000;

export class ReplayRunner {
  /**
   * kinds[frame - 1]: 0 = not replayed yet, else 1 + index in VERDICT_KINDS, plus PARTLY_FAILED when
   * some branch was dropped while another got somewhere.
   */
  private kinds = new Uint8Array(1 << 16);
  /** Frames replayed so far. */
  count = 0;
  done = false;
  private readonly failed = new Map<number, FrameVerdict>();
  /** The last KEEP_RECENT verdicts, by frame number modulo KEEP_RECENT (a ring: no per-frame allocation). */
  private readonly recent: Array<FrameVerdict | undefined> = new Array(KEEP_RECENT);
  /** Verdict counts and drop groups (no flow key given: conversations are not built, they cost). */
  private readonly aggregate = new ReplayAggregate();
  private readonly replayer: Replayer;
  /** Per flow, the replayed frames that hit it (the flows pane's counts and hit/unhit listing). */
  readonly coverage = new FlowCoverage();
  /** Milliseconds spent replaying. */
  elapsedMs = 0;

  private constructor(
    private readonly reader: CaptureReader,
    switches: readonly SimHost[],
    opts: ReplayOptions,
  ) {
    this.replayer = new Replayer(switches, opts);
  }

  static open(file: string, switches: readonly SimHost[], opts: ReplayOptions = {}): Result<ReplayRunner> {
    const r = openCapture(file);
    if (!r.ok) return r;
    return { ok: true, value: new ReplayRunner(r.value, switches, opts) };
  }

  get diagnostics(): readonly Diagnostic[] {
    return this.reader.diagnostics;
  }

  /** Replays frames for at most `budgetMs`; true when the capture is done. */
  step(budgetMs: number): boolean {
    if (this.done) return true;
    const t0 = performance.now();
    const until = t0 + budgetMs;
    const reader = this.reader;
    for (;;) {
      const rec = reader.next();
      if (!rec) {
        this.done = true;
        this.reader.close();
        break;
      }
      const data = rec.bytes.subarray(rec.offset, rec.offset + rec.caplen);
      const iface = reader.interfaces[rec.interfaceId];
      const v = this.replayer.replayFrame(rec.frame, data, {
        linkType: rec.linktype,
        wireLength: rec.len,
        ...(iface?.name ? { ifName: iface.name } : {}),
      });
      this.record(rec.frame, v);
      if ((this.count & 255) === 0 && performance.now() >= until) break;
    }
    this.elapsedMs += performance.now() - t0;
    return this.done;
  }

  private record(frame: number, v: FrameVerdict): void {
    if (frame > this.kinds.length) {
      let n = this.kinds.length;
      while (n < frame) n *= 2;
      const grown = new Uint8Array(n);
      grown.set(this.kinds);
      this.kinds = grown;
    }
    this.kinds[frame - 1] = 1 + VERDICT_KINDS.indexOf(v.verdict) + (v.partial ? PARTLY_FAILED : 0);
    this.count = Math.max(this.count, frame);
    this.aggregate.add(undefined, v);
    this.coverage.add(v);
    if (hasFailure(v) && this.failed.size < KEEP_FAILED) this.failed.set(frame, v);
    else this.recent[frame % KEEP_RECENT] = v;
  }

  /** The verdict kind of a frame, once replayed. */
  kind(frame: number): VerdictKind | undefined {
    if (frame < 1 || frame > this.kinds.length) return undefined;
    const k = this.kinds[frame - 1];
    return k === 0 ? undefined : VERDICT_KINDS[(k & ~PARTLY_FAILED) - 1];
  }

  /** Delivered (or tunneled…) on some branch and dropped on another, once replayed. */
  partialAt(frame: number): boolean {
    return frame >= 1 && frame <= this.kinds.length && (this.kinds[frame - 1] & PARTLY_FAILED) !== 0;
  }

  /** Frames delivered on a branch and dropped on another, so far. */
  get partlyDropped(): number {
    return this.aggregate.partlyDropped;
  }

  /** Some copy of the frame was dropped (the whole frame, or one branch of a flood), once replayed. */
  failedAt(frame: number): boolean {
    if (frame < 1 || frame > this.kinds.length) return false;
    const k = this.kinds[frame - 1];
    return (k & PARTLY_FAILED) !== 0 || FAILED.has(VERDICT_KINDS[k - 1] ?? "delivered");
  }

  /** The full verdict when it was kept (every drop up to 20,000, and the last 20,000 frames). */
  verdict(frame: number): FrameVerdict | undefined {
    const kept = this.failed.get(frame);
    if (kept) return kept;
    const v = this.recent[frame % KEEP_RECENT];
    return v?.frame === frame ? v : undefined;
  }

  /** The drops by host, bridge, table and reason, the largest group first (10,000 frames listed each). */
  drops(): DropGroup[] {
    return this.aggregate.dropGroups();
  }

  /** Verdict counts so far. */
  get verdicts(): Partial<Record<VerdictKind, number>> {
    return this.aggregate.verdicts;
  }

  get stats() {
    return this.replayer.stats;
  }

  close(): void {
    if (!this.done) this.reader.close();
  }
}
