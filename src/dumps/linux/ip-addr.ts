/** `ip address`, `ip -d address`, `ip -o address` (one line per address). */
import { DiagnosticSink, type DumpLine, dumpLines, type Parsed } from "../parsed.js";
import { expandOneLine, type LinkAddress, type LinkInfo, newLink, parseLinkBlocks } from "./link-block.js";

const INET = /^(inet6?) (\S+)(.*)$/;
/** `ip -o addr`: `2: eth1    inet 10.0.0.11/24 brd ... scope global eth1\       valid_lft ...` */
const ONE_LINE_ADDR = /^(\d+): (\S+)\s+(inet6?) (\S+)(.*)$/;

function address(m: RegExpExecArray, line: number, familyAt: number): LinkAddress {
  const rest = m[familyAt + 2].trim();
  const scope = /(?:^|\s)scope (\S+)/.exec(rest);
  const a: LinkAddress = { family: m[familyAt] as "inet" | "inet6", cidr: m[familyAt + 1], rest, line };
  if (scope) a.scope = scope[1];
  return a;
}

export function parseIpAddr(text: string, file: string): Parsed<LinkInfo[]> {
  const sink = new DiagnosticSink(file);
  const raw = dumpLines(text);
  // The one-line address form has no link headers: build minimal links from it.
  if (raw.length > 0 && raw.every((l) => ONE_LINE_ADDR.test(l.text.split("\\")[0]))) {
    const byIndex = new Map<number, LinkInfo>();
    for (const l of raw) {
      const [head, ...tail] = l.text.split("\\");
      const m = ONE_LINE_ADDR.exec(head.trimEnd())!;
      for (const t of tail)
        if (!/^\s*(valid_lft|preferred_lft)\b/.test(t)) sink.unparsed(l, "ip -o address output");
      let link = byIndex.get(Number(m[1]));
      if (!link) {
        link = newLink(Number(m[1]), m[2], l.line);
        byIndex.set(link.index, link);
      }
      link.addresses.push(address(m, l.line, 3));
    }
    return { value: [...byIndex.values()], diagnostics: sink.diagnostics };
  }
  const extra = (link: LinkInfo, l: DumpLine, body: string): boolean => {
    const m = INET.exec(body);
    if (m) {
      link.addresses.push(address(m, l.line, 1));
      return true;
    }
    return /^valid_lft \S+ preferred_lft \S+$/.test(body);
  };
  const links = parseLinkBlocks(expandOneLine(text), sink, "ip address output", extra);
  return { value: links, diagnostics: sink.diagnostics };
}

export function looksLikeIpAddr(head: string): boolean {
  return (
    (/^\d+: [^:\s]+: <[A-Z0-9_,-]*> mtu \d+/m.test(head) && /^\s+inet6? /m.test(head)) ||
    ONE_LINE_ADDR.test(head.split("\n")[0])
  );
}
