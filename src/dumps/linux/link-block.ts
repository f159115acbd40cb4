/**
 * The link blocks `ip link` and `ip address` print (any of -d, -s, -s -s, -o): a header line
 * `3: qvo1@qvb1: <FLAGS> mtu 1450 ... master qbr1 state UP ...`, then indented lines: `link/ether MAC
 * brd MAC ...`, `-d` details (`veth`, `bridge_slave state forwarding ...`, `tun type tap ...`),
 * `altname X`, statistics tables, and for `ip address` the `inet`/`inet6` lines. The one-line form
 * (`-o`) joins those lines with `\`; it is split back before parsing.
 */
import { type DiagnosticSink, type DumpLine, dumpLines } from "../parsed.js";

export interface LinkAddress {
  family: "inet" | "inet6";
  /** `10.0.0.11/24` as printed. */
  cidr: string;
  scope?: string;
  /** Everything else on the line (brd, flags such as tentative, the label). */
  rest: string;
  line: number;
}

export interface LinkInfo {
  index: number;
  name: string;
  /** From `name@peer`: a veth's peer name, `if12` style references, or NONE. */
  peer?: string;
  /** `link-netnsid` / `link-netns` when the peer lives in another namespace. */
  peerNetns?: string;
  flags: string[];
  /** Header `key value` pairs: mtu, qdisc, master, state, mode, group, qlen... */
  attrs: Record<string, string>;
  mtu?: number;
  master?: string;
  state?: string;
  linkType?: string;
  mac?: string;
  brd?: string;
  /** The -d kind (`veth`, `bridge`, `tun`, `vxlan`, `openvswitch`...) and slave kind (`bridge_slave`...). */
  kind?: string;
  slaveKind?: string;
  /** For a tun device, `tap` or `tun`. */
  tunType?: string;
  /** The -d detail lines, verbatim, and their `key value` pairs (best effort: flags pair with the next word). */
  details: string[];
  params: Record<string, string>;
  altnames: string[];
  /** Statistics tables (RX, TX, RX errors, TX errors): column name → value. */
  stats: Record<string, Record<string, bigint>>;
  addresses: LinkAddress[];
  line: number;
}

const HEADER = /^(\d+): ([^:@\s]+)(?:@([^:\s]+))?: <([^>]*)>(.*)$/;
const SLAVE_KINDS = new Set(["bridge_slave", "openvswitch_slave", "bond_slave", "team_slave", "vrf_slave"]);
const LINK_KINDS = new Set([
  "veth",
  "bridge",
  "tun",
  "vxlan",
  "geneve",
  "gre",
  "gretap",
  "ip6gre",
  "ip6gretap",
  "ipip",
  "sit",
  "vlan",
  "macvlan",
  "macvtap",
  "ipvlan",
  "bond",
  "team",
  "dummy",
  "openvswitch",
  "vrf",
  "erspan",
  "ip6tnl",
  "wireguard",
  "nlmon",
  "ifb",
  "xfrm",
]);

/** Splits the one-line (`-o`) form back into lines, keeping line numbers. */
export function expandOneLine(text: string): DumpLine[] {
  const out: DumpLine[] = [];
  for (const l of dumpLines(text)) {
    const parts = l.text.split("\\");
    out.push({ line: l.line, text: parts[0].replace(/\s+$/, "") });
    for (const p of parts.slice(1)) out.push({ line: l.line, text: `    ${p.trim()}` });
  }
  return out;
}

function pairs(words: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < words.length; i += 2) out[words[i]] = words[i + 1];
  return out;
}

/** A link with nothing known yet but its index and name. */
export function newLink(index: number, name: string, line: number): LinkInfo {
  return {
    index,
    name,
    flags: [],
    attrs: {},
    details: [],
    params: {},
    altnames: [],
    stats: {},
    addresses: [],
    line,
  };
}

function parseHeader(l: DumpLine, m: RegExpExecArray): LinkInfo {
  const words = m[5]
    .trim()
    .split(/\s+/)
    .filter((w) => w !== "");
  const attrs = pairs(words);
  const link = newLink(Number(m[1]), m[2], l.line);
  link.flags = m[4] === "" ? [] : m[4].split(",");
  link.attrs = attrs;
  if (m[3] !== undefined) link.peer = m[3];
  if (attrs.mtu !== undefined) link.mtu = Number(attrs.mtu);
  if (attrs.master !== undefined) link.master = attrs.master;
  if (attrs.state !== undefined) link.state = attrs.state;
  return link;
}

/**
 * Parses link blocks; `extra` may claim an indented line first (ip address uses it for inet lines).
 * Returns the links; lines that fit nowhere are reported to `sink`.
 */
export function parseLinkBlocks(
  lines: DumpLine[],
  sink: DiagnosticSink,
  what: string,
  extra?: (link: LinkInfo, l: DumpLine, body: string) => boolean,
): LinkInfo[] {
  const links: LinkInfo[] = [];
  let link: LinkInfo | undefined;
  let statsHeader: { table: string; columns: string[] } | undefined;
  for (const l of lines) {
    const m = HEADER.exec(l.text);
    if (m) {
      link = parseHeader(l, m);
      links.push(link);
      statsHeader = undefined;
      continue;
    }
    const body = l.text.trim();
    if (!link || !/^\s/.test(l.text)) {
      sink.unparsed(l, what);
      continue;
    }
    if (extra?.(link, l, body)) continue;
    const words = body.split(/\s+/);
    const st = /^(RX|TX)( errors)?:\s+(.*)$/.exec(body);
    if (st) {
      statsHeader = { table: `${st[1]}${st[2] ?? ""}`, columns: st[3].split(/\s+/) };
      continue;
    }
    if (statsHeader && /^\d+(\s+\d+)*$/.test(body)) {
      const values = words.map((w) => BigInt(w));
      const table: Record<string, bigint> = {};
      statsHeader.columns.forEach((c, i) => {
        if (values[i] !== undefined) table[c] = values[i];
      });
      link.stats[statsHeader.table] = table;
      statsHeader = undefined;
      continue;
    }
    if (words[0].startsWith("link/")) {
      link.linkType = words[0].slice(5);
      const p = pairs(words.slice(words[1] && /^[0-9a-f:]+$/.test(words[1]) ? 2 : 1));
      if (words[1] && /^[0-9a-f]{2}(:[0-9a-f]{2})+$/.test(words[1])) link.mac = words[1];
      if (p.brd) link.brd = p.brd;
      const ns = p["link-netnsid"] ?? p["link-netns"];
      if (ns !== undefined) link.peerNetns = ns;
      Object.assign(link.params, p);
      continue;
    }
    if (words[0] === "altname" && words.length === 2) {
      link.altnames.push(words[1]);
      continue;
    }
    // A -d detail line: the kind, the slave kind, or a continuation of either.
    link.details.push(body);
    if (LINK_KINDS.has(words[0]) && link.kind === undefined) {
      link.kind = words[0];
      if (words[0] === "tun" && words[1] === "type") link.tunType = words[2];
      Object.assign(link.params, pairs(words.slice(1)));
    } else if (SLAVE_KINDS.has(words[0])) {
      link.slaveKind = words[0];
      Object.assign(link.params, pairs(words.slice(1)));
    } else Object.assign(link.params, pairs(words));
  }
  return links;
}
