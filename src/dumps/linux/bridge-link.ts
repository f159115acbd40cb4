/**
 * `bridge link` / `bridge -d link` / `bridge -s -s -d link show`: the ports of Linux bridges. A port
 * line `5: qvb1@qvo1: <FLAGS> mtu 1450 master qbr1 state forwarding priority 32 cost 2`, then with -d
 * indented `hairpin off guard off ...` lines, all `key value` pairs.
 */
import { DiagnosticSink, type DumpLine, dumpLines, type Parsed } from "../parsed.js";
import { LINK_HEADER } from "./link-block.js";

export interface BridgePort {
  index: number;
  name: string;
  /** From `name@peer`: a veth's peer name, an `if12` reference, or `NONE`. */
  peer?: string;
  peerIfindex?: number;
  flags: string[];
  mtu?: number;
  master?: string;
  state?: string;
  priority?: number;
  cost?: number;
  /** The port line's `key value` pairs, as printed. */
  attrs: Record<string, string>;
  /** The -d detail words as key/value pairs (`hairpin off learning on ...`). */
  params: Record<string, string>;
  line: number;
}

const NUMERIC = new Set(["mtu", "priority", "cost"]);

/**
 * Reads the `key value` pairs of `text` from 0-based `from` into `into`, reporting a word left without
 * a value and (`numeric`) a value that should be a number and is not.
 */
function readPairs(
  sink: DiagnosticSink,
  l: DumpLine,
  from: number,
  into: Record<string, string>,
  numeric: Set<string>,
): void {
  const words = [...l.text.slice(from).matchAll(/\S+/g)].map((m) => ({ w: m[0], col: from + m.index + 1 }));
  for (let i = 0; i + 1 < words.length; i += 2) {
    const [k, v] = [words[i].w, words[i + 1]];
    if (numeric.has(k) && !/^\d+$/.test(v.w)) sink.error(l, v.col, `${k} is not a number: ${v.w}`, k);
    else into[k] = v.w;
  }
  const lone = words.length % 2 === 1 ? words[words.length - 1] : undefined;
  if (lone) sink.error(l, lone.col, `${lone.w} has no value`, lone.w);
}

export function parseBridgeLink(text: string, file: string): Parsed<BridgePort[]> {
  const sink = new DiagnosticSink(file);
  const out: BridgePort[] = [];
  for (const l of dumpLines(text)) {
    const m = LINK_HEADER.exec(l.text);
    if (m) {
      const p: BridgePort = {
        index: Number(m[1]),
        name: m[2],
        flags: m[4] ? m[4].split(",") : [],
        attrs: {},
        params: {},
        line: l.line,
      };
      if (m[3]) {
        p.peer = m[3];
        const ifn = /^if(\d+)$/.exec(m[3]);
        if (ifn) p.peerIfindex = Number(ifn[1]);
      }
      readPairs(sink, l, l.text.length - m[5].length, p.attrs, NUMERIC);
      const a = p.attrs;
      if (a.mtu !== undefined) p.mtu = Number(a.mtu);
      if (a.priority !== undefined) p.priority = Number(a.priority);
      if (a.cost !== undefined) p.cost = Number(a.cost);
      if (a.master !== undefined) p.master = a.master;
      if (a.state !== undefined) p.state = a.state;
      out.push(p);
    } else if (out.length > 0 && /^\s/.test(l.text)) {
      readPairs(sink, l, 0, out[out.length - 1].params, new Set());
    } else sink.unparsed(l, "bridge link output");
  }
  return { value: out, diagnostics: sink.diagnostics };
}

export function looksLikeBridgeLink(head: string): boolean {
  return /^\d+: \S+: <[A-Z0-9_,-]*> mtu \d+ master \S+ state \S+/m.test(head) && !/link\/ether/.test(head);
}
