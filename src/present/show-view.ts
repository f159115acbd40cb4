/** What `ovspath show` summarises for each host. Pure. */
import type { Host } from "../dumps/host/load.js";
import { firewallOfDumps } from "../dumps/netfilter/firewall.js";
import type { Diagnostic } from "../util/diagnostic.js";

export interface ShowPort {
  ofport: number | null;
  name: string;
  type?: string;
  /** Tag, peer, tunnel endpoints: what the OVSDB says about the port. */
  details?: string;
}

export interface ShowBridge {
  name: string;
  failMode?: string;
  flows: number;
  flowsFile?: string;
  flowsPerTable: Array<[number, number]>;
  ports: ShowPort[];
}

export interface ShowHost {
  host: string;
  source: string;
  datapaths: string[];
  bridges: ShowBridge[];
  linuxBridges: Array<{ name: string; interfaces: string[] }>;
  files: {
    read: number;
    byContent: number;
    unused: Array<{ file: string; note: string }>;
    /** The unused files grouped by why and where: "traces/*.txt: not a dump ovspath reads". */
    unusedByKind: UnusedKind[];
  };
  diagnostics: Diagnostic[];
  /** The iptables firewall (hybrid plug security groups), when the dumps hold one. */
  firewall?: ShowFirewall;
}

export interface ShowFirewall {
  /** Per family: where the rules come from, how exact that is, and how many rules. */
  families: Array<{ family: string; source: string; files: string; rules: number }>;
  ipsets: number | null;
  conntrackEntries: number;
  /** What the dumps cannot tell (lossy listings, missing raw table or ipsets). */
  lost: string[];
}

function firewallView(h: Host): ShowFirewall | undefined {
  const fw = firewallOfDumps(h.dumps);
  if (!fw) return undefined;
  const families = [fw.v4, fw.v6].flatMap((rs) =>
    rs
      ? [
          {
            family: rs.family,
            source: rs.source,
            files: rs.file,
            rules: [...rs.tables.values()].reduce(
              (n, t) => n + [...t.chains.values()].reduce((m, c) => m + c.rules.length, 0),
              0,
            ),
          },
        ]
      : [],
  );
  const sets = [...h.dumps.ipsetList, ...h.dumps.ipsetSave].flatMap((l) => l.value.map((s) => s.name));
  return {
    families,
    ipsets:
      sets.length > 0 || h.dumps.ipsetList.length + h.dumps.ipsetSave.length > 0 ? new Set(sets).size : null,
    conntrackEntries: fw.conntrack.size,
    lost: fw.lost,
  };
}

export interface UnusedKind {
  /** The directory (relative to the host's source) and extension: "traces/*.txt". */
  pattern: string;
  note: string;
  count: number;
}

/** Groups unused files by their note, directory and extension, the largest group first. */
export function unusedKinds(
  source: string,
  unused: ReadonlyArray<{ file: string; note: string }>,
): UnusedKind[] {
  const groups = new Map<string, UnusedKind>();
  for (const u of unused) {
    const rel = u.file.startsWith(`${source}/`) ? u.file.slice(source.length + 1) : u.file;
    const slash = rel.lastIndexOf("/");
    const name = rel.slice(slash + 1);
    const dot = name.lastIndexOf(".");
    const pattern = `${slash >= 0 ? rel.slice(0, slash + 1) : ""}*${dot > 0 ? name.slice(dot) : ""}`;
    const id = `${pattern}\u0000${u.note}`;
    const g = groups.get(id);
    if (g) g.count++;
    else groups.set(id, { pattern, note: u.note, count: 1 });
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || (a.pattern < b.pattern ? -1 : 1));
}

export function showView(hosts: readonly Host[]): ShowHost[] {
  return hosts.map((h) => {
    const vsctl = h.dumps.vsctlShow[0]?.value;
    const bridges = h.bridges.map((b): ShowBridge => {
      const perTable = new Map<number, number>();
      for (const f of b.flows?.value.flows ?? []) perTable.set(f.table, (perTable.get(f.table) ?? 0) + 1);
      const vb = vsctl?.bridges.find((x) => x.name === b.name);
      const ports: ShowPort[] = (b.ports?.value.ports ?? []).map((p) => {
        const vp = vb?.ports.find((x) => x.name === p.name);
        const iface = vp?.interfaces.find((i) => i.name === p.name);
        const bits: string[] = [];
        if (vp?.tag !== undefined) bits.push(`tag ${vp.tag}`);
        for (const k of ["peer", "remote_ip", "local_ip", "key", "in_key", "out_key"])
          if (iface?.options.has(k)) bits.push(`${k}=${iface.options.get(k)}`);
        const sp: ShowPort = { ofport: p.ofport, name: p.name };
        if (iface) sp.type = iface.type || "system";
        if (bits.length) sp.details = bits.join(" ");
        return sp;
      });
      const sb: ShowBridge = {
        name: b.name,
        flows: b.flows?.value.flows.length ?? 0,
        flowsPerTable: [...perTable].sort(([a], [c]) => a - c),
        ports,
      };
      if (vb?.failMode) sb.failMode = vb.failMode;
      if (b.flows) sb.flowsFile = b.flows.file;
      return sb;
    });
    const unused = h.files.filter((f) => f.note).map((f) => ({ file: f.file, note: f.note ?? "" }));
    return {
      host: h.name,
      source: h.source,
      // sosreport keeps both `ovs-dpctl show` and `dpctl/show`: the same datapaths twice.
      datapaths: [
        ...new Set(
          h.dumps.dpctlShow.flatMap((d) => d.value.map((dp) => `${dp.name} (${dp.ports.length} ports)`)),
        ),
      ],
      bridges,
      linuxBridges: h.dumps.brctl.flatMap((d) =>
        d.value.map((b) => ({ name: b.name, interfaces: b.interfaces })),
      ),
      files: {
        read: h.files.length - unused.length,
        byContent: h.files.filter((f) => f.by === "content").length,
        unused,
        unusedByKind: unusedKinds(h.source, unused),
      },
      diagnostics: h.diagnostics,
      ...(firewallView(h) ? { firewall: firewallView(h) } : {}),
    };
  });
}
