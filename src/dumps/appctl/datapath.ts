/**
 * Datapath views: `ovs-dpctl [-s] show` / `ovs-appctl dpctl/show [-s]` (datapath ports with their
 * datapath numbers and types — a system port on a real host has no type), `dpctl/dump-dps`, and
 * `ovs-appctl dpif/show` (each bridge's OpenFlow port ↔ datapath port).
 */
import { DiagnosticSink, dumpLines, LineMatch, type Parsed } from "../parsed.js";

export interface DpPort {
  dpPort: number;
  name: string;
  /** "" for a system port (no parenthesised type). */
  type: string;
  /** `key=value` settings after the type (`vxlan: packet_type=ptap` → { packet_type: "ptap" }). */
  config: Record<string, string>;
  /** -s counters ("RX packets", "TX bytes"...); null where OVS printed `?`. */
  stats: Record<string, bigint | null>;
  line: number;
}

export interface Datapath {
  name: string;
  lookups?: { hit: bigint; missed: bigint; lost: bigint };
  flows?: number;
  masks?: Record<string, string>;
  caches: string[];
  ports: DpPort[];
  line: number;
}

function portType(raw: string | undefined): { type: string; config: Record<string, string> } {
  if (raw === undefined) return { type: "", config: {} };
  const colon = raw.indexOf(":");
  const type = colon < 0 ? raw : raw.slice(0, colon);
  const config: Record<string, string> = {};
  if (colon >= 0)
    for (const kv of raw.slice(colon + 1).split(",")) {
      const [k, v] = kv.trim().split("=");
      if (k) config[k] = v ?? "";
    }
  return { type, config };
}

const COUNTER = /([A-Za-z ]+?):(\d+|\?)(?: \([^)]*\))?/g;

export function parseDpctlShow(text: string, file: string): Parsed<Datapath[]> {
  const sink = new DiagnosticSink(file);
  const out: Datapath[] = [];
  let dp: Datapath | undefined;
  let port: DpPort | undefined;
  for (const l of dumpLines(text)) {
    const lm = new LineMatch(l.text);
    if (lm.is(/^(\S+@\S+):$/)) {
      dp = { name: lm.g(1), caches: [], ports: [], line: l.line };
      out.push(dp);
      port = undefined;
    } else if (dp && lm.is(/^ {2}lookups: hit:(\d+) missed:(\d+) lost:(\d+)$/)) {
      dp.lookups = { hit: BigInt(lm.g(1)), missed: BigInt(lm.g(2)), lost: BigInt(lm.g(3)) };
    } else if (dp && lm.is(/^ {2}flows: (\d+)$/)) {
      dp.flows = Number(lm.g(1));
    } else if (dp && lm.is(/^ {2}masks: (.*)$/)) {
      dp.masks = Object.fromEntries(
        lm
          .g(1)
          .split(" ")
          .map((kv) => kv.split(":") as [string, string]),
      );
    } else if (dp && /^ {2}caches:$|^ {4}masks-cache: /.test(l.text)) {
      dp.caches.push(l.text.trim());
    } else if (dp && lm.is(/^ {2}port (\d+): (\S+)(?: \((.*)\))?$/)) {
      port = { dpPort: Number(lm.g(1)), name: lm.g(2), ...portType(lm.g(3)), stats: {}, line: l.line };
      dp.ports.push(port);
    } else if (port && /^ {4}(RX|TX|collisions)/.test(l.text)) {
      const prefix = /^ {4}(RX|TX) (?!bytes)/.exec(l.text)?.[1];
      for (const c of l.text.trim().matchAll(COUNTER)) {
        const key = c[1].trim();
        const name = prefix && !key.startsWith(prefix) ? `${prefix} ${key}` : key;
        port.stats[name] = c[2] === "?" ? null : BigInt(c[2]);
      }
    } else sink.unparsed(l, "ovs-dpctl show output");
  }
  return { value: out, diagnostics: sink.diagnostics };
}

export function parseDpctlDumpDps(text: string, file: string): Parsed<string[]> {
  const sink = new DiagnosticSink(file);
  const out: string[] = [];
  for (const l of dumpLines(text)) {
    if (/^\S+@\S+$/.test(l.text)) out.push(l.text);
    else sink.unparsed(l, "a datapath name (type@name)");
  }
  return { value: out, diagnostics: sink.diagnostics };
}

export interface DpifBridgePort {
  name: string;
  /** OpenFlow port number (65534 for LOCAL). */
  ofport: number;
  /** Datapath port number; null for `none` (patch ports live only in OpenFlow). */
  dpPort: number | null;
  type: string;
  config: Record<string, string>;
  line: number;
}

export interface DpifShow {
  datapaths: Array<{
    name: string;
    hit: bigint;
    missed: bigint;
    bridges: Array<{ name: string; ports: DpifBridgePort[] }>;
  }>;
}

export function parseDpifShow(text: string, file: string): Parsed<DpifShow> {
  const sink = new DiagnosticSink(file);
  const show: DpifShow = { datapaths: [] };
  for (const l of dumpLines(text)) {
    const lm = new LineMatch(l.text);
    const dp = show.datapaths[show.datapaths.length - 1];
    const br = dp?.bridges[dp.bridges.length - 1];
    if (lm.is(/^(\S+@\S+): hit:(\d+) missed:(\d+)$/)) {
      show.datapaths.push({ name: lm.g(1), hit: BigInt(lm.g(2)), missed: BigInt(lm.g(3)), bridges: [] });
    } else if (dp && lm.is(/^ {2}(\S+):$/)) {
      dp.bridges.push({ name: lm.g(1), ports: [] });
    } else if (br && lm.is(/^ {4}(\S+) (\d+)\/(\d+|none): \((.*)\)$/)) {
      br.ports.push({
        name: lm.g(1),
        ofport: Number(lm.g(2)),
        dpPort: lm.g(3) === "none" ? null : Number(lm.g(3)),
        ...portType(lm.g(4)),
        line: l.line,
      });
    } else sink.unparsed(l, "ovs-appctl dpif/show output");
  }
  return { value: show, diagnostics: sink.diagnostics };
}

export function looksLikeDpctlShow(head: string): boolean {
  return /^\S+@\S+:\n {2}lookups: hit:/.test(head);
}
export function looksLikeDpifShow(head: string): boolean {
  return /^\S+@\S+: hit:\d+ missed:\d+\n/.test(head);
}
