/**
 * `ovs-ofctl dump-flows BR` (OF1.0/NXM and -O OpenFlow1x forms, with or without --no-stats and
 * --names) and `ovs-appctl bridge/dump-flows BR` (which also shows hidden flows). Each flow keeps its
 * file, line and text; every line not understood becomes a diagnostic with a column, and the rest of
 * the file is still read.
 *
 * Actions go through the action table (src/model/actions); an action it does not know is kept verbatim
 * and reported as a warning, never dropped.
 */

import { type Action, formatActions, parseActionsIn } from "../model/actions/index.js";
import { formatMatch, type Match } from "../model/match.js";
import { MatchStore, parsePackedMatchIn } from "../model/packed-match.js";
import { atLine, type Diagnostic, type LineError } from "../util/diagnostic.js";
import { sameChars } from "../util/span-cache.js";

/** The statistics and options ovs-ofctl prints before a flow's match, in the order it prints them. */
const STAT_ORDER = [
  "cookie",
  "duration",
  "table",
  "table_id",
  "n_packets",
  "n_bytes",
  "n_offload_packets",
  "n_offload_bytes",
  "idle_timeout",
  "hard_timeout",
  "importance",
  "idle_age",
  "hard_age",
] as const;
export type StatName = (typeof STAT_ORDER)[number];

/** Flow flags printed as bare words before the match. */
const FLAG_WORDS = new Set([
  "send_flow_rem",
  "check_overlap",
  "reset_counts",
  "no_packet_counts",
  "no_byte_counts",
  "no_readonly_table",
]);

export interface FlowEntry {
  file: string;
  line: number;
  text: string;
  table: number;
  priority: number;
  cookie: bigint;
  /** Statistics exactly as printed (`duration` keeps its unit: "25.469s"). */
  stats: Partial<Record<StatName, string>>;
  flags: readonly string[];
  match: Match;
  actions: Action[];
  /** Everything after `actions=` as printed, and its 1-based column in the line. */
  actionsText: string;
  actionsColumn: number;
}

export interface FlowDump {
  /** `ofctl` for ovs-ofctl dump-flows, `appctl` for ovs-appctl bridge/dump-flows. */
  style: "ofctl" | "appctl";
  /** The reply header (`OFPST_FLOW reply (OF1.3) (xid=0x2):`), if present: it names the OpenFlow version. */
  header?: string;
  flows: FlowEntry[];
}

const HEADER = /^(NXST_FLOW|OFPST_FLOW) reply/;

/** True when the text looks like a flow dump, whatever the file is called. */
export function looksLikeFlowDump(text: string): boolean {
  const lines = text.split("\n", 20);
  return lines.some((l) => HEADER.test(l)) || lines.some((l) => /(^|[ ,])priority=\d+.*[ ,]actions=/.test(l));
}

const DEFAULT_PRIORITY = 32768;

const COMMA = 0x2c;
const SPACE = 0x20;
const NO_WARNINGS: Diagnostic[] = [];
/** Most flows have no flags: they share this (never modified) empty list. */
const NO_FLAGS: string[] = [];

function failAt(file: string, line: number, text: string, column: number, message: string, field?: string) {
  return {
    ok: false as const,
    error: atLine(file, line, text, field === undefined ? { column, message } : { column, message, field }),
  };
}

/**
 * A flow's statistics. A class, not `{}`: V8 gives an object literal room for four properties and puts
 * the fifth (a dump prints five to seven) in a second allocation, while a constructor's objects get
 * room for as many as its first objects were given.
 */
class FlowStats {}

