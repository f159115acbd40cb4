/**
 * loadHosts: from a sosreport root, a directory of several, a sosreport archive or a plain directory
 * of pasted dumps, to one typed model per host. Every file is accounted for: read and used, read with
 * diagnostics, not recognised, or skipped (with the reason) — `ovspath show` lists them all.
 */
import { basename } from "node:path";
import type { Diagnostic } from "../../util/diagnostic.js";
import type { FlowDump } from "../flows.js";
import type { OfctlShow } from "../ofctl/ports.js";
import { type Classified, classify, KINDS, type KindName, type KindSpec, type KindValue } from "./kinds.js";
import { isArchive, readArchive, readTree, type SkippedFile, type SourceFile } from "./sources.js";

export interface Loaded<T> {
  file: string;
  bridge?: string;
  table?: string;
  ofVersion?: string;
  value: T;
}

export type HostDumps = { [K in KindName]: Loaded<KindValue<K>>[] };

export interface FileReport {
  file: string;
  kind?: KindName;
  by?: "name" | "content";
  bridge?: string;
  lines: number;
  errors: number;
  warnings: number;
  /** Why the file was not used, when it was not. */
  note?: string;
}

export interface BridgeView {
  name: string;
  /** The flow dump the simulator uses (OpenFlow 1.3 preferred: it shows goto_table as installed). */
  flows?: Loaded<FlowDump>;
  ports?: Loaded<OfctlShow>;
  /** OpenFlow port number → name, from ofctl show/ports-desc or the OVSDB. */
  portNames: Map<number, string>;
}

export interface Host {
  name: string;
  /** Where it was loaded from (directory, or archive!prefix). */
  source: string;
  dumps: HostDumps;
  bridges: BridgeView[];
  files: FileReport[];
  diagnostics: Diagnostic[];
}

export interface LoadOptions {
  /** The bridge for per-bridge dumps whose name and content do not tell (`--bridge`). */
  bridge?: string;
}

/** `text.split("\n").length` without splitting: a 100k-flow dump would make 100k strings to count. */
export function lineCount(text: string): number {
  let n = 1;
  for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) n++;
  return n;
}

function emptyDumps(): HostDumps {
  const d = {} as Record<KindName, unknown[]>;
  for (const k of Object.keys(KINDS) as KindName[]) d[k] = [];
  return d as HostDumps;
}

/** Groups files by sosreport root: the path before `sos_commands/`, or the input itself. */
function groupByHost(files: SourceFile[]): Map<string, SourceFile[]> {
  const roots = new Set<string>();
  for (const f of files) {
    const i = f.relPath.indexOf("sos_commands/");
    if (i >= 0) roots.add(f.relPath.slice(0, i).replace(/\/$/, ""));
  }
  const groups = new Map<string, SourceFile[]>();
  for (const f of files) {
    let root = "";
    for (const r of roots)
      if ((r === "" || f.relPath.startsWith(`${r}/`)) && r.length >= root.length) root = r;
    const list = groups.get(root) ?? [];
    list.push(f);
    groups.set(root, list);
  }
  // Files outside every sosreport root (pasted dumps beside them) form a host of their own, root "".
  return groups;
}

/** Flow dump preference: OpenFlow 1.3 (real goto_table), then other 1.1+, then 1.0; stats over none. */
function flowScore(l: Loaded<FlowDump>): number {
  const v = l.ofVersion ?? /\(OF(1\.\d)\)/.exec(l.value.header ?? "")?.[1] ?? "1.0";
  const version = v === "1.3" ? 3 : v === "1.0" ? 0 : 2;
  const stats = l.value.flows.some((f) => f.stats.n_packets !== undefined) ? 1 : 0;
  const numeric = l.value.flows.some((f) => f.match.fields.some((m) => m.value.portName)) ? 0 : 1;
  return version * 4 + stats * 2 + numeric;
}

