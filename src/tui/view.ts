/**
 * The text of each pane, as lines of styled segments: pure functions from the model (decoded frame,
 * verdict, flows, drop groups) to what is drawn. Everything that came from a capture or a dump is
 * escaped here, once.
 */
import { basename } from "node:path";
import { formatLayerTree } from "../decode/tree.js";
import type { DecodedFrame } from "../decode/types.js";
import type { Host } from "../dumps/host/load.js";
import { dropsOf } from "../explain/branches.js";
import type { DropGroup } from "../explain/conversations.js";
import { mismatchText, nearMissTable } from "../explain/near-miss.js";
import type { FrameVerdict, Hop, NearMiss, PathTree, VerdictKind } from "../explain/types.js";
import type { CookieIndex } from "../ovn/cookies.js";
import { formatOvnDrop } from "../ovn/explain.js";
import { logicalStepLines, ovnDropOf, ovnTraceText } from "../ovn/trace-view.js";
import type { TraceResult } from "../pipeline/index.js";
import { formatTrace, traceSteps } from "../pipeline/index.js";
import { flowsView } from "../present/flows-view.js";
import { escapeText } from "../util/escape.js";

export type Tone = "drop" | "ok" | "tunnel" | "dim" | "title" | "warn" | "mark";

export interface Seg {
  text: string;
  tone?: Tone;
  /** Shown inverted (the selected layer's bytes, the cursor line). */
  inverse?: boolean;
  bold?: boolean;
}

export type Line = Seg[];

const line = (text: string, tone?: Tone): Line => [tone ? { text, tone } : { text }];

// ---- packet list ----

export const VERDICT_LABEL: Readonly<Record<VerdictKind, string>> = {
  delivered: "delivered",
  tunneled: "tunneled",
  dropped: "DROPPED",
  controller: "controller",
  loop: "LOOP",
  "no-ingress": "no-ingress",
};

export const VERDICT_TONE: Readonly<Record<VerdictKind, Tone>> = {
  delivered: "ok",
  tunneled: "tunnel",
  dropped: "drop",
  controller: "warn",
  loop: "drop",
  "no-ingress": "warn",
};

/** Fits text to exactly `width` cells: cut with "…" or padded. */
export function fitText(text: string, width: number): string {
  if (width <= 0) return "";
  const chars = [...text];
  if (chars.length > width) return `${chars.slice(0, Math.max(0, width - 1)).join("")}…`;
  return text + " ".repeat(width - chars.length);
}

export interface ListColumns {
  verdict: boolean;
}

export function listHeading(cols: ListColumns): string {
  return `${"No.".padStart(7)} ${"Time".padStart(11)} ${cols.verdict ? `${"Verdict".padEnd(10)} ` : ""}Summary`;
}

export function listLine(
  frame: number,
  time: string,
  summary: string,
  /** "partial": delivered (or tunneled…) on a branch, dropped on another. */
  verdict: VerdictKind | "pending" | "partial" | undefined,
  cols: ListColumns,
  marked: boolean,
): Line {
  const head = `${marked ? "*" : " "}${String(frame).padStart(6)} ${time.padStart(11)} `;
  const segs: Line = [{ text: head }];
  if (cols.verdict) {
    if (verdict === undefined || verdict === "pending")
      segs.push({ text: `${"…".padEnd(10)} `, tone: "dim" });
    else if (verdict === "partial") segs.push({ text: `${"PARTIAL".padEnd(10)} `, tone: "drop" });
    else segs.push({ text: `${VERDICT_LABEL[verdict].padEnd(10)} `, tone: VERDICT_TONE[verdict] });
  }
  segs.push({ text: summary });
  return segs;
}

// ---- layers ----

export interface LayerLines {
  lines: Line[];
  /** For each line: the layer key ("proto@depth") when the line is a layer heading. */
  keys: Array<string | undefined>;
  /** For each line: the index of the layer it belongs to (-1 for notes after the layers). */
  layerOf: number[];
}

export const layerKey = (proto: string, depth: number): string => `${proto}@${depth}`;

