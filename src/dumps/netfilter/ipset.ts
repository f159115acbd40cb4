/**
 * `ipset list` (Name:/Type:/Header:/Members: blocks) and `ipset save` (`create`/`add` lines): the sets
 * Neutron makes for remote security groups (NIPv4…/NIPv6…). sosreport does not collect them; operators
 * paste them. Members keep only their address part (timeouts and counters are not used).
 */
import { IPSET_TYPES, type Ipset, parseMember } from "../../firewall/ipset.js";
import type { Family } from "../../firewall/packet.js";
import { DiagnosticSink, type DumpLine, dumpLines, type Parsed } from "../parsed.js";

function familyOf(header: string): Family {
  return /\bfamily inet6\b/.test(header) ? "ipv6" : "ipv4";
}

function addMember(sink: DiagnosticSink, l: DumpLine, set: Ipset, text: string, column: number): void {
  const m = parseMember(text, set.type, set.family);
  if (typeof m === "string") sink.error(l, column, m, "member");
  else set.members.push(m);
}

function newSet(name: string, type: string, family: Family, file: string, line: number): Ipset {
  return { name, type, family, members: [], file, line };
}

export function parseIpsetList(text: string, file: string): Parsed<Ipset[]> {
  const sink = new DiagnosticSink(file);
  const out: Ipset[] = [];
  let cur: Ipset | null = null;
  let inMembers = false;
  for (const l of dumpLines(text)) {
    const t = l.text;
    const field = /^([A-Z][A-Za-z ]*): ?(.*)$/.exec(t);
    if (field && !inMembers) {
      const [, key, value] = field;
      if (key === "Name") {
        cur = newSet(value.trim(), "", "ipv4", file, l.line);
        out.push(cur);
      } else if (!cur) sink.error(l, 1, `${key}: before any Name:`, key);
      else if (key === "Type") {
        cur.type = value.trim();
        if (!IPSET_TYPES.has(cur.type)) sink.error(l, 7, `set type ${cur.type} is not modelled`, "Type");
      } else if (key === "Header") cur.family = familyOf(value);
      else if (key === "Members") inMembers = true;
      continue;
    }
    if (t.startsWith("Name: ")) {
      inMembers = false;
      cur = newSet(t.slice(6).trim(), "", "ipv4", file, l.line);
      out.push(cur);
      continue;
    }
    if (!cur || !inMembers) {
      sink.unparsed(l, "ipset list output");
      continue;
    }
    addMember(sink, l, cur, t.trim().split(/\s+/)[0], l.text.length - l.text.trimStart().length + 1);
  }
  return { value: out, diagnostics: sink.diagnostics };
}

export function parseIpsetSave(text: string, file: string): Parsed<Ipset[]> {
  const sink = new DiagnosticSink(file);
  const sets = new Map<string, Ipset>();
  for (const l of dumpLines(text)) {
    const w = l.text.trim().split(/\s+/);
    if (w[0] === "create" && w.length >= 3) {
      if (!IPSET_TYPES.has(w[2]))
        sink.error(l, l.text.indexOf(w[2]) + 1, `set type ${w[2]} is not modelled`, "type");
      sets.set(w[1], newSet(w[1], w[2], familyOf(l.text), file, l.line));
    } else if (w[0] === "add" && w.length >= 3) {
      const s = sets.get(w[1]);
      if (!s) sink.error(l, 5, `set ${w[1]} is not created before this line`, "set");
      else addMember(sink, l, s, w[2], l.text.indexOf(w[2], 4 + w[1].length) + 1);
    } else sink.unparsed(l, "ipset save output");
  }
  return { value: [...sets.values()], diagnostics: sink.diagnostics };
}

export const looksLikeIpsetList = (head: string): boolean => /^Name: \S+\nType: /.test(head);
export const looksLikeIpsetSave = (head: string): boolean => /^create \S+ (hash|list|bitmap):/.test(head);
