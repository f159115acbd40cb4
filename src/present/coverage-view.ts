/**
 * Text for `ovspath replay --flows`: per host, bridge and table, each flow with the replayed frames that
 * hit it, the first of them and the dump's own n_packets; then the flows the dump counted while no
 * replayed frame hit them. Everything from a dump goes through escapeText.
 */
import { countedButMissed, type FlowCount } from "../explain/rule-coverage.js";
import { escapeText } from "../util/escape.js";

/** The dump's statistics (they are the columns beside it), and the table (the heading says it). */
const STATS = /\b(cookie|duration|table|n_packets|n_bytes|idle_age|hard_age)=[^,\s]*,?\s*/g;

/** A flow as dumped, without the statistics the columns already show. */
export function flowBody(text: string): string {
  return text
    .replace(STATS, "")
    .replace(/\breset_counts\s+/, "")
    .trim();
}

const count = (n: number | undefined): string => (n === undefined || n === 0 ? "-" : String(n));

export function coverageLines(flows: readonly FlowCount[]): string[] {
  const hit = flows.filter((f) => f.frames > 0).length;
  const missed = countedButMissed(flows);
  const out = [
    "",
    `== flows hit by the replayed frames: ${hit} of ${flows.length} (${flows.length - hit} not hit, ${missed.length} counted by the dump but hit by no replayed frame)`,
  ];
  let heading = "";
  for (const f of flows) {
    const h = `${f.host} ${f.bridge} table ${f.table}`;
    if (h !== heading) {
      heading = h;
      out.push(escapeText(h));
      out.push("    frames    first  n_packets  flow");
    }
    const cols = `${count(f.frames).padStart(10)} ${count(f.firstFrame).padStart(8)} ${(f.nPackets === undefined ? "?" : String(f.nPackets)).padStart(10)}`;
    out.push(`${cols}  ${escapeText(flowBody(f.text))}`);
  }
  if (missed.length > 0) {
    out.push("");
    out.push(`== flows the dump counted (n_packets > 0) that no replayed frame hit (${missed.length})`);
    for (const f of missed)
      out.push(
        `${String(f.nPackets).padStart(10)}  ${escapeText(`${f.host} ${f.bridge} table ${f.table} ${f.file}:${f.line}: ${flowBody(f.text)}`)}`,
      );
  }
  return out;
}