/** The statistic named by text[from, to), as its constant: no string is cut to look it up. */
function statAt(text: string, from: number, to: number): StatName | undefined {
  const named = STATS_BY_LENGTH[to - from];
  if (named === undefined) return undefined;
  // Compared in place (startsWith was a builtin call for each candidate of each statistic of each line).
  const first = text.charCodeAt(from);
  for (const s of named) if (s.charCodeAt(0) === first && sameChars(text, from, s, 0, s.length)) return s;
  return undefined;
}
/** The statistics by the length of their name: one to four candidates to compare. */
const STATS_BY_LENGTH: Array<StatName[] | undefined> = [];
for (const s of STAT_ORDER) STATS_BY_LENGTH[s.length] = [...(STATS_BY_LENGTH[s.length] ?? []), s];

/** A statistic's value; a cookie equal to the last one read is that same string, not a new one. */
function statValue(stat: StatName, text: string, from: number, to: number): string {
  if (stat === "cookie" && isLastCookie(text, from, to)) return lastCookie.text;
  return text.slice(from, to);
}

/** The last cookie read: one agent run writes the same cookie on every flow it installs. */
let lastCookie = { text: "0x0", value: 0n };

/** Whether text[from, to) is the last cookie read (compared in place, no string cut). */
function isLastCookie(text: string, from: number, to: number): boolean {
  return to - from === lastCookie.text.length && sameChars(text, from, lastCookie.text, 0, to - from);
}

/** Where the actions start in a flow line (the index of ` actions=` or `,actions=`), or -1. */
function actionsCut(text: string): number {
  const cut = text.indexOf(" actions=");
  return cut < 0 ? text.indexOf(",actions=") : cut;
}

/**
 * Where a flow line's head ends, given its actions' cut. A flow with an empty match and the default
 * priority prints its last statistic, a comma, then the actions: ` cookie=0x0, ..., idle_age=0,
 * actions=NORMAL`; the comma is not part of the head.
 */
function headEndOf(text: string, cut: number): number {
  return text.charCodeAt(cut - 1) === COMMA ? cut - 1 : cut;
}

/**
 * What readHead found in a flow line's head (`stat=value, ... [flags] match`): one record reused for
 * every line, as positions in the line, so that the head makes no object and no string per flow.
 */
const head = {
  matchFrom: 0,
  matchTo: 0,
  matchColumn: 1,
  flags: NO_FLAGS as string[],
  /** The values of cookie, table and table_id as text[from, to), from = -1 when not given. */
  cookieFrom: -1,
  cookieTo: -1,
  tableFrom: -1,
  tableTo: -1,
  tableIdFrom: -1,
  tableIdTo: -1,
};

function matchAt(from: number, to: number, column: number): void {
  head.matchFrom = from;
  head.matchTo = to;
  head.matchColumn = column;
}

/**
 * Walks a flow line's head, text[0, headEnd), into `head`, and the statistics as printed into `stats`
 * when given one (the loader does not: a flow reads them from its line when asked). Returns an error
 * (1-based column) on an unknown statistic or a word before the match.
 */
