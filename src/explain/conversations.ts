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

/** Where a conversation's end starts in the flow key: the IP (or ARP) address, else the MAC. */
function endAt(t: number, src: boolean): number {
  if (t === 0x0800 || t === 0x0806) return src ? K.nwSrc : K.nwDst;
  if (t === 0x86dd) return src ? K.ipv6Src : K.ipv6Dst;
  return src ? K.dlSrc : K.dlDst;
}

/** How many words the end's address takes. */
function endWords(t: number): number {
  return t === 0x0800 || t === 0x0806 ? 1 : t === 0x86dd ? 4 : 2;
}

/** The end's port: TCP, UDP and SCTP only (0 otherwise, as the name leaves it out). */
function endPort(key: FlowKey, src: boolean): number {
  const t = key[K.dlType];
  const proto = key[K.nwProto];
  const ports = (t === 0x0800 || t === 0x86dd) && (proto === 6 || proto === 17 || proto === 132);
  return ports ? key[src ? K.tpSrc : K.tpDst] : 0;
}

/** -1, 0 or 1 as the frame's source end sorts before, as, or after its destination end (by their words). */
function compareEnds(key: FlowKey): number {
  const t = key[K.dlType];
  const s = endAt(t, true);
  const d = endAt(t, false);
  for (let i = 0, n = endWords(t); i < n; i++) {
    const a = key[s + i] >>> 0;
    const b = key[d + i] >>> 0;
    if (a !== b) return a < b ? -1 : 1;
  }
  const sp = endPort(key, true);
  const dp = endPort(key, false);
  return sp === dp ? 0 : sp < dp ? -1 : 1;
}

/**
 * The conversation's id, the same for both directions: the ethertype, the protocol and both ends, the
 * lower end first, as 16-bit character codes. No text is formatted per frame and nothing but the id is
 * allocated (it once took a fifth of the replay's time, with bigint arithmetic); names are formatted
 * once, for a new conversation.
 */
function conversationId(key: FlowKey, srcFirst: boolean): string {
  const t = key[K.dlType];
  const s = endAt(t, srcFirst);
  const d = endAt(t, !srcFirst);
  // The protocol tells IP conversations apart; ARP's nw_proto is its opcode (a request and its reply are one).
  const proto = t === 0x0800 || t === 0x86dd ? key[K.nwProto] & 0xffff : 0;
  const sp = endPort(key, srcFirst);
  const dp = endPort(key, !srcFirst);
  const a = key[s];
  const b = key[d];
  let id = String.fromCharCode(t & 0xffff, proto, sp, dp, a >>> 16, a & 0xffff, b >>> 16, b & 0xffff);
  for (let i = 1, n = endWords(t); i < n; i++) {
    const x = key[s + i];
    const y = key[d + i];
    id += String.fromCharCode(x >>> 16, x & 0xffff, y >>> 16, y & 0xffff);
  }
  return id;
}

/**
 * Whether the conversation has the path "<arrow> <summary>". Compared with the arrow and summary each
 * path was made from: frames answered by one cached verdict share its summary string, so the common
 * case is one identity comparison (matching the joined text could flatten the summary every frame).
 */
function hasPath(c: Tracked, arrow: string, summary: string): boolean {
  for (let i = 0; i < c.pathParts.length; i += 2)
    if (c.pathParts[i + 1] === summary && c.pathParts[i] === arrow) return true;
  return false;
}

interface Tracked extends Conversation {
  /** Whether the first frame went from the lower end (by `compareEnds`) to the higher one. */
  fromLow: boolean;
  /** Each path's arrow and summary in turn (see hasPath). */
  pathParts: string[];
}

/** Accumulates conversations and drops frame by frame (bounded by the number of distinct conversations). */
export class ReplayAggregate {
  private readonly convs = new Map<string, Tracked>();
  private readonly drops = new Map<string, DropGroup>();
  readonly verdicts: Partial<Record<VerdictKind, number>> = {};
  /** Frames delivered (or tunneled…) on one branch and dropped on another. */
  partlyDropped = 0;

  add(key: FlowKey | undefined, v: FrameVerdict): void {
    this.verdicts[v.verdict] = (this.verdicts[v.verdict] ?? 0) + 1;
    if (v.partial) this.partlyDropped++;
    if (key) {
      const order = compareEnds(key);
      const fromLow = order <= 0;
      // One conversation for both directions, named as its first frame went.
      const id = conversationId(key, fromLow);
      let c = this.convs.get(id);
      if (!c) {
        const [proto, a, b] = ends(key);
        c = {
          name: `${proto} ${a} ⇄ ${b}`,
          frames: 0,
          verdicts: {},
          partlyDropped: 0,
          firstFrame: v.frame,
          paths: [],
          pathParts: [],
          fromLow,
        };
        this.convs.set(id, c);
      }
      c.frames++;
      c.verdicts[v.verdict] = (c.verdicts[v.verdict] ?? 0) + 1;
      if (v.partial) c.partlyDropped++;
      // A frame between one end and itself goes both ways: it counts as the first frame's direction.
      const arrow = order === 0 || c.fromLow === fromLow ? "→" : "←";
      if (c.paths.length < 4 && !hasPath(c, arrow, v.summary)) {
        c.paths.push(`${arrow} ${v.summary}`);
        c.pathParts.push(arrow, v.summary);
      }
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
    return [...this.convs.values()]
      .sort((a, b) => a.firstFrame - b.firstFrame)
      .map(({ fromLow: _, pathParts: _parts, ...c }) => c);
  }

  dropGroups(): DropGroup[] {
    return [...this.drops.values()].sort((a, b) => b.frames.length - a.frames.length);
  }
}
