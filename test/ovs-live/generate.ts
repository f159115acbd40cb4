/**
 * Random switches for the live differential test: bridges joined by patch ports, dummy ports with
 * VLAN tags and trunks, VXLAN/GRE tunnel ports, flow tables with overlapping masked matches and most
 * actions ovspath models, and packets (ofproto/trace flow strings) drawn from the values the flows use.
 * Everything comes from one seeded generator, so a seed replays a run exactly. Shapes OVS refuses to
 * install are not generated.
 */

/** mulberry32: small, fast, good enough for test generation. */
export function rng(seed: number): Rng {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    chance: (p) => next() < p,
  };
}

export interface Rng {
  next(): number;
  /** lo..hi inclusive. */
  int(lo: number, hi: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
}

export interface GenPort {
  name: string;
  ofport: number;
  kind: "dummy" | "patch" | "vxlan" | "gre";
  tag?: number;
  trunks?: number[];
  vlanMode?: "trunk" | "access" | "native-tagged" | "native-untagged";
  peer?: string;
  remoteIp?: string;
  key?: string;
}

export interface GenBridge {
  name: string;
  ports: GenPort[];
  /** Flows are installed over OpenFlow 1.3 (goto_table, push_vlan allowed). */
  of13: boolean;
  tables: number;
}

export interface GenTopology {
  bridges: GenBridge[];
}

export interface GenGroup {
  id: number;
  type: "all" | "indirect";
  buckets: string[];
}

export interface GenTables {
  /** Per bridge: the add-flows lines. */
  flows: Map<string, string[]>;
  groups: Map<string, GenGroup[]>;
  /** Some flow uses ct(table=…): packets get --ct-next flags now and then. */
  usesCt: boolean;
}

export interface GenPacket {
  bridge: string;
  flow: string;
  ctNext: string[];
}

/** The cookie of every flow learn() adds: a trace given a packet learns, and these are removed after. */
export const LEARNED_COOKIE = "0x5ea";

const MACS = [
  "00:00:00:00:00:01",
  "00:00:00:00:00:02",
  "52:54:00:00:00:0a",
  "52:54:00:00:00:0b",
  "ff:ff:ff:ff:ff:ff",
  "01:00:5e:00:00:01",
];
const MAC_MASKS = [
  "01:00:00:00:00:00/01:00:00:00:00:00",
  "00:00:00:00:00:00/01:00:00:00:00:00",
  "52:54:00:00:00:00/ff:ff:ff:00:00:00",
  "00:00:00:00:00:02/00:00:00:00:00:0f",
];
const IPS = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.1.5", "192.168.1.1", "172.16.0.9"];
const CIDRS = ["10.0.0.0/24", "10.0.0.0/30", "10.0.0.2/31", "192.168.0.0/16", "10.0.0.0/8", "172.16.0.0/12"];
const TP = [22, 53, 80, 443, 8080];
const TP_MASKS = ["0x50/0xfff0", "0x1f90/0xfffe", "0x0/0xff00"];
const VLANS = [10, 20, 30];
const TUN_IDS = [0x10, 0x20, 0x64];
const REG_VALS = [0, 1, 2, 3, 0x10];
const REMOTES = ["10.1.0.2", "10.1.0.3", "10.1.0.4", "10.1.0.5", "10.1.0.6", "10.1.0.7"];
const CT_NEXT = ["trk,new", "trk,est", "trk,est,rpl", "trk,rel", "trk,inv", "trk,new,dnat"];
const CT_STATES = ["+trk", "-trk", "+trk+new", "+trk+est", "+trk-new", "+trk+est+rpl", "+trk+inv"];

export function genTopology(r: Rng): GenTopology {
  const nb = r.int(1, 3);
  const bridges: GenBridge[] = [];
  let portNo = 1;
  let tunNo = 1;
  for (let b = 0; b < nb; b++) {
    const ports: GenPort[] = [];
    const nd = r.int(2, 4);
    for (let i = 1; i <= nd; i++) {
      const p: GenPort = { name: `p${portNo++}`, ofport: i, kind: "dummy" };
      const mode = r.int(0, 6);
      if (mode === 1 || mode === 2 || mode >= 5) p.tag = r.pick(VLANS);
      if (mode === 2 || mode === 3 || mode === 6) p.trunks = VLANS.filter(() => r.chance(0.6));
      if (p.trunks?.length === 0) delete p.trunks;
      if (mode >= 5) p.vlanMode = r.pick(["native-tagged", "native-untagged"] as const);
      ports.push(p);
    }
    if (r.chance(0.5)) {
      const nt = r.int(1, 2);
      for (let i = 0; i < nt; i++) {
        const kind = r.pick(["vxlan", "gre"] as const);
        const p: GenPort = {
          name: `${kind === "vxlan" ? "vx" : "gr"}${tunNo++}`,
          ofport: 20 + i,
          kind,
          // OVS refuses two tunnel ports of one type with the same remote and key: one remote each.
          remoteIp: REMOTES[tunNo - 2],
          key: r.chance(0.6) ? "flow" : String(r.pick(TUN_IDS)),
        };
        ports.push(p);
      }
    }
    bridges.push({ name: `br${b}`, ports, of13: r.chance(0.4), tables: r.int(2, 4) });
  }
  // Patch ports: a chain br0 - br1 - br2. (Two links between the same bridges make floods multiply
  // until OVS's datapath action buffer overflows: ovs-vswitchd 3.1 aborts on that.)
  for (let b = 0; b + 1 < nb; b++) {
    const a = `pt${b}${b + 1}`;
    const z = `pt${b + 1}${b}`;
    bridges[b].ports.push({ name: a, ofport: 10 + b + 1, kind: "patch", peer: z });
    bridges[b + 1].ports.push({ name: z, ofport: 10 + b, kind: "patch", peer: a });
  }
  return { bridges };
}

/** The ovs-vsctl arguments that create the topology (one transaction). */
export function vsctlArgs(t: GenTopology): string[] {
  const a: string[] = ["--timeout=10"];
  for (const b of t.bridges) {
    a.push(
      "--",
      "add-br",
      b.name,
      "--",
      "set",
      "bridge",
      b.name,
      "datapath_type=dummy",
      "fail_mode=secure",
      "protocols=OpenFlow10,OpenFlow13",
    );
    for (const p of b.ports) {
      a.push("--", "add-port", b.name, p.name);
      if (p.tag !== undefined) a.push(`tag=${p.tag}`);
      if (p.trunks) a.push(`trunks=${p.trunks.join(",")}`);
      if (p.vlanMode) a.push(`vlan_mode=${p.vlanMode}`);
      a.push("--", "set", "interface", p.name, `ofport_request=${p.ofport}`);
      if (p.kind === "dummy") a.push("type=dummy");
      else if (p.kind === "patch") a.push("type=patch", `options:peer=${p.peer}`);
      else a.push(`type=${p.kind}`, `options:remote_ip=${p.remoteIp}`, `options:key=${p.key}`);
    }
  }
  return a;
}

interface Ctx {
  r: Rng;
  bridge: GenBridge;
  table: number;
  /** dl_type shorthand of the match (for action prerequisites). */
  proto: "" | "ip" | "tcp" | "udp" | "icmp" | "arp" | "ipv6";
  groups: GenGroup[];
  usesCt: boolean;
  /** VLAN tags the packet surely has here (OpenFlow 1.3 refuses pop_vlan without one, push beyond 2). */
  vlans: number;
  /** The match requires ct_state +inv: OVS refuses ct(commit) then. */
  ctInv?: boolean;
}

const isIp = (p: Ctx["proto"]) => p === "ip" || p === "tcp" || p === "udp" || p === "icmp";

function portRef(c: Ctx): string {
  const r = c.r;
  if (r.chance(0.05)) return "99"; // no such port
  return String(r.pick(c.bridge.ports).ofport);
}

function genMatch(c: Ctx): string[] {
  const r = c.r;
  const m: string[] = [];
  if (c.proto) m.push(c.proto);
  if (r.chance(0.35)) m.push(`in_port=${r.pick(c.bridge.ports).ofport}`);
  if (r.chance(0.25)) m.push(`dl_src=${r.chance(0.3) ? r.pick(MAC_MASKS) : r.pick(MACS)}`);
  if (r.chance(0.3)) m.push(`dl_dst=${r.chance(0.3) ? r.pick(MAC_MASKS) : r.pick(MACS)}`);
  if (r.chance(0.2)) {
    const v = r.chance(0.3)
      ? r.pick(["vlan_tci=0x0000/0x1fff", "vlan_tci=0x1000/0x1000", "vlan_tci=0x0000/0x1000"])
      : `dl_vlan=${r.pick(VLANS)}`;
    m.push(v);
    c.vlans = v.startsWith("dl_vlan") || v === "vlan_tci=0x1000/0x1000" ? 1 : 0;
  }
  for (const reg of ["reg0", "reg1"])
    if (r.chance(0.15)) m.push(r.chance(0.3) ? `${reg}=0x1/0x1` : `${reg}=${r.pick(REG_VALS)}`);
  if (r.chance(0.1)) m.push(`metadata=${r.pick(REG_VALS)}`);
  if (r.chance(0.15) && c.bridge.ports.some((p) => p.kind === "vxlan" || p.kind === "gre"))
    m.push(`tun_id=${r.pick(TUN_IDS)}`);
  if (isIp(c.proto)) {
    if (r.chance(0.3)) m.push(`nw_src=${r.chance(0.5) ? r.pick(CIDRS) : r.pick(IPS)}`);
    if (r.chance(0.3)) m.push(`nw_dst=${r.chance(0.5) ? r.pick(CIDRS) : r.pick(IPS)}`);
    if (r.chance(0.15)) {
      const st = r.pick(CT_STATES);
      m.push(`ct_state=${st}`);
      c.ctInv = st.includes("+inv");
    }
  }
  if (c.proto === "tcp" || c.proto === "udp") {
    if (r.chance(0.4)) m.push(`tp_dst=${r.chance(0.3) ? r.pick(TP_MASKS) : r.pick(TP)}`);
    if (r.chance(0.15)) m.push(`tp_src=${r.pick(TP)}`);
  }
  if (c.proto === "icmp" && r.chance(0.4)) m.push(`icmp_type=${r.pick([0, 8])}`);
  if (c.proto === "arp") {
    if (r.chance(0.3)) m.push(`arp_op=${r.pick([1, 2])}`);
    if (r.chance(0.3)) m.push(`arp_tpa=${r.chance(0.5) ? r.pick(CIDRS) : r.pick(IPS)}`);
  }
  return m;
}

function genModify(c: Ctx): string {
  const r = c.r;
  const choices: Array<() => string> = [
    () => {
      c.vlans = Math.max(c.vlans, 1);
      return `mod_vlan_vid:${r.pick(VLANS)}`;
    },
    () => `mod_dl_src:${r.pick(MACS)}`,
    () => `set_field:${r.pick(MACS)}->eth_dst`,
    () => `set_field:${r.pick(REG_VALS)}->reg${r.int(0, 2)}`,
    () => `load:${r.pick(REG_VALS)}->NXM_NX_REG${r.int(0, 2)}[0..7]`,
    () => `move:NXM_NX_REG0[]->NXM_NX_REG${r.int(1, 2)}[]`,
    () => "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]",
    () => `set_field:${r.pick(REG_VALS)}->metadata`,
    () => `load:${r.pick(REG_VALS)}->NXM_NX_REG0[16..31]`,
  ];
  if (c.bridge.ports.some((p) => p.kind === "vxlan" || p.kind === "gre"))
    choices.push(
      () => `set_field:${r.pick(TUN_IDS)}->tun_id`,
      () => `set_field:${r.pick(REMOTES)}->tun_dst`,
    );
  if (!c.bridge.of13 || c.vlans > 0)
    choices.push(() => {
      c.vlans = Math.max(c.vlans - 1, 0);
      return c.bridge.of13 && r.chance(0.5) ? "pop_vlan" : "strip_vlan";
    });
  if (c.bridge.of13 && c.vlans < 2)
    choices.push(() => {
      c.vlans++;
      return `push_vlan:0x8100,set_field:${4096 + r.pick(VLANS)}->vlan_vid`;
    });
  if (isIp(c.proto))
    choices.push(
      () => `mod_nw_src:${r.pick(IPS)}`,
      () => `set_field:${r.pick(IPS)}->ip_dst`,
      () => "dec_ttl",
      () => "dec_ttl",
      () => `mod_nw_tos:${r.pick([0, 4, 32])}`,
      () => "move:NXM_OF_IP_SRC[]->NXM_NX_REG2[]",
    );
  if (c.proto === "tcp" || c.proto === "udp")
    choices.push(
      () => `mod_tp_dst:${r.pick(TP)}`,
      () => `set_field:${r.pick(TP)}->${c.proto}_src`,
    );
  if (c.proto === "arp")
    choices.push(
      () => "load:0x2->NXM_OF_ARP_OP[]",
      () => "move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[]",
    );
  return r.pick(choices)();
}

function genControl(c: Ctx): string {
  const r = c.r;
  // Resubmits only go to later tables: loops are covered by the lab traces, and a loop that floods
  // makes ovs-vswitchd 3.1 abort (datapath actions over 64 kB).
  const later = c.table + 1 < c.bridge.tables ? r.int(c.table + 1, c.bridge.tables - 1) : undefined;
  const choices: Array<() => string> = [
    () => `output:${portRef(c)}`,
    () => `output:${portRef(c)}`,
    () => "in_port",
    () => "NORMAL",
    () => "NORMAL",
    () => r.pick(["FLOOD", "ALL", "LOCAL", "CONTROLLER"]),
    () => "output:NXM_NX_REG0[0..15]",
  ];
  if (later !== undefined) {
    choices.push(
      () => `resubmit(,${later})`,
      () => `resubmit(,${later})`,
      () => `resubmit(${r.pick(c.bridge.ports).ofport},${later})`,
      () =>
        `learn(table=${later},priority=${r.int(1, 5)},hard_timeout=60,cookie=${LEARNED_COOKIE},NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[])`,
    );
    if (isIp(c.proto))
      choices.push(() => {
        c.usesCt = true;
        const plain = [`ct(table=${later},zone=${r.int(1, 3)})`, `ct(table=${later},zone=2,nat)`];
        const commit = [
          `ct(commit,zone=${r.int(1, 3)})`,
          `ct(commit,table=${later},zone=1,exec(set_field:${r.int(1, 3)}->ct_mark))`,
          // ofproto/trace rewrites the resumed flow with the range's first address ("simulate NAT").
          `ct(commit,table=${later},zone=3,nat(src=10.0.0.9-10.0.0.12))`,
          `ct(commit,table=${later},zone=3,nat(dst=192.168.1.1))`,
        ];
        return r.pick(c.ctInv ? plain : [...plain, ...commit]);
      });
  }
  if (c.groups.length > 0) choices.push(() => `group:${r.pick(c.groups).id}`);
  return r.pick(choices)();
}

function genActions(c: Ctx): string {
  const r = c.r;
  if (r.chance(0.08)) return "drop";
  const acts: string[] = [];
  const nmod = r.int(0, 3);
  const nctl = r.int(0, 2);
  const total = nmod + nctl;
  let mods = nmod;
  for (let i = 0; i < total; i++) {
    if (mods > 0 && (r.chance(0.6) || total - i === mods)) {
      acts.push(genModify(c));
      mods--;
    } else acts.push(genControl(c));
  }
  if (acts.length === 0 || r.chance(0.5)) acts.push(genControl(c));
  if (c.bridge.of13 && c.table + 1 < c.bridge.tables && r.chance(0.25))
    acts.push(`goto_table:${r.int(c.table + 1, c.bridge.tables - 1)}`);
  return acts.join(",");
}

const PROTOS: Array<Ctx["proto"]> = ["", "", "", "ip", "ip", "tcp", "tcp", "udp", "icmp", "arp", "ipv6"];

export function genTables(r: Rng, t: GenTopology): GenTables {
  const flows = new Map<string, string[]>();
  const groups = new Map<string, GenGroup[]>();
  let usesCt = false;
  let conjId = 1;
  for (const b of t.bridges) {
    const gs: GenGroup[] = [];
    if (b.of13 && r.chance(0.5)) {
      const n = r.int(1, 2);
      for (let g = 1; g <= n; g++) {
        const buckets: string[] = [];
        const nbk = r.int(1, 3);
        for (let k = 0; k < nbk; k++) {
          const port = r.pick(b.ports).ofport;
          buckets.push(
            r.chance(0.4) ? `actions=mod_vlan_vid:${r.pick(VLANS)},output:${port}` : `actions=output:${port}`,
          );
        }
        gs.push({ id: g, type: nbk === 1 && r.chance(0.5) ? "indirect" : "all", buckets });
      }
    }
    groups.set(b.name, gs);
    const lines: string[] = [];
    for (let table = 0; table < b.tables; table++) {
      const n = r.int(2, table === 0 ? 10 : 7);
      for (let i = 0; i < n; i++) {
        const c: Ctx = { r, bridge: b, table, proto: r.pick(PROTOS), groups: gs, usesCt: false, vlans: 0 };
        const prio = r.pick([0, 1, 5, 10, 10, 20, 100, 32768]);
        const m = genMatch(c);
        const head = [`table=${table}`, `priority=${prio}`, ...m].join(",");
        lines.push(`${head},actions=${genActions(c)}`);
        usesCt ||= c.usesCt;
      }
      if (r.chance(0.35)) {
        // A conjunctive match: two clauses at one priority, and the conj_id flow.
        const id = conjId++;
        const prio = r.pick([10, 20, 50]);
        const proto = r.pick(["ip", "tcp"] as const);
        for (const ip of [r.pick(IPS), r.pick(CIDRS)])
          lines.push(`table=${table},priority=${prio},${proto},nw_src=${ip},actions=conjunction(${id},1/2)`);
        for (const d of [r.pick(IPS), r.pick(CIDRS)])
          lines.push(
            `table=${table},priority=${prio},${proto},nw_dst=${d},actions=conjunction(${id},2/${proto === "tcp" ? 3 : 2})`,
          );
        if (proto === "tcp")
          lines.push(
            `table=${table},priority=${prio},tcp,tp_dst=${r.pick(TP)},actions=conjunction(${id},3/3)`,
          );
        const c: Ctx = { r, bridge: b, table, proto, groups: gs, usesCt: false, vlans: 0 };
        lines.push(
          `table=${table},priority=${r.pick([1, prio, 200])},conj_id=${id},${proto},actions=${genActions(c)}`,
        );
        usesCt ||= c.usesCt;
      }
    }
    flows.set(b.name, lines);
  }
  return { flows, groups, usesCt };
}

export function genPacket(r: Rng, t: GenTopology, usesCt: boolean): GenPacket {
  const b = r.pick(t.bridges);
  const inPort = r.pick(b.ports);
  const f: string[] = [];
  const proto = r.pick(["", "ip", "tcp", "tcp", "udp", "icmp", "arp", "ipv6"]);
  if (proto) f.push(proto);
  f.push(`in_port=${inPort.name}`);
  if (inPort.kind === "vxlan" || inPort.kind === "gre") {
    f.push(`tun_id=${r.pick(TUN_IDS)}`, `tun_src=${inPort.remoteIp}`, "tun_dst=10.1.0.1");
  }
  f.push(`dl_src=${r.pick(MACS)}`, `dl_dst=${r.pick(MACS)}`);
  if (r.chance(0.35)) f.push(`dl_vlan=${r.chance(0.85) ? r.pick(VLANS) : 99}`);
  if (r.chance(0.15)) f.push(`reg0=${r.pick([1, 2, 3, 0x10, 0x10001])}`);
  if (r.chance(0.1)) f.push(`metadata=${r.pick(REG_VALS)}`);
  if (proto === "ip" || proto === "tcp" || proto === "udp" || proto === "icmp") {
    f.push(`nw_src=${r.pick(IPS)}`, `nw_dst=${r.pick(IPS)}`);
    f.push(`nw_ttl=${r.pick([64, 64, 64, 1, 0])}`);
    if (proto === "tcp") f.push(`tcp_src=${r.pick(TP)}`, `tcp_dst=${r.pick(TP)}`);
    if (proto === "udp") f.push(`udp_src=${r.pick(TP)}`, `udp_dst=${r.pick(TP)}`);
    if (proto === "icmp") f.push(`icmp_type=${r.pick([0, 8])}`);
  }
  if (proto === "arp") f.push(`arp_spa=${r.pick(IPS)}`, `arp_tpa=${r.pick(IPS)}`, `arp_op=${r.pick([1, 2])}`);
  if (proto === "ipv6") f.push("ipv6_src=fe80::1", "ipv6_dst=fe80::2", "nw_ttl=64");
  const ctNext: string[] = [];
  if (usesCt) {
    const n = r.int(0, 2);
    for (let i = 0; i < n; i++) ctNext.push(r.pick(CT_NEXT));
  }
  return { bridge: b.name, flow: f.join(","), ctNext };
}

/**
 * One pipeline on bridge 0 that chains the stateful features ahead of the random flows: conntrack
 * (a zone, sometimes nat) recirculating to table 1, where a new connection is committed and learned
 * from, an established one goes through a two-clause conjunction, and each leaves by a group, a
 * tunnel port, NORMAL or a port. So one trace runs ct, conjunction, learn() and a group or tunnel
 * together, not only apart. The highest priority, so every IPv4 packet of bridge 0 takes it.
 */
export function addStatefulChain(r: Rng, t: GenTopology, tables: GenTables): void {
  const b = t.bridges[0];
  if (b.tables < 2) return;
  const zone = r.int(1, 3);
  const last = b.tables - 1;
  const groups = tables.groups.get(b.name) ?? [];
  const tunnel = b.ports.find((p) => p.kind === "vxlan" || p.kind === "gre");
  const exit = () =>
    r.pick([
      ...groups.map((g) => `group:${g.id}`),
      ...(tunnel ? [`output:${tunnel.ofport}`] : []),
      "NORMAL",
      `output:${r.pick(b.ports).ofport}`,
    ]);
  const id = 100 + r.int(0, 50);
  const p = 40000;
  const chain = [
    `table=0,priority=${p},ip,ct_state=-trk,actions=ct(table=1,zone=${zone}${r.chance(0.3) ? ",nat" : ""})`,
    `table=1,priority=${p},ip,ct_state=+trk+new,actions=ct(commit,zone=${zone}),` +
      `learn(table=${last},priority=${r.int(1, 5)},hard_timeout=60,cookie=${LEARNED_COOKIE},NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[]),${exit()}`,
    `table=1,priority=${p},ip,ct_state=+trk+est,nw_src=${r.pick(IPS)},actions=conjunction(${id},1/2)`,
    `table=1,priority=${p},ip,ct_state=+trk+est,nw_dst=${r.pick(CIDRS)},actions=conjunction(${id},2/2)`,
    `table=1,priority=${p},conj_id=${id},ip,actions=${exit()}`,
    `table=1,priority=${p - 1},ip,ct_state=+trk,actions=${exit()}`,
  ];
  tables.flows.set(b.name, [...(tables.flows.get(b.name) ?? []), ...chain]);
  tables.usesCt = true;
}

/**
 * check_pkt_larger at the head of some flows' actions (its own generator, so the other draws of a seed
 * stay what they were): OVS then translates the rest of the list once per outcome into
 * check_pkt_len(size=N,gt(...),le(...)). The lengths straddle the packets' (a flow alone is 0 bytes).
 * A conjunction clause or a drop takes no other action.
 */
export function addLengthChecks(r: Rng, tables: GenTables): void {
  for (const [bridge, lines] of tables.flows)
    tables.flows.set(
      bridge,
      lines.map((l) => {
        if (/actions=(?:drop$|conjunction\()/.test(l) || !r.chance(0.12)) return l;
        const check = `check_pkt_larger(${r.pick([60, 64, 100, 1500])})->NXM_NX_REG${r.int(0, 2)}[${r.int(0, 3)}]`;
        return l.replace("actions=", `actions=${check},`);
      }),
    );
}
