/**
 * The size of datapath actions in OVS's netlink encoding, from the text ovspath prints for them. OVS
 * stops translating further tables once the actions it has composed pass 64 kB ("resubmits yielded over
 * 64 kB of actions", xlate_resubmit_resource_check), which only loops reach; this is what lets the
 * pipeline stop at the same point.
 *
 * A netlink attribute is a 4-byte header and its payload padded to 4 bytes. Payload sizes are those of
 * the kernel datapath's structures (include/linux/openvswitch.h).
 */
import { memoize } from "../util/memo.js";
import type { OdpList } from "./context.js";

const attr = (payload: number): number => 4 + ((payload + 3) & ~3);

/** Key structures of set()/set_masked(), with the number of fields a whole (unmasked) set prints. */
const KEYS: Readonly<Record<string, { bytes: number; fields: number }>> = {
  eth: { bytes: 12, fields: 2 },
  ipv4: { bytes: 12, fields: 6 },
  ipv6: { bytes: 40, fields: 7 },
  tcp: { bytes: 4, fields: 2 },
  udp: { bytes: 4, fields: 2 },
  sctp: { bytes: 4, fields: 2 },
  icmp: { bytes: 2, fields: 2 },
  icmpv6: { bytes: 2, fields: 2 },
  arp: { bytes: 24, fields: 5 },
  mpls: { bytes: 4, fields: 4 },
  skb_priority: { bytes: 4, fields: 1 },
  skb_mark: { bytes: 4, fields: 1 },
};

/** Top-level comma-separated parts of `text` (parentheses nest): a datapath actions line's actions. */
export function parts(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

/** The OVS_KEY_ATTR_TUNNEL nest: only the attributes a set(tunnel(...)) prints are present. */
function tunnelBytes(body: string): number {
  let n = 4;
  for (const p of parts(body)) {
    const name = p.slice(0, p.search(/[=(]|$/));
    if (name === "tun_id") n += attr(8);
    else if (name === "flags") {
      if (p.includes("df")) n += 4;
      if (p.includes("csum")) n += 4;
      if (p.includes("oam")) n += 4;
    } else n += attr(name === "ipv6_src" || name === "ipv6_dst" ? 16 : 4);
  }
  return n;
}

function setBytes(body: string): number {
  const open = body.indexOf("(");
  const key = body.slice(0, open);
  const inner = body.slice(open + 1, -1);
  if (key === "tunnel") return 4 + tunnelBytes(inner);
  const k = KEYS[key];
  if (!k) return 4 + attr(8);
  // A set showing every field is a plain set; fewer fields means set_masked (key and mask).
  const whole = parts(inner).length >= k.fields;
  return 4 + attr(whole ? k.bytes : 2 * k.bytes);
}

/**
 * OVS_ACTION_ATTR_CT as compose_conntrack_action builds it. Two of its attributes are there whether
 * or not the text shows them: the zone (a u16, always put; printed only when not 0) and, with a
 * commit, the u32 event mask (put whenever the datapath accepts it, as both the kernel and the
 * userspace datapath do; never printed). Mark and label carry a value and a mask; helper and timeout
 * are NUL-terminated names.
 */
function ctBytes(body: string): number {
  let n = 4 + attr(2);
  for (const p of body ? parts(body) : []) {
    const eq = p.indexOf("=");
    const name = p.startsWith("nat") ? "nat" : eq < 0 ? p : p.slice(0, eq);
    if (name === "commit" || name === "force_commit") n += 4 + attr(4);
    else if (name === "mark") n += attr(8);
    else if (name === "label") n += attr(32);
    else if (name === "helper" || name === "timeout") n += attr(p.length - eq);
    else if (name === "nat") n += natBytes(p.slice(4, -1));
  }
  return n;
}

/**
 * The OVS_CT_ATTR_NAT nest (put_ct_nat): the src/dst flag, one flag per option (persistent, hash,
 * random), then the range it prints, `ADDR[-ADDR][:PORT[-PORT]]` (IPv6 addresses bracketed when a
 * port follows): a minimum and, for a range, a maximum address (in_addr or in6_addr) and port (u16).
 */
function natBytes(body: string): number {
  let n = 4;
  for (const p of body ? parts(body) : []) {
    n += 4;
    const eq = p.indexOf("=");
    if (eq < 0) continue;
    const range = p.slice(eq + 1);
    // An unbracketed IPv6 address has colons of its own and no port.
    const v6 = range.startsWith("[") || range.split(":").length > 2;
    const colon = range.indexOf(":", range.lastIndexOf("]") + 1);
    const split = colon >= 0 && (range.startsWith("[") || !v6);
    const addrs = split ? range.slice(0, colon) : range;
    const ports = split ? range.slice(colon + 1) : "";
    const addr = attr(v6 ? 16 : 4);
    n += addrs.includes("-") ? 2 * addr : addr;
    if (ports) n += ports.includes("-") ? 2 * attr(2) : attr(2);
  }
  return n;
}

/** Bytes of a printed list of actions (`drop`: none). */
function listBytes(text: string): number {
  return text === "drop" ? 0 : parts(text).reduce((n, a) => n + odpActionBytes(a), 0);
}

/** Bytes of one datapath action as ovspath prints it. */
export function odpActionBytes(action: string): number {
  const open = action.indexOf("(");
  const name = open < 0 ? action : action.slice(0, open);
  const body = open < 0 ? "" : action.slice(open + 1, -1);
  if (/^\d+$/.test(name)) return attr(4);
  switch (name) {
    case "pop_vlan":
    case "ct_clear":
      return 4;
    case "pop_mpls":
      return attr(2);
    case "push_mpls":
      // struct ovs_action_push_mpls: the label stack entry and the ethertype.
      return attr(6);
    case "push_vlan":
    case "recirc":
    case "tnl_pop":
      return attr(4);
    case "set":
      return setBytes(body);
    case "clone":
      return 4 + listBytes(body);
    case "check_pkt_len": {
      // OVS_ACTION_ATTR_CHECK_PKT_LEN: the u16 length, then a nest of actions for each outcome.
      const [, gt = "gt()", le = "le()"] = parts(body);
      return 4 + attr(2) + 4 + listBytes(gt.slice(3, -1)) + 4 + listBytes(le.slice(3, -1));
    }
    case "tnl_push": {
      const size = /header\(size=(\d+)/.exec(body);
      return attr(16 + Number(size?.[1] ?? 50));
    }
    case "ct":
      return ctBytes(body);
    case "userspace":
      // The pid (u32) and the 48-byte user_action_cookie (lib/odp-util.h) OVS puts for a packet-in.
      return 4 + attr(4) + attr(48);
    default:
      // meter(), trunc(), sample(): a nest of a few attributes.
      return attr(24);
  }
}

/** Remembered: translation emits the same few actions again and again. */
const actionBytes = memoize(odpActionBytes);

/** Bytes of a list of datapath actions. */
export function odpBytes(list: OdpList): number {
  let n = 0;
  for (const a of list) n += actionBytes(a);
  return n;
}