function buildHost(name: string, source: string, files: SourceFile[], opts: LoadOptions): Host {
  const host: Host = { name, source, dumps: emptyDumps(), bridges: [], files: [], diagnostics: [] };
  const classified: Array<{ f: SourceFile; c: Classified }> = [];
  for (const f of files) {
    const c = classify(basename(f.relPath), f.text);
    if (c) classified.push({ f, c });
    else
      host.files.push({
        file: f.display,
        lines: lineCount(f.text),
        errors: 0,
        warnings: 0,
        note: "not a dump ovspath reads",
      });
  }
  const parsed = classified.map(({ f, c }) => ({
    f,
    c,
    p: (KINDS[c.kind] as KindSpec<unknown>).parse(f.text, f.display),
  }));
  // Bridges named anywhere (file names, ovs-vsctl show, list-br): they place the per-bridge files that
  // were recognised by content only.
  const known = new Set<string>();
  for (const { c, p } of parsed) {
    if (c.bridge) known.add(c.bridge);
    if (c.kind === "vsctlShow")
      for (const b of (p.value as KindValue<"vsctlShow">).bridges) known.add(b.name);
    if (c.kind === "listBr") for (const b of p.value as string[]) known.add(b);
  }
  const bridgeInName = (name: string): string | undefined =>
    [...known].filter((b) => name.includes(b)).sort((a, b) => b.length - a.length)[0] ??
    /(br-[A-Za-z0-9]+|br\d+)/.exec(name)?.[1];
  for (const { f, c, p } of parsed) {
    const spec = KINDS[c.kind] as KindSpec<unknown>;
    const report: FileReport = {
      file: f.display,
      kind: c.kind,
      by: c.by,
      lines: lineCount(f.text),
      errors: p.diagnostics.filter((d) => d.severity === "error").length,
      warnings: p.diagnostics.filter((d) => d.severity === "warning").length,
    };
    host.diagnostics.push(...p.diagnostics);
    let bridge = c.bridge;
    if (spec.perBridge && bridge === undefined) {
      const local =
        c.kind === "ports" ? (p.value as OfctlShow).ports.find((x) => x.ofport === null)?.name : undefined;
      bridge = local ?? bridgeInName(basename(f.relPath)) ?? opts.bridge;
      if (bridge === undefined) {
        report.note =
          "per-bridge dump with no bridge in its name or content: name the file after the bridge or pass --bridge";
        host.diagnostics.push({
          severity: "error",
          file: f.display,
          line: 0,
          column: 0,
          message: report.note,
        });
        host.files.push(report);
        continue;
      }
    }
    if (bridge) {
      report.bridge = bridge;
      known.add(bridge);
    }
    const loaded: Loaded<unknown> = { file: f.display, value: p.value };
    if (bridge) loaded.bridge = bridge;
    if (c.table) loaded.table = c.table;
    if (c.ofVersion) loaded.ofVersion = c.ofVersion;
    (host.dumps[c.kind] as Loaded<unknown>[]).push(loaded);
    host.files.push(report);
  }
  const hostname = host.dumps.hostname[0]?.value;
  if (hostname) host.name = hostname;
  for (const b of [...known].sort()) host.bridges.push(bridgeView(host, b));
  return host;
}

function bridgeView(host: Host, name: string): BridgeView {
  // Scored once per dump (a score scans the flows); the first of the best-scored wins. A bridge with
  // one flow dump (nearly every host) takes it unscored: the scan reads every match of a 100k-flow dump.
  const candidates = host.dumps.flows.filter((l) => l.bridge === name);
  let flows: Loaded<FlowDump> | undefined = candidates.length === 1 ? candidates[0] : undefined;
  let best = -1;
  if (candidates.length > 1)
    for (const l of candidates) {
      const score = flowScore(l);
      if (score > best) [flows, best] = [l, score];
    }
  const ports = host.dumps.ports.find((l) => l.bridge === name);
  const portNames = new Map<number, string>();
  for (const p of ports?.value.ports ?? []) if (p.ofport !== null) portNames.set(p.ofport, p.name);
  const view: BridgeView = { name, portNames };
  if (flows) view.flows = flows;
  if (ports) view.ports = ports;
  return view;
}

/** Loads every host found in one input path. Rejects only when the input cannot be read at all. */
export async function loadHosts(input: string, opts: LoadOptions = {}): Promise<Host[]> {
  const collected = isArchive(input) ? await readArchive(input) : readTree(input);
  const groups = groupByHost(collected.files);
  const hosts: Host[] = [];
  for (const [root, files] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const source = root === "" ? input : isArchive(input) ? `${input}!${root}` : `${input}/${root}`;
    const fallback =
      root === "" ? basename(input).replace(/\.(tar(\.gz|\.xz)?|tgz|txz)$/i, "") : basename(root);
    hosts.push(buildHost(fallback, source, files, opts));
  }
  if (hosts.length === 0) hosts.push(buildHost(basename(input), input, [], opts));
  reportSkipped(hosts[0], collected.skipped);
  return hosts;
}

function reportSkipped(host: Host, skipped: SkippedFile[]): void {
  for (const s of skipped)
    host.files.push({ file: s.display, lines: 0, errors: 0, warnings: 0, note: `skipped: ${s.reason}` });
}
