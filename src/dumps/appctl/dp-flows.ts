/**
 * `ovs-dpctl dump-flows` / `ovs-appctl dpctl/dump-flows [-m]`: the datapath flow cache. Each line:
 * `[ufid:U, ]KEYS, packets:N, bytes:N, used:T[, flags:F][, dp:D][, offloaded:yes], actions:ACTIONS[, dp-extra-info:...]`.
 */
import { DiagnosticSink, dumpLines, type Parsed } from "../parsed.js";
import { type OdpNode, parseOdp } from "./odp-syntax.js";

export interface DpFlow {
  ufid?: string;
  keys: OdpNode[];
  keysText: string;
  packets: bigint;
  bytes: bigint;
  /** `never` or seconds ago as printed (`0.552s`). */
  used: string;
  flags?: string;
  dp?: string;
  offloaded?: string;
  actions: OdpNode[];
  actionsText: string;
  extra?: string;
  /** The dump section (`flow-dump from the main thread`, `flow-dump from pmd on cpu core: 1`). */
  section?: string;
  line: number;
}

const STATS =
  /, packets:(\d+), bytes:(\d+), used:([^,]+)(?:, flags:([^,]*))?(?:, dp:([^,]+))?(?:, offloaded:([^,]+))?(?:, dp-extra-info:[^,]*)?, actions:(.*)$/;

export function parseDpFlows(text: string, file: string): Parsed<DpFlow[]> {
  const sink = new DiagnosticSink(file);
  const out: DpFlow[] = [];
  let section: string | undefined;
  for (const l of dumpLines(text)) {
    if (/^flow-dump from /.test(l.text)) {
      section = l.text.replace(/:$/, "");
      continue;
    }
    let body = l.text;
    let ufid: string | undefined;
    const u = /^ufid:([0-9a-f-]+), /.exec(body);
    if (u) {
      ufid = u[1];
      body = body.slice(u[0].length);
    }
    const m = STATS.exec(body);
    if (!m) {
      sink.unparsed(l, "a datapath flow (KEYS, packets:N, bytes:N, used:T, actions:...)");
      continue;
    }
    let actionsText = m[7];
    let extra: string | undefined;
    const x = actionsText.indexOf(", dp-extra-info:");
    if (x >= 0) {
      extra = actionsText.slice(x + 16);
      actionsText = actionsText.slice(0, x);
    }
    const keysText = body.slice(0, m.index);
    const base = l.text.length - body.length + 1;
    const keys = parseOdp(keysText);
    if (!keys.ok) {
      sink.error(l, base + keys.offset, `flow key: ${keys.message}`);
      continue;
    }
    const actions = parseOdp(actionsText);
    if (!actions.ok) {
      sink.error(
        l,
        base + m.index + m[0].length - actionsText.length + actions.offset,
        `actions: ${actions.message}`,
      );
      continue;
    }
    const f: DpFlow = {
      keys: keys.value,
      keysText,
      packets: BigInt(m[1]),
      bytes: BigInt(m[2]),
      used: m[3],
      actions: actions.value,
      actionsText,
      line: l.line,
    };
    if (ufid) f.ufid = ufid;
    if (m[4] !== undefined) f.flags = m[4];
    if (m[5] !== undefined) f.dp = m[5];
    if (m[6] !== undefined) f.offloaded = m[6];
    if (extra !== undefined) f.extra = extra;
    if (section) f.section = section;
    out.push(f);
  }
  return { value: out, diagnostics: sink.diagnostics };
}

export function looksLikeDpFlows(head: string): boolean {
  return /^(ufid:[0-9a-f-]+, )?\S*(recirc_id|in_port)\(.*, packets:\d+, bytes:\d+, used:/m.test(head);
}