function readHead(
  text: string,
  headEnd: number,
  stats: Partial<Record<StatName, string>> | undefined,
): LineError | undefined {
  head.matchFrom = head.matchTo = 0;
  head.matchColumn = 1;
  head.flags = NO_FLAGS;
  head.cookieFrom = head.tableFrom = head.tableIdFrom = -1;
  // The head is `stat=value, stat=value, ... [flags] match`, cut at ", " (a match has no spaces);
  // walked with indexOf rather than split: this runs for every line of a 100k-flow dump.
  for (let at = 0; at <= headEnd; ) {
    let next = text.indexOf(", ", at);
    if (next >= headEnd) next = -1;
    const end = next < 0 ? headEnd : next;
    const column = at + 1;
    let from = at;
    if (at === 0) while (text.charCodeAt(from) === SPACE) from++;
    const lead = from - at;
    at = end + 2;
    let eq = text.indexOf("=", from);
    if (eq >= end) eq = -1;
    const stat = statAt(text, from, eq < 0 ? end : eq);
    if (stat !== undefined) {
      const comma = text.indexOf(",", from);
      if (comma < 0 || comma >= end) {
        // A bare statistic name stands for itself (and then fails as a cookie or table number).
        const valueFrom = eq < 0 ? from : eq + 1;
        if (stats !== undefined) stats[stat] = eq < 0 ? stat : statValue(stat, text, valueFrom, end);
        // Plain assignments, not destructuring: no array made for each statistic of each line.
        if (stat === "cookie") {
          head.cookieFrom = valueFrom;
          head.cookieTo = end;
        } else if (stat === "table") {
          head.tableFrom = valueFrom;
          head.tableTo = end;
        } else if (stat === "table_id") {
          head.tableIdFrom = valueFrom;
          head.tableIdTo = end;
        }
        continue;
      }
    }
    if (next >= 0) {
      const name = text.slice(from, eq < 0 ? end : eq);
      return { column: column + lead, message: `unknown flow statistic "${name}"`, field: name };
    }
    // The last chunk: flag words, then the match (most flows have no flags: no space in it).
    const space = text.indexOf(" ", from);
    if (space < 0 || space >= end) {
      // A flag word has no `=`; a match nearly always has one: only then is the chunk cut to look it up.
      if (eq < 0) {
        const word = text.slice(from, end);
        if (FLAG_WORDS.has(word)) {
          head.flags = [word];
          break;
        }
      }
      matchAt(from, end, column + lead);
      break;
    }
    const words = text.slice(from, end).split(" ");
    let w = 0;
    let offset = column + lead;
    let flags = NO_FLAGS;
    while (w < words.length - 1 && FLAG_WORDS.has(words[w])) {
      if (flags === NO_FLAGS) flags = [];
      flags.push(words[w]);
      offset += words[w].length + 1;
      w++;
    }
    head.flags = flags;
    if (w === words.length - 1 && FLAG_WORDS.has(words[w])) {
      if (flags === NO_FLAGS) head.flags = [];
      head.flags.push(words[w]);
      break;
    }
    if (w !== words.length - 1)
      return { column: offset, message: `unexpected "${words[w]}" before the match`, field: words[w] };
    matchAt(end - words[w].length, end, offset);
  }
  return undefined;
}

/** The cookie given as text[from, to): the last one read again is its bigint, without a new string. */
function cookieAt(text: string, from: number, to: number): bigint | undefined {
  if (isLastCookie(text, from, to)) return lastCookie.value;
  const cookie = text.slice(from, to);
  if (!/^0x[0-9a-f]+$/.test(cookie)) return undefined;
  lastCookie = { text: cookie, value: BigInt(cookie) };
  return lastCookie.value;
}

/** The table number given as text[from, to) (ASCII digits only), or undefined. */
function tableAt(text: string, from: number, to: number): number | undefined {
  if (from >= to) return undefined;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
    v = v * 10 + (c - 0x30);
  }
  // Past 2^53 the sum above rounds differently from reading the number whole.
  return to - from > 15 ? Number(text.slice(from, to)) : v;
}

/**
 * What the flows of one dump share: its file name and text, and the statistics read from it so far (a
 * flow's own slot for them was 8 bytes of each of 100k flows, read for few).
 */
class DumpSource {
  readonly stats = new WeakMap<DumpedFlow, Partial<Record<StatName, string>>>();
  constructor(
    readonly file: string,
    readonly text: string,
  ) {}
}

/**
 * A flow as the loader reads it. Its line, statistics and action text are read from the dump when
 * asked for: as strings and an object for each of 100k flows, they were a third of the objects the
 * loader kept (each one copied twice by V8's young-generation collector), and most uses of a large dump
 * (a trace, a replay) read them for a few flows at most. For the same reason the flow keeps only where
 * its line starts: its end, and where its actions start, are found again when asked for.
 */
class DumpedFlow implements FlowEntry {
  constructor(
    private readonly source: DumpSource,
    public line: number,
    /** Where this flow's line starts in its dump. */
    private readonly from: number,
    public table: number,
    public priority: number,
    public cookie: bigint,
    public flags: readonly string[],
    public match: Match,
    public actions: Action[],
  ) {}