/** The layer tree of a frame (formatLayerTree's text, escaped there), collapsed but for `expanded`. */
export function layerLines(frame: DecodedFrame, expanded: ReadonlySet<string>): LayerLines {
  const tree = formatLayerTree(frame);
  const out: LayerLines = { lines: [], keys: [], layerOf: [] };
  let at = 0;
  frame.layers.forEach((l, i) => {
    const fields = Object.keys({ ...l.fields, ...(l.detail ?? {}) }).length;
    const key = layerKey(l.proto, l.depth);
    const open = expanded.has(key);
    const heading = tree[at] ?? "";
    const pad = heading.length - heading.trimStart().length;
    out.lines.push([
      { text: `${heading.slice(0, pad)}${open ? "▾" : "▸"} ${heading.slice(pad)}`, bold: true },
    ]);
    out.keys.push(key);
    out.layerOf.push(i);
    if (open)
      for (const f of tree.slice(at + 1, at + 1 + fields)) {
        out.lines.push(line(`  ${f}`));
        out.keys.push(undefined);
        out.layerOf.push(i);
      }
    at += 1 + fields;
  });
  for (const note of tree.slice(at)) {
    out.lines.push(line(note, "warn"));
    out.keys.push(undefined);
    out.layerOf.push(-1);
  }
  return out;
}

// ---- hex ----

const printable = (b: number): string => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".");

/** Offset, hex and ASCII, `perLine` bytes a line; bytes [hl.offset, hl.offset + hl.length) inverted. */
export function hexLines(
  data: Uint8Array,
  hl: { offset: number; length: number } | undefined,
  perLine: number,
): Line[] {
  const out: Line[] = [];
  const inHl = (i: number) => hl !== undefined && i >= hl.offset && i < hl.offset + hl.length;
  for (let base = 0; base < data.length; base += perLine) {
    const segs: Line = [{ text: `${base.toString(16).padStart(4, "0")}  `, tone: "dim" }];
    const push = (text: string, on: boolean) => {
      const last = segs[segs.length - 1];
      if (last && (last.inverse ?? false) === on && last.tone === undefined) last.text += text;
      else segs.push(on ? { text, inverse: true } : { text });
    };
    for (let i = base; i < base + perLine; i++) {
      if (i < data.length) push(data[i].toString(16).padStart(2, "0"), inHl(i));
      else push("  ", false);
      // The space between two highlighted bytes is highlighted too.
      push(" ", i + 1 < base + perLine && inHl(i) && inHl(i + 1));
      if (perLine === 16 && i === base + 7) push(" ", false);
    }
    push(" ", false);
    for (let i = base; i < Math.min(base + perLine, data.length); i++) push(printable(data[i]), inHl(i));
    out.push(segs);
  }
  if (out.length === 0) out.push(line("(no bytes captured)", "dim"));
  return out;
}

export const hexWidth = (perLine: number): number => 6 + perLine * 3 + (perLine === 16 ? 1 : 0) + 1 + perLine;

// ---- path ----

function hopLabel(h: Hop): string {
  const where = h.bridge ? `${h.bridge} ${h.port}` : h.port;
  const seg = h.segment ? ` [${h.segment}]` : "";
  const kind: Record<Hop["kind"], string> = {
    in: "in ",
    out: "out",
    patch: "⇄  ",
    "tunnel-out": "⇒  ",
    "tunnel-in": "⇐  ",
    veth: "⇄  ",
    drop: "✗  ",
    firewall: "fw ",
  };
  // The firewall hop: which chain decided and how (iptables on the qbr bridge).
  const fw = h.kind === "firewall" ? ` iptables ${h.chain ?? ""} → ${h.verdict ?? ""}` : "";
  return `${kind[h.kind]} ${escapeText(where + seg + fw)}`;
}

/** The verdict's one line (partly dropped said so), or why there is none: the head of the path and trace panes. */
function verdictHead(v: FrameVerdict | undefined, kind: VerdictKind | undefined, replaying: boolean): Line[] {
  if (!v) return noVerdict(kind, replaying);
  const head = v.partial ? `PARTLY DROPPED: ${v.summary}` : v.summary;
  return [line(escapeText(head), v.partial ? "drop" : VERDICT_TONE[v.verdict])];
}

/** The hops of one tree node by host, `indent` deep (a fork of a flood or tunnel one level more). */
function hopLines(hops: readonly Hop[], indent: string, first: boolean, out: Line[]): void {
  let host: string | undefined;
  hops.forEach((h, i) => {
    if (h.host !== host) {
      host = h.host;
      out.push([{ text: `${indent}${escapeText(h.host)}`, tone: "title", bold: true }]);
    }
    const arrow = first && i === 0 ? "  ● " : "  ↓ ";
    out.push(
      h.kind === "drop"
        ? [{ text: `${indent}${arrow}${hopLabel(h)}  ← dropped here`, tone: "drop", bold: true }]
        : line(`${indent}${arrow}${hopLabel(h)}`),
    );
  });
}

