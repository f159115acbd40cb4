/**
 * `ovs-appctl -t .../ovnnb_db.ctl cluster/status OVN_Northbound` (ovsdb/raft.c): the local server's
 * name on the first line, `Label: value` lines, and under `Servers:` one indented line per member.
 */
import { DiagnosticSink, dumpLines, type Parsed } from "../parsed.js";

export interface ClusterStatus {
  server: string;
  /** Name, Cluster ID, Server ID, Address, Status, Role, Term, Leader, Vote, Log, ... */
  fields: Map<string, string>;
  servers: string[];
}

export function looksLikeClusterStatus(head: string): boolean {
  return /^\S+\nName: \S+\nCluster ID: /.test(head);
}

export function parseClusterStatus(text: string, file: string): Parsed<ClusterStatus> {
  const sink = new DiagnosticSink(file);
  const value: ClusterStatus = { server: "", fields: new Map(), servers: [] };
  let inServers = false;
  for (const [i, l] of dumpLines(text).entries()) {
    const field = /^([A-Z][\w ]*?):(?: (.*))?$/.exec(l.text);
    if (i === 0 && /^\S+$/.test(l.text)) value.server = l.text;
    else if (inServers && /^\s+\S/.test(l.text)) value.servers.push(l.text.trim());
    else if (field) {
      inServers = field[1] === "Servers";
      value.fields.set(field[1], field[2] ?? "");
    } else if (/^Last Election /.test(l.text)) {
      const m = /^(Last Election [a-z]+):? (.*)$/.exec(l.text);
      value.fields.set(m?.[1] ?? l.text, m?.[2] ?? "");
    } else sink.unparsed(l, "cluster/status output (Label: value, or a server under Servers:)");
  }
  return { value, diagnostics: sink.diagnostics };
}
