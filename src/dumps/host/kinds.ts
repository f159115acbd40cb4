/**
 * THE table of dump kinds a host can hold: how each is recognised — by its sosreport file name
 * (sosreport mangles a command line: runs of characters other than letters, digits, `-`, `.`, `/`
 * become `_`, then `/` becomes `.`) and, for files named anything (`flows.txt`), by content — and which
 * parser reads it. Kinds marked perBridge take the bridge from the name (or the loader infers it).
 */
import { parseDumpConntrack } from "../appctl/conntrack.js";
import {
  looksLikeDpctlShow,
  looksLikeDpifShow,
  parseDpctlDumpDps,
  parseDpctlShow,
  parseDpifShow,
} from "../appctl/datapath.js";
import { looksLikeDpFlows, parseDpFlows } from "../appctl/dp-flows.js";
import { looksLikeFdbShow, parseFdbShow, parseFdbStatsShow } from "../appctl/fdb.js";
import { parseLabelledLines } from "../appctl/misc.js";
import { parseListTunnels, parseRouteShow, parseTnlArp, parseTnlPorts } from "../appctl/tunnels.js";
import { looksLikeFlowDump, parseFlowDump } from "../flows.js";
import { looksLikeBrctlShow, parseBrctlShow } from "../linux/brctl.js";
import { looksLikeBridgeLink, parseBridgeLink } from "../linux/bridge-link.js";
import { looksLikeIpAddr, parseIpAddr } from "../linux/ip-addr.js";
import { looksLikeIpLink, parseIpLink } from "../linux/ip-link.js";
import { looksLikeConntrackList, parseConntrackList } from "../netfilter/conntrack-list.js";
import {
  looksLikeIpsetList,
  looksLikeIpsetSave,
  parseIpsetList,
  parseIpsetSave,
} from "../netfilter/ipset.js";
import { looksLikeIptablesListing, parseIptablesListing } from "../netfilter/iptables-list.js";
import {
  looksLikeIp6tablesSave,
  looksLikeIptablesSave,
  parseIptablesSave,
} from "../netfilter/iptables-save.js";
import { parseNftRuleset } from "../netfilter/nft.js";
import { parseOfctlDumpGroups } from "../ofctl/groups.js";
import { parseOfctlDumpMeters } from "../ofctl/meters.js";
import { parseOfctlDumpPorts } from "../ofctl/port-stats.js";
import { looksLikeOfctlShow, parseOfctlShow } from "../ofctl/ports.js";
import { looksLikeClusterStatus, parseClusterStatus } from "../ovn/cluster-status.js";
import {
  looksLikeTlvMap,
  parseConnectionStatus,
  parseCtZoneList,
  parseGroupTableList,
  parseTlvMap,
} from "../ovn/controller.js";
import { looksLikeLflowList, parseLflowList } from "../ovn/lflow-list.js";
import { looksLikeOvsdbFile, parseOvsdbFile } from "../ovn/ovsdb-file.js";
import { looksLikeNbctlShow, looksLikeSbctlShow, parseNbctlShow, parseSbctlShow } from "../ovn/show.js";
import { DiagnosticSink, dumpLines, type Parsed } from "../parsed.js";
import { looksLikeVsctlList, parseListBr, parseVsctlGet, parseVsctlList } from "../vsctl/list.js";
import { looksLikeVsctlShow, parseVsctlShow } from "../vsctl/show.js";

export interface KindSpec<T> {
  /** What the user sees in `ovspath show`. */
  title: string;
  /** sosreport-style names; group 1 is the bridge for per-bridge kinds. */
  names: RegExp[];
  /** Recognises the content of a file with any name (its first 4 KiB). */
  sniff?: (head: string) => boolean;
  perBridge: boolean;
  parse: (text: string, file: string) => Parsed<T>;
}

const spec = <T>(s: KindSpec<T>): KindSpec<T> => s;

/** `ovs-ofctl [-O OpenFlow1x] [--names] [--no-stats] CMD BR [--no-stats]` */
const ofctl = (cmd: string) =>
  new RegExp(`^ovs-ofctl(?:_-O_OpenFlow1\\d)?(?:_--names)?(?:_--no-stats)?_${cmd}_(.+?)(?:_--no-stats)?$`);

