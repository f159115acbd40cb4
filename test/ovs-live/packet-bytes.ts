/**
 * The packet a generated flow string describes, as hex for `ofproto/trace BRIDGE FLOW HEX`, and the
 * flow string that then goes with it: the metadata (in_port, tunnel) and the fields OVS must ignore
 * for a packet (registers, `metadata`), which is what the differential checks ovspath ignores too.
 */
const hex2 = (n: number) => (n & 0xff).toString(16).padStart(2, "0");
const hex4 = (n: number) => (n & 0xffff).toString(16).padStart(4, "0");
const mac = (m: string) => m.replace(/:/g, "");
const ip4 = (a: string) =>
  a
    .split(".")
    .map((x) => hex2(Number(x)))
    .join("");

/** fe80::1 style addresses of the generator (one `::`, groups of up to 4 hex digits). */
function ip6(a: string): string {
  const [head, tail = ""] = a.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  return groups.map((g) => g.padStart(4, "0")).join("");
}

const META = /^(in_port|tun_|reg\d|metadata)/;

export function packetOf(flow: string): { meta: string; hex: string } {
  const f = new Map<string, string>();
  let proto = "";
  for (const part of flow.split(",")) {
    const i = part.indexOf("=");
    if (i < 0) proto = part;
    else f.set(part.slice(0, i), part.slice(i + 1));
  }
  const meta = [...f].filter(([k]) => META.test(k)).map(([k, v]) => `${k}=${v}`);
  const num = (k: string, d = 0) => (f.has(k) ? Number(f.get(k)) : d);
  const ttl = num("nw_ttl", 64);
  const ipv4 = (p: number, l4: string) =>
    `450000000001${"0000"}${hex2(ttl)}${hex2(p)}0000${ip4(f.get("nw_src") ?? "0.0.0.0")}${ip4(f.get("nw_dst") ?? "0.0.0.0")}${l4}`;
  const withLength = (h: string) => `${h.slice(0, 4)}${hex4(h.length / 2)}${h.slice(8)}`;
  let type = 0x88b5;
  let body = "0000000000000000";
  if (proto === "ip") [type, body] = [0x0800, withLength(ipv4(0, ""))];
  if (proto === "tcp") {
    // seq 1, ack 0, data offset 5, SYN, window 0x2000, no checksum.
    const l4 = `${hex4(num("tcp_src"))}${hex4(num("tcp_dst"))}00000001000000005002200000000000`;
    [type, body] = [0x0800, withLength(ipv4(6, l4))];
  }
  if (proto === "udp") {
    const l4 = `${hex4(num("udp_src"))}${hex4(num("udp_dst"))}00080000`;
    [type, body] = [0x0800, withLength(ipv4(17, l4))];
  }
  if (proto === "icmp")
    [type, body] = [0x0800, withLength(ipv4(1, `${hex2(num("icmp_type"))}00000000000000`))];
  if (proto === "arp") {
    const sha = mac(f.get("dl_src") ?? "00:00:00:00:00:00");
    const arp = `000108000604${hex4(num("arp_op", 1))}${sha}${ip4(f.get("arp_spa") ?? "0.0.0.0")}000000000000${ip4(f.get("arp_tpa") ?? "0.0.0.0")}`;
    [type, body] = [0x0806, arp];
  }
  if (proto === "ipv6") {
    const src = ip6(f.get("ipv6_src") ?? "::");
    const dst = ip6(f.get("ipv6_dst") ?? "::");
    [type, body] = [0x86dd, `6000000000003b${hex2(ttl)}${src}${dst}`];
  }
  const tag = f.has("dl_vlan") ? `8100${hex4(Number(f.get("dl_vlan")))}` : "";
  const l2 = `${mac(f.get("dl_dst") ?? "00:00:00:00:00:00")}${mac(f.get("dl_src") ?? "00:00:00:00:00:00")}${tag}${hex4(type)}`;
  return { meta: meta.join(","), hex: `${l2}${body}` };
}
