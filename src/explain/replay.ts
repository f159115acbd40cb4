/**
 * The replayer the CLI and the TUI use: one frame at a time, in capture order, to a FrameVerdict. A
 * megaflow cache per ingress port answers repeated traffic with one lookup; it is emptied whenever a
 * translation changes switch state (MAC learning, learn() flows), as OVS revalidates its datapath flows.
 */
import { extractFlowKey } from "../decode/flowkey.js";
import { copyFlowKey, newFlowKey } from "../model/layout.js";
import type { Ingress, PortRef } from "../pipeline/ingress.js";
import { FrameKeys } from "../pipeline/key-pool.js";
import { MegaflowCache } from "../pipeline/megaflow.js";
import { PassCache } from "../pipeline/pass-cache.js";
import { ReplayEngine } from "../pipeline/replay.js";
import type { SimHost, SimPort } from "../pipeline/switch.js";
import { egressCrossing, type HostFirewalls, ingressCrossings } from "./firewall.js";
import type { FrameVerdict, Hop } from "./types.js";
import { verdictOf } from "./verdict.js";

export interface ReplayOptions {
  /** Where frames enter (resolved `--at HOST:PORT`); tunnel frames for a loaded host still use their tunnel port. */
  at?: PortRef;
  /** The megaflow cache (default on); off, every frame is translated. */
  cache?: boolean;
  /** The hosts' iptables firewalls (hybrid plug): crossed before and after the OpenFlow pipeline. */
  firewalls?: HostFirewalls;
  /**
   * The verdicts' traces are never printed (the CLI's replay): translation skips the trace lines only a
   * printed trace reads (see XlateContext.lean). Off, the traces are whole (the TUI shows them). Lean
   * and without the cache, the flow keys in a verdict's traces (its passes' input, its outputs' flows)
   * are good until the next frame is replayed, as `Replayer.key` is: read them at once, if at all (the
   * replay verb reads none; its hops, drops, steps and summaries hold no key).
   */
  lean?: boolean;
}

export interface FrameMeta {
  linkType: number;
  /** The capture interface's name (pcapng if_name). */
  ifName?: string;
  /** Length on the wire (for MTU checks); the captured length when absent. */
  wireLength?: number;
}

export interface ReplayStats {
  frames: number;
  translated: number;
  cacheHits: number;
  /** Times the cache was emptied because a translation changed switch state. */
  invalidations: number;
}

export class Replayer {
  readonly engine: ReplayEngine;
  readonly stats: ReplayStats = { frames: 0, translated: 0, cacheHits: 0, invalidations: 0 };
  private readonly useCache: boolean;
  private readonly lean: boolean;
  /** One cache per ingress port (each SimPort object is one port of one bridge of one host). */
  private readonly caches = new Map<SimPort, MegaflowCache<CachedVerdict>>();
  /** The port of the last frame that reached the cache, and that port's cache (see replayOvs). */
  private lastPort: SimPort | undefined;
  private lastCache: MegaflowCache<CachedVerdict> | undefined;
  /** The flow key of the last frame at its ingress (the inner frame of a tunnel): reused, read it at once. */
  readonly key = newFlowKey();
  /** Lean and without the cache: the keys a frame's translation hands out, reused frame after frame. */
  private readonly frameKeys: FrameKeys | undefined;

  private readonly firewalls: HostFirewalls;
  /** Paths through ct() and recirculation, cached pass by pass as the datapath does (pass-cache.ts). */
  private readonly passes = new PassCache<CachedVerdict>();
  /** The firewall hop of the current frame's egress crossing (its tap's qbr), and the frame it saw. */
  private egress: { hop: Hop; note?: string } | undefined;
  private fwData: Uint8Array = new Uint8Array(0);
  /** The current frame's verdict was settled by the firewall alone (dropped, or a qvb capture's delivery). */
  private final = false;

  constructor(
    readonly hosts: readonly SimHost[],
    opts: ReplayOptions = {},
  ) {
    this.engine = new ReplayEngine(hosts, opts.at ? { at: opts.at } : {});
    this.useCache = opts.cache ?? true;
    this.lean = opts.lean ?? false;
    this.firewalls = opts.firewalls ?? new Map();
    this.frameKeys = this.lean && !this.useCache ? new FrameKeys() : undefined;
  }

  /** Replays one frame (call in capture order: state carries over to the next frame). */
  replayFrame(frame: number, data: Uint8Array, meta: FrameMeta): FrameVerdict {
    this.egress = undefined;
    this.final = false;
    const v = this.replayOvs(frame, data, meta);
    if (this.firewalls.size === 0 || v.drop?.reason === "security-group" || this.final) return v;
    const e = this.egress as { hop: Hop; note?: string } | undefined;
    // Field by field, not spread: a translated verdict's path is read through accessors (verdict.ts).
    let withEgress = v;
    if (e) {
      withEgress = copyOf(v, v.frame, v.cached);
      withEgress.hops = [v.hops[0], e.hop, ...v.hops.slice(1)];
      if (e.note) withEgress.summary = `${v.summary} [${e.note}]`;
    }
    return ingressCrossings(this.firewalls, this.hosts, withEgress, this.fwData);
  }

