/**
 * The link blocks `ip link` and `ip address` print (any of -d, -s, -s -s, -o): a header line
 * `3: qvo1@qvb1: <FLAGS> mtu 1450 ... master qbr1 state UP ...`, then indented lines: `link/ether MAC
 * brd MAC ...`, `-d` details (`veth`, `bridge_slave state forwarding ...`, `tun type tap ...`),
 * `altname X`, statistics tables, and for `ip address` the `inet`/`inet6` lines. The one-line form
 * (`-o`) joins those lines with `\`; it is split back into segments that remember where they sit in
 * the original line, so a diagnostic still points at the right column of the line the user sees.
 */
import type { DiagnosticSink, DumpLine } from "../parsed.js";

export interface LinkAddress {
  family: "inet" | "inet6";
  /** `10.0.0.11/24` as printed (for a point-to-point address, the local side). */
  cidr: string;
  /** The remote side of a point-to-point address (`inet 10.1.1.1 peer 10.1.1.2/32`). */
  peer?: string;
  brd?: string;
  scope?: string;
  /** The IPv4 label (`eth1`, `eth1:0`). */
  label?: string;
  /** Words such as `tentative`, `dynamic`, `secondary`, `noprefixroute`. */
  flags: string[];
  /** `forever` or `86000sec`, from the `valid_lft ... preferred_lft ...` line. */
  validLft?: string;
  preferredLft?: string;
  /** Everything after the address on its line, verbatim. */
  rest: string;
  line: number;
}

/** One `-d` detail line that names a kind (`vxlan id 42 ...`) or a slave kind (`bridge_slave ...`). */
export interface LinkDetail {
  kind: string;
  /** The line as printed. */
  text: string;
  /** Its `key value` pairs (standalone flags map to ""). */
  params: Record<string, string>;
}

export interface LinkInfo {
  index: number;
  name: string;
  /** From `name@peer`: a veth's peer name, an `if12` reference, or `NONE`. */
  peer?: string;
  /** `name@if12`: the peer's ifindex (in another namespace, see linkNetnsid). */
  peerIfindex?: number;
  /** `link-netnsid` / `link-netns` when the peer lives in another namespace. */
  peerNetns?: string;
  linkNetnsid?: number;
  flags: string[];
  /** Header `key value` pairs: mtu, qdisc, master, state, mode, group, qlen... */
  attrs: Record<string, string>;
  mtu?: number;
  qdisc?: string;
  master?: string;
  state?: string;
  mode?: string;
  group?: string;
  qlen?: number;
  /** `ether`, `loopback`, `none`... from `link/ether`. */
  linkType?: string;
  /** The link-layer address (a MAC for ether links). */
  mac?: string;
  brd?: string;
  promiscuity?: number;
  allmulti?: number;
  minmtu?: number;
  maxmtu?: number;
  /** The -d kind (`veth`, `bridge`, `tun`, `vxlan`, `openvswitch`...) and slave kind (`bridge_slave`...). */
  kind?: string;
  slaveKind?: string;
  kindInfo?: LinkDetail;
  slaveInfo?: LinkDetail;
  /** For a tun device, `tap` or `tun`. */
  tunType?: string;
  /** The -d detail lines verbatim, and all their `key value` pairs merged (best effort). */
  details: string[];
  params: Record<string, string>;
  /** Indented lines of this block of no known layout (`vf 0 ...`, `prog/xdp ...`): more detail, kept. */
  extra: string[];
  altnames: string[];
  /** Statistics tables (`RX`, `TX`, `RX errors`, `TX errors`): column name → value. */
  stats: Record<string, Record<string, bigint>>;
  addresses: LinkAddress[];
  line: number;
}

/** One line of a link dump, or one `\`-separated segment of a `-o` line. */
export interface LinkLine {
  /** The line as it is in the file (what diagnostics show). */
  src: DumpLine;
  /** The segment's text, trimmed. */
  body: string;
  /** 0-based index of `body` in `src.text`. */
  at: number;
  /** Indented, or a segment after a `\`: a line inside the current block. */
  inner: boolean;
}

