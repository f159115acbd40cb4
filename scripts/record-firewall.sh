#!/usr/bin/env bash
# Records the kernel's own verdicts on Neutron-shaped security-group rules (iptables_hybrid driver) into
# fixtures/firewall/: one network namespace plays a compute host with four hybrid-plugged ports (VM end ⇄
# tap… in a qbr… Linux bridge ⇄ qvb… ⇄ qvo…), bridge-nf-call-iptables on, a ruleset laid out as Neutron's
# iptables firewall lays it out, and ipsets for a remote group. record-firewall.py sends frames in both
# directions, captures both sides of each bridge and records, per frame, whether the kernel delivered it,
# which rules' counters moved (iptables-save -c before and after) and the kernel's rule trace
# (nft monitor trace: every rule the frame matched, in order, with its verdict). The dumps are saved under
# sosreport's file names. A second namespace records the demo host's security groups (vm2 → vm1: SSH
# allowed, HTTP dropped) into fixtures/demo. Needs root, iproute2, iptables (nft backend), ipset, conntrack, nft, python3.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=$here/fixtures/firewall
work=$(mktemp -d)
namespaces=()
trap 'for n in "${namespaces[@]}"; do ip netns del "$n" 2>/dev/null || true; done; rm -rf "$work"' EXIT

# A namespace playing a compute host with hybrid-plugged ports (the first 11 characters of each id);
# with "br-int", the qvo ends are joined by a Linux bridge standing for br-int (frames VM to VM).
make_host() {
  local ns=$1 brint=$2
  shift 2
  ip netns add "$ns"
  namespaces+=("$ns")
  # No host IPv6 stack on the test devices: router solicitations and DAD would pollute the captures
  # (the bridge still forwards IPv6 frames and br_netfilter still passes them through ip6tables).
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.all.disable_ipv6=1
  ip netns exec "$ns" ip link set lo up
  [ "$brint" = br-int ] && ip netns exec "$ns" ip link add br-int type bridge
  for id in "$@"; do
    ip netns exec "$ns" ip link add "qbr$id" type bridge
    ip netns exec "$ns" ip link set "qbr$id" type bridge forward_delay 0 stp_state 0 ageing_time 0
    ip netns exec "$ns" ip link add "tap$id" type veth peer name "vm$id"
    ip netns exec "$ns" ip link add "qvb$id" type veth peer name "qvo$id"
    ip netns exec "$ns" ip link set "tap$id" master "qbr$id"
    ip netns exec "$ns" ip link set "qvb$id" master "qbr$id"
    [ "$brint" = br-int ] && ip netns exec "$ns" ip link set "qvo$id" master br-int
    for d in "qbr$id" "tap$id" "vm$id" "qvb$id" "qvo$id"; do ip netns exec "$ns" ip link set "$d" up; done
  done
  [ "$brint" = br-int ] && ip netns exec "$ns" ip link set br-int up
  ip netns exec "$ns" sysctl -qw net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1
  sleep 1
}

rm -rf "$out"
mkdir -p "$out"

# The demo host's five hybrid ports (fixtures/demo/hosts/compute1): vm2 talks to vm1, whose group allows SSH only.
demo=ovspfw-demo-$$
make_host "$demo" br-int 8c2d4e6f-1a 9d3e5f70-2b ae4f6071-3c bf507182-4d c0618293-5e
mkdir -p "$work/demo"
ip netns exec "$demo" python3 "$here/scripts/record-firewall.py" "$work/demo" "$work/demo" demo
cp "$work/demo/frames.json" "$out/demo-frames.json"
cp "$work/demo/tap9d3e5f70-2b.pcap" "$here/fixtures/demo/compute1-tap9d3e5f70-2b-rx.pcap"
demo_fw=$here/fixtures/demo/hosts/compute1/sos_commands/firewall_tables
mkdir -p "$demo_fw"
cp "$work/demo/iptables-save" "$demo_fw/iptables-save_-c"
cp "$work/demo/ip6tables-save" "$demo_fw/ip6tables-save_-c"

ns=ovspfw-host1-$$
make_host "$ns" none 5f1c0a2e-3b 7a2b3c4d-11 9c0d1e2f-22 b1c2d3e4-33
inns() { ip netns exec "$ns" "$@"; }
inns python3 "$here/scripts/record-firewall.py" "$out" "$work" lab

sos=$out/host1/sos_commands
mkdir -p "$sos/firewall_tables" "$sos/networking" "$sos/conntrack"
echo compute-fw1 >"$out/host1/hostname"
# sos_commands/firewall_tables, in sos's order: nft's view of it all first (sos lists the iptables tables
# nft shows), then the per-table listings and the -vnxL listings.
inns nft -a list ruleset >"$sos/firewall_tables/nft_-a_list_ruleset"
for t in raw mangle filter; do
  inns iptables -t "$t" -nvL >"$sos/firewall_tables/iptables_-t_${t}_-nvL"
  inns ip6tables -t "$t" -nvL >"$sos/firewall_tables/ip6tables_-t_${t}_-nvL"
done
inns iptables -vnxL >"$sos/firewall_tables/iptables_-vnxL"
inns ip6tables -vnxL >"$sos/firewall_tables/ip6tables_-vnxL"
# What operators paste: the saves (with counters), ipset list, conntrack's table.
cp "$work/iptables-save" "$sos/firewall_tables/iptables-save_-c"
cp "$work/ip6tables-save" "$sos/firewall_tables/ip6tables-save_-c"
# sosreport does not collect ipsets: they sit beside sos_commands, as pasted by an operator.
inns ipset list >"$out/host1/ipset_list"
inns ipset save >"$out/host1/ipset_save"
inns conntrack -L -o extended >"$sos/conntrack/conntrack_-L_-o_extended" 2>/dev/null
if command -v brctl >/dev/null; then inns brctl show >"$sos/networking/brctl_show"; fi
inns bridge link show >"$sos/networking/bridge_link_show"
inns ip -d link >"$sos/networking/ip_-d_link"
# An iptables-nft host's sosreport: /proc/net/ip_tables_names is empty there, so sos lists no table with
# -t, only nft's ruleset and the filter table's -vnxL listings (the same ruleset, recorded above).
nftsos=$out/host1-nft/sos_commands/firewall_tables
mkdir -p "$nftsos"
echo compute-fw1 >"$out/host1-nft/hostname"
for f in nft_-a_list_ruleset iptables_-vnxL ip6tables_-vnxL; do cp "$sos/firewall_tables/$f" "$nftsos/$f"; done
echo "recorded into $out"