function treeLines(t: PathTree, indent: string, first: boolean, out: Line[]): void {
  hopLines(t.hops, indent, first, out);
  const forks = t.forks.filter((f) => f.hops.length > 0 || f.forks.length > 0);
  forks.forEach((f, i) => {
    out.push(
      line(`${indent}  ${i === forks.length - 1 ? "└" : "├"}─ branch ${i + 1} of ${forks.length}`, "dim"),
    );
    treeLines(f, `${indent}  ${i === forks.length - 1 ? " " : "│"} `, false, out);
  });
}

/**
 * The OVN databases behind the loaded chassis (the central node's sosreport among the hosts): the
 * panes then read each OpenFlow step and each drop in logical terms, as `trace --ovn` does.
 */
export interface OvnView {
  index: CookieIndex;
  hosts: readonly Host[];
}

/** A pane about the selected frame's verdict: its head line, then `body` when there is a verdict. */
const verdictPane =
  (body: (v: FrameVerdict, out: Line[], ovn: OvnView | undefined) => void) =>
  (v: FrameVerdict | undefined, kind: VerdictKind | undefined, replaying: boolean, ovn?: OvnView): Line[] => {
    const out = verdictHead(v, kind, replaying);
    if (v) body(v, out, ovn);
    return out;
  };

/** The logical drop of each dropped trace (`OVN: dropped in "ls1" … by ACL …`), once per distinct text. */
function ovnDropLines(traces: readonly TraceResult[], ovn: OvnView | undefined): Line[] {
  if (!ovn) return [];
  const texts = new Set<string>();
  for (const t of traces) {
    const d = ovnDropOf(t, ovn.index);
    if (d) texts.add(formatOvnDrop(d));
  }
  return [...texts].flatMap((t) =>
    t.split("\n").map((l, i) => line(escapeText(l), i === 0 ? "drop" : "warn")),
  );
}

/** Under the hops: each chassis' OpenFlow steps read as logical flows and northbound objects. */
function logicalPathLines(traces: readonly TraceResult[], ovn: OvnView, out: Line[]): void {
  for (const t of traces) {
    const steps = logicalStepLines(t, ovn.index);
    if (steps.length === 0) continue;
    out.push([
      { text: `logical flows on ${escapeText(`${t.host} ${t.bridge}`)}`, tone: "title", bold: true },
    ]);
    for (const l of steps) out.push(line(`  ${escapeText(l)}`, /^ {2}\* ACL/.test(l) ? "warn" : undefined));
  }
}

/** The hops of a frame by host, one indented branch per flood or tunnel fork, the drop points marked. */
export const pathLines = verdictPane((v, out, ovn) => {
  if (v.tree) treeLines(v.tree, "", true, out);
  else hopLines(v.hops, "", true, out);
  const d = v.drop;
  if (d && !v.hops.some((h) => h.kind === "drop"))
    out.push([
      {
        text: `  ✗ ${escapeText(`${d.host} ${d.bridge}${d.table !== undefined ? ` table ${d.table}` : ""}`)}  ← dropped here (${d.reason})`,
        tone: "drop",
        bold: true,
      },
    ]);
  if (v.hops.length === 0 && !d) out.push(line("(no hops)", "dim"));
  out.push(...ovnDropLines(v.traces, ovn));
  if (ovn) logicalPathLines(v.traces, ovn, out);
});

function noVerdict(kind: VerdictKind | undefined, replaying: boolean): Line[] {
  if (kind)
    return [
      line(
        `${VERDICT_LABEL[kind]}: the details of this frame were not kept (only the last 20,000 frames and 20,000 drops are)`,
        "dim",
      ),
    ];
  return [
    line(
      replaying
        ? "replaying… (this frame's verdict comes when the replay reaches it)"
        : "no hosts loaded: give sosreports after the capture to replay it",
      "dim",
    ),
  ];
}

// ---- trace ----

function nearMissText(n: NearMiss): string {
  return `${nearMissTable(n)} priority ${n.priority} (${basename(n.file)}:${n.line}): ${mismatchText(n)}`;
}

