/**
 * Aggregation over a replay: conversations (the 5-tuple, both directions as one) with their verdict
 * counts and path, and the drops summarised by host, bridge, table and reason.
 */
import { ipv4Of, ipv6Of, macOf } from "../model/field-value.js";
import { type FlowKey, K } from "../model/layout.js";
import { dropsOf } from "./branches.js";
import type { DropExplanation, DropReason, FrameVerdict, VerdictKind } from "./types.js";

export interface Conversation {
  /** "tcp 192.168.100.11:40000 ⇄ 192.168.100.21:22", "arp fa:16:3e:…", …: the first frame's sender first. */
  name: string;
  frames: number;
  verdicts: Partial<Record<VerdictKind, number>>;
  /** Frames that got somewhere on one branch and were dropped on another (also counted in `verdicts`). */
  partlyDropped: number;
  firstFrame: number;
  /** The summary of the conversation's first frame in each direction (→ as the first frame went, ← back). */
  paths: string[];
}

export interface DropGroup {
  host: string;
  bridge: string;
  table?: number;
  reason: DropReason;
  detail: string;
  frames: number[];
}

const PROTO: Readonly<Record<number, string>> = {
  1: "icmp",
  6: "tcp",
  17: "udp",
  47: "gre",
  58: "icmp6",
  132: "sctp",
};

function ends(key: FlowKey): [string, string, string] {
  const t = key[K.dlType];
  if (t === 0x0800 || t === 0x86dd) {
    const v4 = t === 0x0800;
    const addr = (off: number) => (v4 ? ipv4Of(BigInt(key[off] >>> 0)) : ipv6Of(words128(key, off)));
    const proto = key[K.nwProto];
    const name = PROTO[proto] ?? `ip proto ${proto}`;
    const ports = proto === 6 || proto === 17 || proto === 132;
    const a = `${addr(v4 ? K.nwSrc : K.ipv6Src)}${ports ? `:${key[K.tpSrc]}` : ""}`;
    const b = `${addr(v4 ? K.nwDst : K.ipv6Dst)}${ports ? `:${key[K.tpDst]}` : ""}`;
    return [name, a, b];
  }
  const mac = (off: number) => macOf((BigInt(key[off]) << 32n) | BigInt(key[off + 1] >>> 0));
  if (t === 0x0806) return ["arp", ipv4Of(BigInt(key[K.nwSrc] >>> 0)), ipv4Of(BigInt(key[K.nwDst] >>> 0))];
  return [`eth 0x${t.toString(16).padStart(4, "0")}`, mac(K.dlSrc), mac(K.dlDst)];
}

function words128(key: FlowKey, off: number): bigint {
  let v = 0n;
  for (let i = 0; i < 4; i++) v = (v << 32n) | BigInt(key[off + i] >>> 0);
  return v;
}

/** Accumulates conversations and drops frame by frame (bounded by the number of distinct conversations). */
export class ReplayAggregate {
  private readonly convs = new Map<string, Conversation>();
  private readonly drops = new Map<string, DropGroup>();
  /** Each conversation's first sender (by conversation id). */
  private readonly senders = new Map<string, string>();
  readonly verdicts: Partial<Record<VerdictKind, number>> = {};
  /** Frames delivered (or tunneled…) on one branch and dropped on another. */
  partlyDropped = 0;

  add(key: FlowKey | undefined, v: FrameVerdict): void {
    this.verdicts[v.verdict] = (this.verdicts[v.verdict] ?? 0) + 1;
    if (v.partial) this.partlyDropped++;
    if (key) {
      const [proto, a, b] = ends(key);
      // One conversation for both directions, named as its first frame went.
      const id = a <= b ? `${proto} ${a} ${b}` : `${proto} ${b} ${a}`;
      let c = this.convs.get(id);
      if (!c) {
        c = {
          name: `${proto} ${a} ⇄ ${b}`,
          frames: 0,
          verdicts: {},
          partlyDropped: 0,
          firstFrame: v.frame,
          paths: [],
        };
        this.convs.set(id, c);
        this.senders.set(id, a);
      }
      c.frames++;
      c.verdicts[v.verdict] = (c.verdicts[v.verdict] ?? 0) + 1;
      if (v.partial) c.partlyDropped++;
      const dir = `${this.senders.get(id) === a ? "→" : "←"} ${v.summary}`;
      if (c.paths.length < 4 && !c.paths.includes(dir)) c.paths.push(dir);
    }
    for (const d of dropsOf(v)) this.addDrop(d, v.frame);
  }

  private addDrop(d: DropExplanation, frame: number): void {
    const id = `${d.host}\u0000${d.bridge}\u0000${d.table ?? ""}\u0000${d.reason}`;
    let g = this.drops.get(id);
    if (!g) {
      g = { host: d.host, bridge: d.bridge, reason: d.reason, detail: d.detail, frames: [] };
      if (d.table !== undefined) g.table = d.table;
      this.drops.set(id, g);
    }
    // A frame whose two branches drop at the same place counts once there.
    if (g.frames.length < 10_000 && g.frames[g.frames.length - 1] !== frame) g.frames.push(frame);
  }

  conversations(): Conversation[] {
    return [...this.convs.values()].sort((a, b) => a.firstFrame - b.firstFrame);
  }

  dropGroups(): DropGroup[] {
    return [...this.drops.values()].sort((a, b) => b.frames.length - a.frames.length);
  }
}
