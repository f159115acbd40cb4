#!/usr/bin/env bash
# Topology fixtures derived from the shared Neutron labs (real OVS outputs), each with one change:
#   fixtures/hosts/ovsfw        neutron-lab-ovsfw/compute3 as is: OVS-firewall plugging (tap on br-int)
#   fixtures/hosts/mtu-problem  neutron-lab/compute1 with VM tap1a2b3c4d-5e at MTU 1500 (VXLAN needs 1450
#                               on a 1500 underlay)
#   fixtures/hosts/provider     neutron-lab/network: router gateway on a flat provider network via br-ex
# Only the files topology needs are copied. Run from the repository with ../shared beside it.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
lab=${LAB:-$here/../shared/ovs-lab}
copy() { # SRC_HOST DEST
  local src=$1 dst=$here/fixtures/hosts/$2
  rm -rf "$dst"; mkdir -p "$dst/sos_commands/openvswitch" "$dst/sos_commands/networking"
  for f in ovs-vsctl_-t_5_show ovs-vsctl_-t_5_list_interface ovs-appctl_dpif.show \
           ovs-ofctl_show_br-int ovs-ofctl_show_br-tun ovs-ofctl_show_br-ex \
           ovs-ofctl_-O_OpenFlow13_dump-flows_br-int ovs-ofctl_-O_OpenFlow13_dump-flows_br-tun \
           ovs-ofctl_-O_OpenFlow13_dump-flows_br-ex; do
    [ -f "$src/sos_commands/openvswitch/$f" ] && cp "$src/sos_commands/openvswitch/$f" "$dst/sos_commands/openvswitch/"
  done
  for f in ip_-s_-d_link ip_-o_addr brctl_show; do
    [ -f "$src/sos_commands/networking/$f" ] && cp "$src/sos_commands/networking/$f" "$dst/sos_commands/networking/"
  done
  echo "$2" >"$dst/hostname"
}
copy "$lab/neutron-lab-ovsfw/compute3" ovsfw
copy "$lab/neutron-lab/compute1" mtu-problem
sed -i -E 's/^([0-9]+: tap1a2b3c4d-5e: .* mtu )1450 /\11500 /' "$here/fixtures/hosts/mtu-problem/sos_commands/networking/ip_-s_-d_link"
grep -q 'tap1a2b3c4d-5e: .* mtu 1500 ' "$here/fixtures/hosts/mtu-problem/sos_commands/networking/ip_-s_-d_link"
copy "$lab/neutron-lab/network" provider
echo "wrote fixtures/hosts/{ovsfw,mtu-problem,provider}"