/** The drop explanation and near misses first, then each host's ofproto/trace as OVS prints it. */
export const traceLines = verdictPane((v, out, ovn) => {
  const drops = dropsOf(v);
  for (const d of drops) {
    const which = drops.length > 1 || v.partial ? ` (${escapeText(d.host)})` : "";
    out.push([{ text: `why${which}: ${escapeText(d.detail)}`, tone: "drop", bold: true }]);
    out.push(
      ...ovnDropLines(
        v.traces.filter((t) => t.host === d.host),
        ovn,
      ),
    );
    if (d.flow)
      out.push(
        line(
          `dropping flow: ${escapeText(`${basename(d.flow.file)}:${d.flow.line} cookie ${d.flow.cookie}`)}`,
        ),
        line(`  ${escapeText(d.flow.text)}`, "dim"),
      );
    if (d.nearMisses.length > 0) out.push(line("near misses:", "title"));
    for (const n of d.nearMisses) out.push(line(`  ${escapeText(nearMissText(n))}`, "warn"));
    // A security-group drop: the iptables rule and the rules that nearly matched.
    if (d.rule && d.file !== undefined)
      out.push(
        line(
          `dropping rule: ${escapeText(`${basename(d.file)}:${d.line ?? 0} (${d.iptablesTable ?? ""} ${d.chain ?? ""})`)}`,
        ),
        line(`  ${escapeText(d.rule)}`, "dim"),
      );
    if ((d.firewallNearMisses ?? []).length > 0) out.push(line("near misses:", "title"));
    for (const n of d.firewallNearMisses ?? [])
      out.push(
        line(`  ${escapeText(`${basename(n.file)}:${n.line}: ${n.rule}: ${n.failed.join("; ")}`)}`, "warn"),
      );
  }
  for (const h of v.hops.filter((x) => x.kind === "firewall"))
    out.push(
      line(
        `── iptables on ${escapeText(`${h.host} ${h.bridge ?? ""}: ${h.chain ?? ""} → ${h.verdict ?? ""}`)}`,
        "title",
      ),
    );
  if (v.cached)
    out.push(
      line("(answered by the megaflow cache: the trace is that of the first frame of this flow)", "dim"),
    );
  for (const t of v.traces) {
    out.push([
      {
        text: `── ofproto/trace on ${escapeText(t.host)} bridge ${escapeText(t.bridge)} (${t.verdict})`,
        tone: "title",
        bold: true,
      },
    ]);
    const text = formatTrace(t);
    for (const l of (ovn ? ovnTraceText(text, t, ovn.index, ovn.hosts) : text).split("\n")) {
      const tone: Tone | undefined = /^\s*\d+\. /.test(l)
        ? "mark"
        : /^OVN: dropped/.test(l)
          ? "drop"
          : /drop|Translation failed/i.test(l) && /^\s*(-|>|Datapath)/.test(l)
            ? "drop"
            : undefined;
      out.push(line(escapeText(l), tone));
    }
  }
});

// ---- flows ----

export interface FlowLines {
  lines: Line[];
  /** For each line that is a flow: "file:line" of its dump line (what a trace step names). */
  keys: Array<string | undefined>;
}

/**
 * Every host's flows by bridge and table, highest priority first, with the counters; with `frames`
 * (a replay's per-flow hits, by "file:line") each flow also shows how many replayed frames hit it.
 */
export function flowLines(hosts: readonly Host[], frames?: (key: string) => number): FlowLines {
  const out: FlowLines = { lines: [], keys: [] };
  const push = (l: Line, key?: string) => {
    out.lines.push(l);
    out.keys.push(key);
  };
  for (const h of flowsView(hosts, {})) {
    push([{ text: `host ${escapeText(h.host)}`, tone: "title", bold: true }]);
    for (const b of h.bridges) {
      push([
        {
          text: `  ${escapeText(b.bridge)}  OpenFlow ${b.ofVersion}, ${b.total} flows${b.note ? ` (${escapeText(b.note)})` : ""}`,
          bold: true,
        },
      ]);
      for (const t of b.tables) {
        push(line(`    table ${t.table}  (${t.flows.length} flows)`, "title"));
        for (const f of t.flows) {
          const n = f.nPackets === undefined ? "" : `n_packets=${f.nPackets} `;
          const key = `${f.file}:${f.line}`;
          const hit = frames ? `frames=${frames(key)} ` : "";
          push(
            line(
              `      ${String(f.priority).padStart(5)} ${hit}${n}${escapeText(f.match)} actions=${escapeText(f.actions)}`,
            ),
            key,
          );
        }
      }
    }
  }
  if (out.lines.length === 0) push(line("no hosts loaded", "dim"));
  return out;
}