export const LINK_HEADER = /^(\d+): ([^:@\s]+)(?:@([^:\s]+))?: <([^>]*)>(.*)$/;
const KINDS = new Set([
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
  "ipvtap",
  "bond",
  "team",
  "dummy",
  "openvswitch",
  "vrf",
  "erspan",
  "ip6erspan",
  "ip6tnl",
  "wireguard",
  "nlmon",
  "ifb",
  "xfrm",
  "vti",
  "vti6",
  "bareudp",
  "netkit",
  "hsr",
  "macsec",
  "can",
]);
/** Words -d prints before or after the kind for every link (so a line may start with them). */
const GENERIC = new Set([
  "addrgenmode",
  "numtxqueues",
  "numrxqueues",
  "gso_max_size",
  "gso_max_segs",
  "tso_max_size",
  "tso_max_segs",
  "gro_max_size",
  "gso_ipv4_max_size",
  "gro_ipv4_max_size",
  "parentbus",
  "parentdev",
  "portname",
  "portid",
  "switchid",
  "promiscuity",
]);
/** Detail words that stand alone (no value follows), so pairing does not swallow the next word. */
const FLAG_WORDS = new Set([
  "external",
  "nolearning",
  "proxy",
  "rsc",
  "l2miss",
  "l3miss",
  "udpcsum",
  "noudpcsum",
  "udp6zerocsumtx",
  "noudp6zerocsumtx",
  "udp6zerocsumrx",
  "noudp6zerocsumrx",
  "remcsumtx",
  "remcsumrx",
  "gbp",
  "gpe",
  "pmtudisc",
  "nopmtudisc",
  "ignore-df",
  "nocsum",
  "noseq",
  "iseq",
  "oseq",
  "icsum",
  "ocsum",
  "reorder_hdr",
  "gvrp",
  "mvrp",
  "loose_binding",
  "bridge_binding",
]);

/** Splits a dump into link lines; the one-line (`-o`) form's `\` separators become segments. */
export function linkLines(lines: DumpLine[]): LinkLine[] {
  const out: LinkLine[] = [];
  for (const src of lines) {
    let start = 0;
    for (const part of src.text.split("\\")) {
      const body = part.trim();
      const lead = part.length - part.trimStart().length;
      if (body !== "") out.push({ src, body, at: start + lead, inner: start > 0 || lead > 0 });
      start += part.length + 1;
    }
  }
  return out;
}

/** Reports a problem at 0-based index `i` of a link line's body. */
export function report(sink: DiagnosticSink, ll: LinkLine, i: number, message: string, field?: string): void {
  sink.error(ll.src, ll.at + i + 1, message, field);
}

/** The words of a text with their 0-based positions. */
export function wordsAt(text: string): Array<{ w: string; at: number }> {
  return [...text.matchAll(/\S+/g)].map((m) => ({ w: m[0], at: m.index }));
}

/**
 * `key value` pairs, best effort: words known to stand alone map to "", and a bare number after a
 * value continues it (`srcport 0 0`).
 */
export function pairs(words: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  let last: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (last !== undefined && /^\d+$/.test(w)) out[last] += ` ${w}`;
    else if (FLAG_WORDS.has(w) || i + 1 === words.length) {
      out[w] = "";
      last = undefined;
    } else {
      out[w] = words[++i];
      last = w;
    }
  }
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
    extra: [],
    altnames: [],
    stats: {},
    addresses: [],
    line,
  };
}

/** Sets `link[key]` from a numeric `key value` pair, reporting a value that is not a number. */
function numeric(
  sink: DiagnosticSink,
  ll: LinkLine,
  words: Array<{ w: string; at: number }>,
  key: string,
  set: (n: number) => void,
): void {
  const i = words.findIndex((x) => x.w === key);
  if (i < 0 || i + 1 >= words.length) return;
  const v = words[i + 1];
  if (/^\d+$/.test(v.w)) set(Number(v.w));
  else report(sink, ll, v.at, `${key} is not a number: ${v.w}`, key);
}

function parseHeader(sink: DiagnosticSink, ll: LinkLine, m: RegExpExecArray): LinkInfo {
  const link = newLink(Number(m[1]), m[2], ll.src.line);
  link.flags = m[4] === "" ? [] : m[4].split(",");
  if (m[3] !== undefined) {
    link.peer = m[3];
    const ifn = /^if(\d+)$/.exec(m[3]);
    if (ifn) link.peerIfindex = Number(ifn[1]);
  }
  const restAt = m[0].length - m[5].length;
  const words = wordsAt(m[5]).map((x) => ({ w: x.w, at: x.at + restAt }));
  const attrs = pairs(words.map((x) => x.w));
  link.attrs = attrs;
  numeric(sink, ll, words, "mtu", (n) => {
    link.mtu = n;
  });
  numeric(sink, ll, words, "qlen", (n) => {
    link.qlen = n;
  });
  if (attrs.qdisc) link.qdisc = attrs.qdisc;
  if (attrs.master) link.master = attrs.master;
  if (attrs.state) link.state = attrs.state;
  if (attrs.mode) link.mode = attrs.mode;
  if (attrs.group) link.group = attrs.group;
  return link;
}

