/**
 * `ip address`, `ip -d address` (link blocks with `inet`/`inet6` lines) and `ip -o address` (one line
 * per address, no link header). Both come back as links with their addresses, so that the one-line
 * form and the block form of the same host read alike.
 */
import { parseIpNetwork } from "../../model/value/index.js";
import { DiagnosticSink, type DumpLine, dumpLines, type Parsed } from "../parsed.js";
import {
  type LinkAddress,
  type LinkInfo,
  type LinkLine,
  linkLines,
  newLink,
  parseLinkBlocks,
  report,
  wordsAt,
} from "./link-block.js";

/** A link and the addresses `ip address` lists under it. */
export type AddrInfo = LinkInfo;

/** `ip -o addr`: `2: eth1    inet 10.0.0.11/24 brd ... scope global eth1\       valid_lft ...` */
const ONE_LINE_ADDR = /^(\d+): (\S+)\s+(?=inet6? )/;
const LIFETIMES = /^valid_lft (\S+) preferred_lft (\S+)$/;
const ADDR_FLAGS = new Set([
  "secondary",
  "primary",
  "temporary",
  "tentative",
  "deprecated",
  "dadfailed",
  "dynamic",
  "noprefixroute",
  "mngtmpaddr",
  "home",
  "nodad",
  "optimistic",
  "autojoin",
  "stable-privacy",
  "permanent",
]);

/**
 * `inet 10.0.0.1/24 brd 10.0.0.255 scope global eth1` (body starts at `inet`); reports a damaged
 * address and returns undefined.
 */
function parseAddress(sink: DiagnosticSink, ll: LinkLine, from: number): LinkAddress | undefined {
  const text = ll.body.slice(from);
  const words = wordsAt(text).map((x) => ({ w: x.w, at: x.at + from }));
  const family = words[0]?.w === "inet6" ? 6 : 4;
  if (words.length < 2 || !parseIpNetwork(family, words[1].w).ok) {
    const at = words[1]?.at ?? from + text.length;
    report(sink, ll, at, `not an address: ${words[1]?.w ?? "(missing)"}`, "address");
    return undefined;
  }
  const a: LinkAddress = {
    family: words[0].w as "inet" | "inet6",
    cidr: words[1].w,
    flags: [],
    rest: text.slice(words[1].at - from + words[1].w.length).trim(),
    line: ll.src.line,
  };
  const left: string[] = [];
  for (let i = 2; i < words.length; i++) {
    const w = words[i].w;
    const v = words[i + 1]?.w;
    if (
      (w === "brd" || w === "peer" || w === "scope" || w === "metric" || w === "proto") &&
      v !== undefined
    ) {
      if (w === "brd") a.brd = v;
      else if (w === "peer") a.peer = v;
      else if (w === "scope") a.scope = v;
      i++;
    } else if (ADDR_FLAGS.has(w)) a.flags.push(w);
    else left.push(w);
  }
  // IPv4 addresses end with their label (`eth1`, `eth1:0`); anything else is an unknown flag.
  if (a.family === "inet" && left.length > 0) a.label = left.pop();
  a.flags.push(...left);
  return a;
}

/** `valid_lft forever preferred_lft forever`, for the address just before it. */
function lifetimes(sink: DiagnosticSink, ll: LinkLine, link: LinkInfo): boolean {
  const m = LIFETIMES.exec(ll.body);
  if (!m) return false;
  const a = link.addresses.at(-1);
  if (!a || a.validLft !== undefined)
    report(sink, ll, 0, "address lifetimes without an address before them", "valid_lft");
  else {
    a.validLft = m[1];
    a.preferredLft = m[2];
  }
  return true;
}

export function parseIpAddr(text: string, file: string): Parsed<AddrInfo[]> {
  const sink = new DiagnosticSink(file);
  const blockLines: DumpLine[] = [];
  const oneLine: DumpLine[] = [];
  for (const l of dumpLines(text)) (ONE_LINE_ADDR.test(l.text) ? oneLine : blockLines).push(l);
  const links = parseLinkBlocks(linkLines(blockLines), sink, {
    what: "ip address output",
    inner: (link, ll) => {
      if (/^inet6? /.test(ll.body)) {
        const a = parseAddress(sink, ll, 0);
        if (a) link.addresses.push(a);
        return true;
      }
      return lifetimes(sink, ll, link);
    },
  });
  // The one-line form has no link headers: its addresses join the link of the same index.
  const byIndex = new Map(links.map((l) => [l.index, l]));
  for (const l of oneLine) {
    const [head, ...tail] = linkLines([l]);
    const m = ONE_LINE_ADDR.exec(head.body)!;
    let link = byIndex.get(Number(m[1]));
    if (!link) {
      link = newLink(Number(m[1]), m[2], l.line);
      byIndex.set(link.index, link);
      links.push(link);
    }
    const a = parseAddress(sink, head, m[0].length);
    if (!a) continue;
    link.addresses.push(a);
    for (const t of tail)
      if (!lifetimes(sink, t, link)) {
        sink.unparsed(l, "ip -o address output");
        break;
      }
  }
  sink.diagnostics.sort((a, b) => a.line - b.line);
  return { value: links, diagnostics: sink.diagnostics };
}

export function looksLikeIpAddr(head: string): boolean {
  return (
    (/^\d+: [^:\s]+: <[A-Z0-9_,-]*> mtu \d+/m.test(head) && /^\s+inet6? /m.test(head)) ||
    ONE_LINE_ADDR.test(head.split("\n")[0])
  );
}
