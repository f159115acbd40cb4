#!/usr/bin/env bash
# Records the kernel's own verdicts on Neutron-shaped security-group rules (iptables_hybrid driver) into
# fixtures/firewall/: one network namespace plays a compute host with four hybrid-plugged ports (VM end ⇄
# tap… in a qbr… Linux bridge ⇄ qvb… ⇄ qvo…), bridge-nf-call-iptables on, a ruleset laid out as Neutron's
# iptables firewall lays it out, and ipsets for a remote group. record-firewall.py sends frames in both
# directions, captures both sides of each bridge and records, per frame, whether the kernel delivered it
# and which rules' counters moved (iptables-save -c before and after). The dumps are saved under
# sosreport's file names. Needs root, iproute2, iptables (nft backend), ipset, conntrack, nft, python3.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=$here/fixtures/firewall
ns=ovspfw-host1-$$
work=$(mktemp -d)
trap 'ip netns del "$ns" 2>/dev/null || true; rm -rf "$work"' EXIT

ip netns add "$ns"
inns() { ip netns exec "$ns" "$@"; }
# No host IPv6 stack on the test devices: router solicitations and DAD would pollute the captures (the
# bridge still forwards IPv6 frames and br_netfilter still passes them through ip6tables).
inns sysctl -qw net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.all.disable_ipv6=1
inns ip link set lo up

for id in 5f1c0a2e-3b 7a2b3c4d-11 9c0d1e2f-22 b1c2d3e4-33; do
  inns ip link add "qbr$id" type bridge
  inns ip link set "qbr$id" type bridge forward_delay 0 stp_state 0 ageing_time 0
  inns ip link add "tap$id" type veth peer name "vm$id"
  inns ip link add "qvb$id" type veth peer name "qvo$id"
  inns ip link set "tap$id" master "qbr$id"
  inns ip link set "qvb$id" master "qbr$id"
  for d in "qbr$id" "tap$id" "vm$id" "qvb$id" "qvo$id"; do inns ip link set "$d" up; done
done
inns sysctl -qw net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1
sleep 1

rm -rf "$out"
mkdir -p "$out"
inns python3 "$here/scripts/record-firewall.py" "$out" "$work"

sos=$out/host1/sos_commands
mkdir -p "$sos/firewall_tables" "$sos/networking" "$sos/conntrack" "$sos/ipset"
echo compute-fw1 >"$out/host1/hostname"
# sos_commands/firewall_tables: the per-table listings, the -vnxL listings and nft's view of it all.
for t in raw mangle filter; do
  inns iptables -t "$t" -nvL >"$sos/firewall_tables/iptables_-t_${t}_-nvL"
  inns ip6tables -t "$t" -nvL >"$sos/firewall_tables/ip6tables_-t_${t}_-nvL"
done
inns iptables -vnxL >"$sos/firewall_tables/iptables_-vnxL"
inns ip6tables -vnxL >"$sos/firewall_tables/ip6tables_-vnxL"
inns nft -a list ruleset >"$sos/firewall_tables/nft_-a_list_ruleset"
# What operators paste: the saves (with counters), ipset list, conntrack's table.
cp "$work/iptables-save" "$sos/firewall_tables/iptables-save_-c"
cp "$work/ip6tables-save" "$sos/firewall_tables/ip6tables-save_-c"
inns ipset list >"$sos/ipset/ipset_list"
inns ipset save >"$sos/ipset/ipset_save"
inns conntrack -L -o extended >"$sos/conntrack/conntrack_-L_-o_extended" 2>/dev/null
if command -v brctl >/dev/null; then inns brctl show >"$sos/networking/brctl_show"; fi
inns bridge link show >"$sos/networking/bridge_link_show"
inns ip -d link >"$sos/networking/ip_-d_link"
echo "recorded into $out"