  private replayOvs(frame: number, data: Uint8Array, meta: FrameMeta): FrameVerdict {
    this.stats.frames++;
    const ingress = this.engine.ingress(data, meta.linkType, meta.ifName);
    if (ingress.kind === "none") {
      extractFlowKey(data, meta.linkType, this.key);
      return {
        frame,
        verdict: "no-ingress",
        branches: [],
        partial: false,
        summary: ingress.reason,
        hops: [],
        traces: [],
        cached: false,
      };
    }
    if (this.firewalls.size > 0) {
      this.fwData = ingress.kind === "tunnel" ? data.subarray(ingress.tunnel.innerOffset) : data;
      const crossing = egressCrossing(this.firewalls, ingress, frame, data);
      if (crossing?.dropped) {
        extractFlowKey(data, meta.linkType, this.key);
        this.final = true;
        return crossing.dropped;
      }
      this.egress = crossing;
    }
    this.engine.keyAt(ingress, data, meta.linkType, this.key);
    const cacheId = ingress.port;
    const wire = meta.wireLength ?? data.length;
    const inner = wire - ingressOverhead(ingress);
    // The last port's cache is held apart: a capture's frames mostly enter where the previous one did.
    let cache = cacheId === this.lastPort ? this.lastCache : this.caches.get(cacheId);
    this.lastPort = cacheId;
    this.lastCache = cache;
    if (this.useCache && cache) {
      const hit = cache.lookup(this.key);
      if (hit && inner <= hit.mtuLimit) {
        this.stats.cacheHits++;
        return cachedCopy(hit.verdict, frame);
      }
    }
    if (this.useCache) {
      const hit = this.passes.lookup(
        ingress.port,
        this.key,
        this.engine.conntrack,
        (h) => inner <= h.mtuLimit,
      );
      if (hit) {
        this.stats.cacheHits++;
        return cachedCopy(hit.verdict, frame);
      }
    }
    this.stats.translated++;
    // Without the cache and lean, nothing keeps the frame's keys past the frame: its own key is the
    // simulation's input as it is, and the previous frame's keys are taken back (see FrameKeys).
    const frameKeys = this.frameKeys;
    frameKeys?.reset();
    const sim = this.engine.simulate(ingress, frameKeys ? this.key : copyFlowKey(this.key), {
      megaflow: this.useCache,
      length: inner,
      lean: this.lean,
      frameKeys,
    });
    const result = verdictOf(frame, sim, inner);
    const verdict = result.verdict;
    if (sim.stateChanged) {
      this.stats.invalidations++;
      for (const c of this.caches.values()) c.clear();
      this.passes.clear();
    } else if (this.useCache && !result.mtuDropped && !(ingress.kind === "port" && ingress.assumed)) {
      const cached = { verdict, mtuLimit: result.mtuLimit };
      // A path with one megaflow is cached whole; one without (it recirculated through ct()) may still
      // be cached pass by pass, as the pass cache decides.
      if (sim.mask) {
        if (!cache) {
          cache = new MegaflowCache();
          this.caches.set(cacheId, cache);
          this.lastCache = cache;
        }
        cache.insert(this.key, sim.mask, cached);
      } else this.passes.insert(sim, cached);
    }
    return verdict;
  }
}

/** Bytes of outer headers a tunnel ingress strips (the inner frame is what the pipeline forwards). */
function ingressOverhead(ingress: Ingress): number {
  return ingress.kind === "tunnel" ? ingress.tunnel.innerOffset : 0;
}

/**
 * A cached verdict for another frame, built field by field: V8 copies an object spread of this shape
 * slowly (it was a sixth of the time of a cached replay), and absent optional fields stay absent.
 */
function cachedCopy(v: FrameVerdict, frame: number): FrameVerdict {
  return copyOf(v, frame, true);
}

/** A plain copy of a verdict (absent optional fields stay absent). */
function copyOf(v: FrameVerdict, frame: number, cached: boolean): FrameVerdict {
  const copy: FrameVerdict = {
    frame,
    verdict: v.verdict,
    branches: v.branches,
    partial: v.partial,
    summary: v.summary,
    hops: v.hops,
    traces: v.traces,
    cached,
  };
  if (v.tree !== undefined) copy.tree = v.tree;
  if (v.drop !== undefined) copy.drop = v.drop;
  return copy;
}

interface CachedVerdict {
  verdict: FrameVerdict;
  mtuLimit: number;
}
