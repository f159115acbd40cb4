/**
 * `ip link`, `ip -d link`, `ip -s [-s] -d link`, `ip -o link`. The block layout is shared with
 * `ip address`, so it lives in link-block.ts and both parsers call it.
 */
import { DiagnosticSink, dumpLines, type Parsed } from "../parsed.js";
import { type LinkInfo, linkLines, parseLinkBlocks } from "./link-block.js";

export type { LinkAddress, LinkDetail, LinkInfo } from "./link-block.js";

export function parseIpLink(text: string, file: string): Parsed<LinkInfo[]> {
  const sink = new DiagnosticSink(file);
  const links = parseLinkBlocks(linkLines(dumpLines(text)), sink, { what: "ip link output" });
  return { value: links, diagnostics: sink.diagnostics };
}

export function looksLikeIpLink(head: string): boolean {
  return /^\d+: [^:\s]+: <[A-Z0-9_,-]*> mtu \d+/m.test(head) && !/^\s+inet6? /m.test(head);
}