  get file(): string {
    return this.source.file;
  }

  get text(): string {
    const dump = this.source.text;
    return dump.slice(this.from, lineEnd(dump, this.from));
  }

  get actionsColumn(): number {
    return actionsCut(this.text) + " actions=".length + 1;
  }

  get stats(): Partial<Record<StatName, string>> {
    let stats = this.source.stats.get(this);
    if (stats === undefined) {
      const text = this.text;
      stats = new FlowStats();
      // The line was read once without an error: this walk finds the same statistics.
      readHead(text, headEndOf(text, actionsCut(text)), stats);
      this.source.stats.set(this, stats);
    }
    return stats;
  }

  get actionsText(): string {
    const text = this.text;
    return text.slice(actionsCut(text) + " actions=".length);
  }

  /** The fields of a FlowEntry, in their order, as JSON (which reads no getters) writes them. */
  toJSON(): FlowEntry {
    return withActions(this, this.actions);
  }
}

/** Where the line starting at dump[from] ends: its line break (and a CR before it) not included. */
function lineEnd(dump: string, from: number): number {
  let end = dump.indexOf("\n", from);
  if (end < 0) end = dump.length;
  return end > from && dump.charCodeAt(end - 1) === CR ? end - 1 : end;
}

/**
 * A copy of a flow with other actions, every field its own: `{ ...flow, actions }` would lose a loaded
 * flow's statistics and action text, which are getters.
 */
export function withActions(f: FlowEntry, actions: Action[]): FlowEntry {
  return {
    file: f.file,
    line: f.line,
    text: f.text,
    table: f.table,
    priority: f.priority,
    cookie: f.cookie,
    stats: f.stats,
    flags: f.flags,
    match: f.match,
    actions,
    actionsText: f.actionsText,
    actionsColumn: f.actionsColumn,
  };
}

/**
 * Parses one flow line, `text`, which is source.text[from, from + text.length), its match packed into
 * `store`; errors carry the 1-based column in the line.
 */
function parseFlowLine(
  text: string,
  line: number,
  source: DumpSource,
  from: number,
  store: MatchStore,
):
  | { ok: true; value: FlowEntry; style: "ofctl" | "appctl"; warnings: Diagnostic[] }
  | { ok: false; error: Diagnostic } {
  const file = source.file;
  const dump = source.text;
  const cut = actionsCut(text);
  if (cut < 0) return failAt(file, line, text, 1, "no actions= in a flow line", "actions");
  const style = text.charCodeAt(cut) === SPACE ? "ofctl" : "appctl";
  const actionsColumn = cut + " actions=".length + 1;
  // The head (before the actions) is walked in place.
  const headError = readHead(text, headEndOf(text, cut), undefined);
  if (headError !== undefined) return { ok: false, error: atLine(file, line, text, headError) };
  const flags = head.flags;
  const parsed = parsePackedMatchIn(
    dump,
    from + head.matchFrom,
    from + head.matchTo,
    head.matchColumn,
    store,
  );
  if (!parsed.ok) return { ok: false, error: atLine(file, line, text, parsed.error) };
  let cookie = 0n;
  if (head.cookieFrom >= 0) {
    const c = cookieAt(text, head.cookieFrom, head.cookieTo);
    if (c === undefined) return failAt(file, line, text, text.indexOf("cookie=") + 8, "bad cookie", "cookie");
    cookie = c;
  }
  let table = 0;
  // `table` over `table_id` when a line gives both.
  // Plain assignments, not a destructured pair: no array made for each flow.
  const tableFrom = head.tableFrom >= 0 ? head.tableFrom : head.tableIdFrom;
  const tableTo = head.tableFrom >= 0 ? head.tableTo : head.tableIdTo;
  if (tableFrom >= 0) {
    const t = tableAt(text, tableFrom, tableTo);
    if (t === undefined)
      return failAt(file, line, text, text.indexOf("table") + 1, "bad table number", "table");
    table = t;
  }
  // Read inside the dump, as the match: the text is cut out only for a list not read before.
  const actions = parseActionsIn(dump, from + cut + " actions=".length, from + text.length, actionsColumn);
  if (!actions.ok) return { ok: false, error: atLine(file, line, text, actions.error) };
  return {
    ok: true,
    style,
    warnings:
      actions.warnings.length === 0
        ? NO_WARNINGS
        : actions.warnings.map((w) => atLine(file, line, text, w, "warning")),
    value: new DumpedFlow(
      source,
      line,
      from,
      table,
      parsed.value.priority ?? DEFAULT_PRIORITY,
      cookie,
      flags,
      parsed.value,
      actions.value,
    ),
  };
}