/** `link/ether MAC brd MAC promiscuity 0 allmulti 0 minmtu 68 maxmtu 65535 [link-netnsid 0] ...` */
function parseLinkLayer(sink: DiagnosticSink, ll: LinkLine, link: LinkInfo): void {
  const words = wordsAt(ll.body);
  link.linkType = words[0].w.slice(5);
  // The address is any word that is not a lower-case key (MACs, IPs, `::`).
  const hasAddr = words.length > 1 && !/^[a-z][a-z_-]*$/.test(words[1].w);
  if (hasAddr) link.mac = words[1].w;
  const rest = words.slice(hasAddr ? 2 : 1);
  const p = pairs(rest.map((x) => x.w));
  if (p.brd !== undefined) link.brd = p.brd;
  const ns = p["link-netnsid"] ?? p["link-netns"];
  if (ns !== undefined) link.peerNetns = ns;
  numeric(sink, ll, rest, "link-netnsid", (n) => {
    link.linkNetnsid = n;
  });
  for (const key of ["promiscuity", "allmulti", "minmtu", "maxmtu"] as const)
    numeric(sink, ll, rest, key, (n) => {
      link[key] = n;
    });
  Object.assign(link.params, p);
}

/** A `-d` detail line: the kind, the slave kind, the generic properties, or something else (extra). */
function parseDetail(sink: DiagnosticSink, ll: LinkLine, link: LinkInfo): void {
  const words = ll.body.split(/\s+/);
  const first = words[0];
  link.details.push(ll.body);
  if (KINDS.has(first) && link.kind === undefined) {
    const params = pairs(words.slice(1));
    link.kind = first;
    link.kindInfo = { kind: first, text: ll.body, params };
    if (first === "tun" && params.type !== undefined) link.tunType = params.type;
    Object.assign(link.params, params);
  } else if (/^[a-z0-9]+_slave$/.test(first) && link.slaveKind === undefined) {
    const params = pairs(words.slice(1));
    link.slaveKind = first;
    link.slaveInfo = { kind: first, text: ll.body, params };
    Object.assign(link.params, params);
  } else if (GENERIC.has(first)) {
    const p = pairs(words);
    Object.assign(link.params, p);
    const ws = wordsAt(ll.body);
    for (const key of ["promiscuity", "allmulti", "minmtu", "maxmtu"] as const)
      numeric(sink, ll, ws, key, (n) => {
        link[key] = n;
      });
  } else link.extra.push(ll.body);
}

export interface LinkBlockOptions {
  /** What the dump is, for "line not understood as ...". */
  what: string;
  /** Claims an inner line before the link layouts are tried (ip address: inet lines). */
  inner?: (link: LinkInfo, ll: LinkLine) => boolean;
}

/** Parses link blocks; lines that fit nowhere are reported to `sink`. */
export function parseLinkBlocks(lines: LinkLine[], sink: DiagnosticSink, opts: LinkBlockOptions): LinkInfo[] {
  const links: LinkInfo[] = [];
  let link: LinkInfo | undefined;
  // A statistics header waiting for its row of numbers.
  let pending: { table: string; columns: string[]; ll: LinkLine } | undefined;
  const flushPending = (): void => {
    if (pending)
      report(sink, pending.ll, 0, `${pending.table} statistics header without values`, pending.table);
    pending = undefined;
  };
  for (const ll of lines) {
    const m = ll.inner ? null : LINK_HEADER.exec(ll.body);
    if (m) {
      flushPending();
      link = parseHeader(sink, ll, m);
      links.push(link);
      continue;
    }
    if (!link || !ll.inner) {
      flushPending();
      report(sink, ll, 0, `line not understood as ${opts.what}`);
      continue;
    }
    if (pending) {
      const table = pending.table;
      const columns = pending.columns;
      const head = pending.ll;
      pending = undefined;
      if (/^\d/.test(ll.body)) {
        const words = wordsAt(ll.body);
        const bad = words.find((x) => !/^\d+$/.test(x.w));
        if (bad) report(sink, ll, bad.at, `${table} statistic is not a number: ${bad.w}`, table);
        else if (words.length > columns.length)
          report(sink, ll, words[columns.length].at, `${table}: more values than columns`, table);
        else {
          const row: Record<string, bigint> = {};
          words.forEach((x, i) => {
            row[columns[i]] = BigInt(x.w);
          });
          link.stats[table] = row;
        }
        continue;
      }
      report(sink, head, 0, `${table} statistics header without values`, table);
    }
    if (opts.inner?.(link, ll)) continue;
    const st = /^(RX|TX)( errors)?:\s*(.*)$/.exec(ll.body);
    if (st) {
      pending = { table: `${st[1]}${st[2] ?? ""}`, columns: st[3].split(/\s+/).filter((c) => c !== ""), ll };
      continue;
    }
    if (ll.body.startsWith("link/")) parseLinkLayer(sink, ll, link);
    else if (/^altname \S+$/.test(ll.body)) link.altnames.push(ll.body.slice(8));
    else parseDetail(sink, ll, link);
  }
  flushPending();
  return links;
}