/**
 * Only the flows `keep` accepts, with the host, bridge and table headings above them (a heading with no
 * flow left under it goes too). Headings are told apart by their indentation.
 */
export function keepFlows(fl: FlowLines, keep: (key: string) => boolean): FlowLines {
  const out: FlowLines = { lines: [], keys: [] };
  const depth = (l: Line) => {
    const t = l[0]?.text ?? "";
    return t.length - t.trimStart().length;
  };
  const headings: Line[] = [];
  fl.lines.forEach((l, i) => {
    const key = fl.keys[i];
    if (key === undefined) {
      while (headings.length > 0 && depth(headings[headings.length - 1]) >= depth(l)) headings.pop();
      headings.push(l);
      return;
    }
    if (!keep(key)) return;
    for (const h of headings) {
      out.lines.push(h);
      out.keys.push(undefined);
    }
    headings.length = 0;
    out.lines.push(l);
    out.keys.push(key);
  });
  return out;
}

/** The "file:line" of every flow the frame's traces matched (the flows pane marks them). */
export function matchedFlows(v: FrameVerdict | undefined): ReadonlySet<string> {
  const out = new Set<string>();
  for (const t of v?.traces ?? [])
    for (const st of traceSteps(t))
      if (st.file !== undefined && st.line !== undefined) out.add(`${st.file}:${st.line}`);
  return out;
}

/** A line marked at its first cell (▶): a flow the selected frame went through. */
export function markLine(l: Line): Line {
  const [first, ...rest] = l;
  const tail = first ? [{ ...first, text: first.text.slice(1) }, ...rest] : rest;
  return [{ text: "▶", tone: "mark", bold: true }, ...tail.map((s) => ({ ...s, tone: s.tone ?? "mark" }))];
}

// ---- drops ----

export function dropGroupLine(g: DropGroup): Line {
  const where = `${g.host} ${g.bridge}${g.table !== undefined ? ` table ${g.table}` : ""}`;
  const frames = g.frames.slice(0, 6).join(",") + (g.frames.length > 6 ? ",…" : "");
  return [
    { text: `${String(g.frames.length).padStart(6)}  ` },
    { text: escapeText(where), bold: true },
    { text: `  ${g.reason}`, tone: "drop" },
    { text: `  frames ${frames}  ${escapeText(g.detail)}` },
  ];
}

export function dropLines(groups: readonly DropGroup[], replaying: boolean, haveHosts: boolean): Line[] {
  if (!haveHosts) return [line("no hosts loaded: no replay, no drops", "dim")];
  const out = groups.map(dropGroupLine);
  if (out.length === 0)
    out.push(line(replaying ? "replaying… no drop so far" : "no frame was dropped", "dim"));
  return out;
}

/**
 * Wraps lines wider than `width` cells onto continuation lines (indented two spaces more than the
 * line), at a space when there is one, for the panes whose text is read in full (path, trace).
 * Segments keep their style.
 */
export function wrapLines(lines: readonly Line[], width: number): Line[] {
  const out: Line[] = [];
  for (const l of lines) {
    const chars: Array<{ ch: string; seg: number }> = [];
    l.forEach((s, seg) => {
      for (const ch of s.text) chars.push({ ch, seg });
    });
    if (chars.length <= width || width < 12) {
      out.push(l);
      continue;
    }
    const first = l[0]?.text ?? "";
    const indent = Math.min(Math.floor(width / 2), first.length - first.trimStart().length + 2);
    let start = 0;
    let room = width;
    let lead = 0;
    while (start < chars.length) {
      let end = Math.min(chars.length, start + room);
      if (end < chars.length) {
        // Break after the last space of the piece, unless that leaves less than a third of it.
        for (let i = end; i > start + room / 3; i--)
          if (chars[i - 1].ch === " ") {
            end = i;
            break;
          }
      }
      const line: Line = lead > 0 ? [{ text: " ".repeat(lead) }] : [];
      for (let i = start; i < end; i++) {
        const last = line[line.length - 1];
        const style = l[chars[i].seg];
        if (last && i > start && chars[i - 1].seg === chars[i].seg) last.text += chars[i].ch;
        else line.push({ ...style, text: chars[i].ch });
      }
      out.push(line);
      start = end;
      lead = indent;
      room = width - indent;
    }
  }
  return out;
}