const CR = 0x0d;
const N = 0x4e;
const O = 0x4f;

/** `line.trim() === ""` without making the trimmed copy of every line of a large dump. */
function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    // Printable ASCII ends it; anything else (a tab, a Unicode space) is for trim() to judge.
    if (c > SPACE && c < 0x7f) return false;
  }
  return line.trim() === "";
}

export function parseFlowDump(text: string, file: string): { value: FlowDump; diagnostics: Diagnostic[] } {
  const dump: FlowDump = { style: "ofctl", flows: [] };
  const diagnostics: Diagnostic[] = [];
  // The dump's matches, packed (a flow's match is one object; src/model/packed-match.ts).
  const store = new MatchStore();
  const source = new DumpSource(file, text);
  // Line by line with indexOf: no array of every line of a large dump at once.
  for (let i = 0, at = 0; at <= text.length; i++) {
    let end = text.indexOf("\n", at);
    if (end < 0) end = text.length;
    const cr = end > at && text.charCodeAt(end - 1) === CR;
    const from = at;
    const line = text.slice(at, cr ? end - 1 : end);
    at = end + 1;
    if (isBlank(line)) continue;
    // Flow lines start with a space or `cookie=`/`table_id=`; only the reply header starts with N or O.
    if ((line.charCodeAt(0) === N || line.charCodeAt(0) === O) && HEADER.test(line)) {
      dump.header ??= line;
      continue;
    }
    const r = parseFlowLine(line, i + 1, source, from, store);
    if (r.ok) {
      dump.flows.push(r.value);
      dump.style = r.style;
      // Most flows have none: no call with an empty spread for each.
      if (r.warnings.length > 0) diagnostics.push(...r.warnings);
    } else {
      diagnostics.push(r.error);
    }
  }
  store.seal();
  return { value: dump, diagnostics };
}

/** Prints a flow back as the dump printed it (stats in OVS's order, flags, canonical match and actions). */
export function formatFlowLine(f: FlowEntry, style: "ofctl" | "appctl" = "ofctl"): string {
  // bridge/dump-flows puts the table first (`table_id=2, duration=0s, ...`).
  const order: readonly StatName[] =
    style === "appctl" ? ["table_id", ...STAT_ORDER.filter((s) => s !== "table_id")] : STAT_ORDER;
  const stats = order.filter((s) => f.stats[s] !== undefined).map((s) => `${s}=${f.stats[s]}`);
  const match = formatMatch(f.match);
  const tail = [...f.flags, match].filter((x) => x !== "").join(" ");
  const actions = formatActions(f.actions);
  // bridge/dump-flows always puts a comma before actions=, even after an empty match (`n_bytes=0, ,actions=`).
  if (style === "appctl") return [...stats, `${tail},actions=${actions}`].join(", ");
  // An empty match leaves the comma after the last statistic: `idle_age=0, actions=NORMAL`.
  const head = tail === "" ? `${stats.join(", ")},` : [...stats, tail].join(", ");
  return ` ${head} actions=${actions}`;
}
