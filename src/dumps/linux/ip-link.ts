/** `ip link`, `ip -d link`, `ip -s [-s] -d link`, `ip -o link`. */
import { DiagnosticSink, type Parsed } from "../parsed.js";
import { expandOneLine, type LinkInfo, parseLinkBlocks } from "./link-block.js";

export type { LinkInfo } from "./link-block.js";

export function parseIpLink(text: string, file: string): Parsed<LinkInfo[]> {
  const sink = new DiagnosticSink(file);
  const links = parseLinkBlocks(expandOneLine(text), sink, "ip link output");
  return { value: links, diagnostics: sink.diagnostics };
}

export function looksLikeIpLink(head: string): boolean {
  return /^\d+: [^:\s]+: <[A-Z0-9_,-]*> mtu \d+/m.test(head) && !/^\s+inet6? /m.test(head);
}