export const KINDS = {
  flows: spec({
    title: "OpenFlow flows (ovs-ofctl dump-flows)",
    names: [ofctl("dump-flows")],
    sniff: looksLikeFlowDump,
    perBridge: true,
    parse: parseFlowDump,
  }),
  hiddenFlows: spec({
    title: "OpenFlow flows with hidden ones (ovs-appctl bridge/dump-flows)",
    names: [/^ovs-appctl_bridge\.dump-flows(?:_--offload-stats)?_(.+)$/],
    perBridge: true,
    parse: parseFlowDump,
  }),
  ports: spec({
    title: "OpenFlow ports (ovs-ofctl show / dump-ports-desc)",
    names: [ofctl("show"), ofctl("dump-ports-desc")],
    sniff: looksLikeOfctlShow,
    perBridge: true,
    parse: parseOfctlShow,
  }),
  portStats: spec({
    title: "port counters (ovs-ofctl dump-ports)",
    names: [ofctl("dump-ports")],
    sniff: (h) => /^OFPST_PORT reply/.test(h),
    perBridge: true,
    parse: parseOfctlDumpPorts,
  }),
  groups: spec({
    title: "groups (ovs-ofctl dump-groups)",
    names: [ofctl("dump-groups")],
    sniff: (h) => /^(OFPST|NXST)_GROUP_DESC reply/.test(h),
    perBridge: true,
    parse: parseOfctlDumpGroups,
  }),
  meters: spec({
    title: "meters (ovs-ofctl -O OpenFlow13 dump-meters)",
    names: [ofctl("dump-meters")],
    sniff: (h) => /^OFPST_METER_CONFIG reply/.test(h),
    perBridge: true,
    parse: parseOfctlDumpMeters,
  }),
  fdb: spec({
    title: "MAC learning table (ovs-appctl fdb/show)",
    names: [/^ovs-appctl_fdb\.show_(.+)$/],
    sniff: looksLikeFdbShow,
    perBridge: true,
    parse: parseFdbShow,
  }),
  fdbStats: spec({
    title: "MAC table statistics (ovs-appctl fdb/stats-show)",
    names: [/^ovs-appctl_fdb\.stats-show_(.+)$/],
    perBridge: true,
    parse: parseFdbStatsShow,
  }),
  dpFeatures: spec({
    title: "datapath features (ovs-appctl dpif/show-dp-features)",
    names: [/^ovs-appctl_dpif\.show-dp-features_(.+)$/],
    perBridge: true,
    parse: (t: string, f: string) => parseLabelledLines(t, f, "dpif/show-dp-features output"),
  }),
  dpFeaturesRuntime: spec({
    // `ovs-appctl dpif/set-dp-features BRIDGE` with no feature named: each feature's run-time value
    // (what translation uses; set-dp-features can turn one off) beside its boot-time probe, which is all
    // show-dp-features prints.
    title: "datapath features at run time (ovs-appctl dpif/set-dp-features)",
    names: [/^ovs-appctl_dpif\.set-dp-features_(.+)$/],
    perBridge: true,
    parse: (t: string, f: string) => parseLabelledLines(t, f, "dpif/set-dp-features output"),
  }),
  vsctlShow: spec({
    title: "ovs-vsctl show",
    names: [/^ovs-vsctl(?:_-t_\d+)?_show$/],
    sniff: looksLikeVsctlShow,
    perBridge: false,
    parse: parseVsctlShow,
  }),
  vsctlList: spec({
    title: "OVSDB records (ovs-vsctl list)",
    names: [/^ovs-vsctl(?:_-t_\d+)?_list_(\w+)$/],
    sniff: looksLikeVsctlList,
    perBridge: false,
    parse: parseVsctlList,
  }),
  listBr: spec({
    title: "bridge names (ovs-vsctl list-br)",
    names: [/^ovs-vsctl(?:_-t_\d+)?_list-br$/],
    perBridge: false,
    parse: parseListBr,
  }),
  vsctlGet: spec({
    title: "OVSDB value (ovs-vsctl get)",
    names: [/^ovs-vsctl(?:_-t_\d+)?_get_(.+)$/],
    perBridge: false,
    parse: parseVsctlGet,
  }),
  dpctlShow: spec({
    title: "datapaths (ovs-dpctl show)",
    names: [/^ovs-dpctl(?:_-s)?_show$/, /^ovs-appctl_dpctl\.show(?:_-s)?(?:_.+)?$/],
    sniff: looksLikeDpctlShow,
    perBridge: false,
    parse: parseDpctlShow,
  }),
  dumpDps: spec({
    title: "datapath names (dpctl/dump-dps)",
    names: [/^ovs-(?:appctl_dpctl\.|dpctl_)dump-dps$/],
    perBridge: false,
    parse: parseDpctlDumpDps,
  }),
  dpifShow: spec({
    title: "OpenFlow ↔ datapath ports (ovs-appctl dpif/show)",
    names: [/^ovs-appctl_dpif\.show$/],
    sniff: looksLikeDpifShow,
    perBridge: false,
    parse: parseDpifShow,
  }),
  dpFlows: spec({
    title: "datapath flows (dpctl/dump-flows)",
    names: [/^ovs-(?:appctl_dpctl\.|dpctl_)dump-flows(?:_.+)?$/],
    sniff: looksLikeDpFlows,
    perBridge: false,
    parse: parseDpFlows,
  }),
  conntrack: spec({
    title: "conntrack entries (dpctl/dump-conntrack)",
    names: [/^ovs-(?:appctl_dpctl\.|dpctl_)dump-conntrack(?:_.+)?$/],
    sniff: (h) => /^(tcp|udp|icmp|icmpv6|sctp),orig=\(/.test(h),
    perBridge: false,
    parse: parseDumpConntrack,
  }),
  ctStats: spec({
    title: "conntrack statistics (dpctl/ct-stats-show)",
    names: [/^ovs-(?:appctl_dpctl\.|dpctl_)ct-stats-show(?:_.+)?$/],
    perBridge: false,
    parse: (t: string, f: string) => parseLabelledLines(t, f, "ct-stats-show output"),
  }),
  listTunnels: spec({
    title: "tunnel ports (ofproto/list-tunnels)",
    names: [/^ovs-appctl_ofproto\.list-tunnels$/],
    perBridge: false,
    parse: parseListTunnels,
  }),
  tnlPorts: spec({
    title: "tunnel listening ports (tnl/ports/show)",
    names: [/^ovs-appctl_tnl\.ports\.show(?:_-v)?$/],
    sniff: (h) => /^Listening ports:/.test(h),
    perBridge: false,
    parse: parseTnlPorts,
  }),
  tnlArp: spec({
    title: "tunnel neighbours (tnl/arp/show)",
    names: [/^ovs-appctl_tnl\.(?:arp|neigh)\.show$/],
    perBridge: false,
    parse: parseTnlArp,
  }),
  routes: spec({
    title: "OVS routes (ovs/route/show)",
    names: [/^ovs-appctl_ovs\.route\.show$/],
    sniff: (h) => /^Route Table:(\n|$)/.test(h),
    perBridge: false,
    parse: parseRouteShow,
  }),
  upcall: spec({
    title: "upcall handlers (upcall/show)",
    names: [/^ovs-appctl_upcall\.show$/],
    perBridge: false,
    parse: (t: string, f: string) => parseLabelledLines(t, f, "upcall/show output"),
  }),
  coverage: spec({
    title: "coverage counters (coverage/show)",
    names: [/^ovs-appctl_coverage\.show$/],
    perBridge: false,
    parse: (t: string, f: string) => parseLabelledLines(t, f, "coverage/show output"),
  }),
  ipLink: spec({
    title: "Linux links (ip link)",
    names: [/^ip(?:_-[a-z])*_link(?:_show)?$/],
    sniff: looksLikeIpLink,
    perBridge: false,
    parse: parseIpLink,
  }),
  ipAddr: spec({
    title: "Linux addresses (ip address)",
    names: [/^ip(?:_-[a-z0-9])*_(?:addr|address)(?:_show)?$/],
    sniff: looksLikeIpAddr,
    perBridge: false,
    parse: parseIpAddr,
  }),
  brctl: spec({
    title: "Linux bridges (brctl show)",
    names: [/^brctl_show$/],
    sniff: looksLikeBrctlShow,
    perBridge: false,
    parse: parseBrctlShow,
  }),
  bridgeLink: spec({
    title: "Linux bridge ports (bridge link)",
    names: [/^bridge(?:_-[a-z])*_link(?:_show)?$/],
    sniff: looksLikeBridgeLink,
    perBridge: false,
    parse: parseBridgeLink,
  }),
  tlvMap: spec({
    title: "Geneve option ↔ tun_metadata map (ovs-ofctl dump-tlv-map)",
    names: [ofctl("dump-tlv-map")],
    sniff: looksLikeTlvMap,
    perBridge: true,
    parse: parseTlvMap,
  }),
  ovnNbShow: spec({
    title: "OVN logical switches and routers (ovn-nbctl show)",
    names: [/^ovn-nbctl(?:_--no-leader-only)?_show$/],
    sniff: looksLikeNbctlShow,
    perBridge: false,
    parse: parseNbctlShow,
  }),
  ovnSbShow: spec({
    title: "OVN chassis and bindings (ovn-sbctl show)",
    names: [/^ovn-sbctl(?:_--no-leader-only)?_show$/],
    sniff: looksLikeSbctlShow,
    perBridge: false,
    parse: parseSbctlShow,
  }),
  ovnLflows: spec({
    title: "OVN logical flows (ovn-sbctl lflow-list)",
    names: [/^ovn-sbctl(?:_--no-leader-only)?(?:_--uuid)?_lflow-list(?:_--uuid)?$/],
    sniff: looksLikeLflowList,
    perBridge: false,
    parse: parseLflowList,
  }),
  ovnNbList: spec({
    title: "OVN northbound records (ovn-nbctl list)",
    names: [/^ovn-nbctl(?:_--no-leader-only)?(?:_--columns_[\w,]+)?_list_(\w+)$/],
    perBridge: false,
    parse: parseVsctlList,
  }),
  ovnSbList: spec({
    title: "OVN southbound records (ovn-sbctl list)",
    names: [/^ovn-sbctl(?:_--no-leader-only)?(?:_--columns_[\w,]+)?_list_(\w+)$/],
    perBridge: false,
    parse: parseVsctlList,
  }),
  ovnDatabase: spec({
    title: "OVN database file (OVSDB log)",
    names: [/^ovn(?:nb|sb)_db\.db$/],
    sniff: looksLikeOvsdbFile,
    perBridge: false,
    parse: parseOvsdbFile,
  }),
  ovnClusterStatus: spec({
    title: "OVN database raft status (cluster/status)",
    names: [/^ovs-appctl_-t_.+_cluster\.status_OVN_\w+$/, /^ovn-appctl_-t_.+_cluster\.status_OVN_\w+$/],
    sniff: looksLikeClusterStatus,
    perBridge: false,
    parse: parseClusterStatus,
  }),
  ovnNorthd: spec({
    title: "ovn-northd status (status, debug/chassis-features-list)",
    names: [/^ovn-appctl_-t_.*ovn-northd.*_(?:status|debug\.chassis-features-list)$/],
    perBridge: false,
    parse: (t: string, f: string) => parseLabelledLines(t, f, "ovn-northd status output"),
  }),
  ovnControllerStatus: spec({
    title: "ovn-controller connection (connection-status)",
    names: [/^ovn-appctl_-t_.*ovn-controller.*_connection-status$/],
    perBridge: false,
    parse: parseConnectionStatus,
  }),
  ovnCtZones: spec({
    title: "OVN conntrack zones (ovn-controller ct-zone-list)",
    names: [/^ovn-appctl_-t_.*ovn-controller.*_ct-zone-list$/],
    perBridge: false,
    parse: parseCtZoneList,
  }),
  ovnGroupTable: spec({
    title: "OVN groups as ovn-controller made them (group-table-list)",
    names: [/^ovn-appctl_-t_.*ovn-controller.*_group-table-list$/],
    perBridge: false,
    parse: parseGroupTableList,
  }),
  iptablesSave: spec({
    title: "IPv4 firewall rules (iptables-save)",
    names: [/^(?:ip_netns_exec_.+_)?iptables-save(?:_-c)?$/],
    sniff: looksLikeIptablesSave,
    perBridge: false,
    parse: (t: string, f: string) => parseIptablesSave(t, f, "ipv4"),
  }),
  ip6tablesSave: spec({
    title: "IPv6 firewall rules (ip6tables-save)",
    names: [/^(?:ip_netns_exec_.+_)?ip6tables-save(?:_-c)?$/],
    sniff: looksLikeIp6tablesSave,
    perBridge: false,
    parse: (t: string, f: string) => parseIptablesSave(t, f, "ipv6"),
  }),
  // Listings (sosreport's firewall_tables): the table is in the name (`-t raw`), filter without one.
  iptablesList: spec({
    title: "IPv4 firewall listing (iptables -nvL; lossy)",
    names: [/^iptables(?:_-t_(\w+))?_-(?:nvL|vnxL|nvxL|vnL|L_-nv)$/],
    sniff: (h) => looksLikeIptablesListing(h) && !/ ::\/0 /.test(h),
    perBridge: false,
    parse: (t: string, f: string) => parseIptablesListing(t, f, "ipv4", listingTable(f)),
  }),
  ip6tablesList: spec({
    title: "IPv6 firewall listing (ip6tables -nvL; lossy)",
    names: [/^ip6tables(?:_-t_(\w+))?_-(?:nvL|vnxL|nvxL|vnL|L_-nv)$/],
    sniff: (h) => looksLikeIptablesListing(h) && / ::\/0 /.test(h),
    perBridge: false,
    parse: (t: string, f: string) => parseIptablesListing(t, f, "ipv6", listingTable(f)),
  }),
  nftRuleset: spec({
    title: "nftables ruleset (nft list ruleset; iptables-nft tables no iptables dump holds are read back)",
    names: [/^nft_(?:-a_)?list_ruleset$/],
    sniff: (h) => /^table (ip|ip6|inet|bridge|arp|netdev) \S+ \{/.test(h),
    perBridge: false,
    parse: parseNftRuleset,
  }),
  ipsetList: spec({
    title: "ipsets (ipset list)",
    names: [/^ipset_list(?:_-o_plain)?$/],
    sniff: looksLikeIpsetList,
    perBridge: false,
    parse: parseIpsetList,
  }),
  ipsetSave: spec({
    title: "ipsets (ipset save)",
    names: [/^ipset_save$/],
    sniff: looksLikeIpsetSave,
    perBridge: false,
    parse: parseIpsetSave,
  }),
  conntrackList: spec({
    title: "kernel conntrack entries (conntrack -L)",
    // sos's conntrack plugin: the root namespace's, and `ip netns exec NS conntrack -L -o extended` per namespace.
    names: [/^(?:ip_netns_exec_.+_)?conntrack_-L(?:_-o_extended)?$/],
    sniff: looksLikeConntrackList,
    perBridge: false,
    parse: parseConntrackList,
  }),
  hostname: spec({
    title: "host name",
    names: [/^hostname$/],
    perBridge: false,
    parse: (text: string, file: string): Parsed<string> => {
      const sink = new DiagnosticSink(file);
      const lines = dumpLines(text);
      for (const l of lines.slice(1)) sink.unparsed(l, "a host name (one line)");
      return { value: lines[0]?.text.trim() ?? "", diagnostics: sink.diagnostics };
    },
  }),
};

/** The table a listing's file name gives (`iptables_-t_raw_-nvL`), filter when it gives none. */
function listingTable(file: string): string {
  return /_-t_(\w+)_/.exec(file.split("/").pop() ?? "")?.[1] ?? "filter";
}

export type KindName = keyof typeof KINDS;
export type KindValue<K extends KindName> = ReturnType<(typeof KINDS)[K]["parse"]>["value"];

/** Content sniffing order: the most specific first (an ip addr dump also looks like ip link). */
export const SNIFF_ORDER: readonly KindName[] = [
  "ovnDatabase",
  "ovnLflows",
  "ovnNbShow",
  "ovnSbShow",
  "ovnClusterStatus",
  "tlvMap",
  "flows",
  "ports",
  "portStats",
  "groups",
  "vsctlShow",
  "vsctlList",
  "dpctlShow",
  "dpifShow",
  "dpFlows",
  "conntrack",
  "fdb",
  "tnlPorts",
  "routes",
  "brctl",
  "bridgeLink",
  "ip6tablesSave",
  "iptablesSave",
  "ip6tablesList",
  "iptablesList",
  "nftRuleset",
  "ipsetList",
  "ipsetSave",
  "conntrackList",
  "ipAddr",
  "ipLink",
];

export interface Classified {
  kind: KindName;
  /** From the file name (per-bridge kinds), when it says. */
  bridge?: string;
  /** The table of `ovs-vsctl list TABLE`. */
  table?: string;
  /** The OpenFlow version of ovs-ofctl's `-O` option ("1.3"), if any. */
  ofVersion?: string;
  /** How it was recognised. */
  by: "name" | "content";
}

/** Recognises a file by its base name, else by its content; undefined when it is neither. */
export function classify(baseName: string, text: string): Classified | undefined {
  for (const [kind, k] of Object.entries(KINDS) as Array<[KindName, KindSpec<unknown>]>) {
    for (const re of k.names) {
      const m = re.exec(baseName);
      if (!m) continue;
      const c: Classified = { kind, by: "name" };
      if (k.perBridge && m[1]) c.bridge = m[1];
      if (kind === "vsctlList" && m[1]) c.table = m[1].toLowerCase();
      if ((kind === "ovnNbList" || kind === "ovnSbList") && m[1]) c.table = m[1];
      const v = /_-O_OpenFlow1(\d)_/.exec(baseName);
      if (v) c.ofVersion = `1.${v[1]}`;
      return c;
    }
  }
  const head = text.slice(0, 4096);
  for (const kind of SNIFF_ORDER) {
    if ((KINDS[kind] as KindSpec<unknown>).sniff?.(head)) return { kind, by: "content" };
  }
  return undefined;
}
