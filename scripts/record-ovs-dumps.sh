#!/usr/bin/env bash
# Records real Open vSwitch outputs into fixtures/hosts/linux-host/ as a sosreport-style directory
# (sos_commands/openvswitch and sos_commands/networking, named as sosreport names them): a userspace
# OVS whose bridge uses the netdev datapath with real kernel (system) ports — veth pairs in a network
# namespace — so that, as on a real host, system ports have no type; plus what the Neutron labs lack:
# non-empty groups (all/select/fast_failover, OpenFlow 1.1+), meters-free learn/ct/conjunction flows
# added over OpenFlow 1.3, and datapath flows after real traffic.
# Needs root, openvswitch-switch and iproute2. Run from anywhere; rewrites the fixture directory.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
sandbox=${OVS_SANDBOX:-$here/../shared/ovs-lab/ovs-sandbox}
out=$here/fixtures/hosts/linux-host
ns=ovspath-rec-$$
dir=$(mktemp -d)
trap 'OVS_SANDBOX_NETNS=$ns "$sandbox" stop "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT

OVS_SANDBOX_NETNS=$ns "$sandbox" start "$dir"
eval "$("$sandbox" env "$dir")"
inns() { ip netns exec "$ns" "$@"; }
inns ip link add eth1 type veth peer name eth1-peer
inns ip link add tap0 type veth peer name vm0
inns ip link set eth1 up; inns ip link set eth1-peer up; inns ip link set tap0 up; inns ip link set vm0 up
inns ip link set eth1 mtu 9000
inns ip link add qbr0 type bridge; inns ip link set qbr0 up
inns ip link add qvb0 type veth peer name qvo0
inns ip link set qvb0 master qbr0; inns ip link set qvb0 up; inns ip link set qvo0 up
inns ip addr add 10.0.0.31/24 dev eth1-peer

ovs-vsctl add-br br-int -- set bridge br-int datapath_type=netdev fail_mode=secure \
  -- add-port br-int tap0 -- set interface tap0 ofport_request=5 \
     external_ids:iface-id=5f1c0a2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b external_ids:attached-mac=fa:16:3e:aa:bb:01 \
     external_ids:iface-status=active external_ids:vm-uuid=0d7e1c22-1111-4222-8333-944455556666 \
  -- set port tap0 tag=3 \
  -- add-port br-int qvo0 -- set interface qvo0 ofport_request=6 -- set port qvo0 tag=4 \
  -- add-port br-int patch-tun -- set interface patch-tun type=patch options:peer=patch-int ofport_request=1
ovs-vsctl add-br br-tun -- set bridge br-tun datapath_type=netdev fail_mode=secure \
  -- add-port br-tun patch-int -- set interface patch-int type=patch options:peer=patch-tun ofport_request=1 \
  -- add-port br-tun vxlan-0a000020 -- set interface vxlan-0a000020 type=vxlan ofport_request=2 \
     options:remote_ip=10.0.0.32 options:local_ip=10.0.0.31 options:in_key=flow options:out_key=flow
ovs-vsctl add-br br-ex -- set bridge br-ex datapath_type=netdev -- add-port br-ex eth1

of13() { ovs-ofctl -O OpenFlow13 "$@"; }
of13 add-group br-int 'group_id=1,type=all,bucket=output:5,bucket=output:6'
of13 add-group br-int 'group_id=2,type=select,bucket=weight:100,actions=output:5,bucket=weight:50,actions=output:6'
of13 add-group br-int 'group_id=3,type=fast_failover,bucket=watch_port:5,actions=output:5,bucket=watch_port:6,actions=output:6'
of13 add-flows br-int - <<'FLOWS'
table=0,priority=100,in_port=5,dl_src=fa:16:3e:aa:bb:01,actions=set_field:0x5->reg5,set_field:0x3->reg6,goto_table:60
table=0,priority=10,in_port=6,actions=push_vlan:0x8100,set_field:4100->vlan_vid,goto_table:60
table=0,priority=1,actions=drop
table=60,priority=100,ip,reg5=0x5,actions=ct(table=72,zone=NXM_NX_REG6[0..15])
table=60,priority=90,arp,actions=group:1
table=60,priority=1,actions=NORMAL
table=72,priority=70,ct_state=+est-rel-rpl,ip,actions=resubmit(,73)
table=72,priority=70,ct_state=+new-est,tcp,reg5=0x5,tp_dst=22,actions=conjunction(7,1/2)
table=72,priority=70,ct_state=+new-est,ip,reg5=0x5,nw_src=10.0.1.0/24,actions=conjunction(7,2/2)
table=72,priority=70,conj_id=7,ct_state=+new-est,ip,reg5=0x5,actions=ct(commit,zone=NXM_NX_REG6[0..15],exec(set_field:0x7->ct_mark)),resubmit(,73)
table=72,priority=50,ct_state=+inv+trk,actions=drop
table=72,priority=0,actions=drop
table=73,priority=100,reg5=0x5,actions=output:5
table=73,priority=1,actions=group:2
FLOWS
of13 add-flows br-tun - <<'FLOWS'
table=0,priority=1,in_port=1,actions=goto_table:2
table=0,priority=1,in_port=2,actions=goto_table:4
table=0,priority=0,actions=drop
table=2,priority=0,dl_dst=00:00:00:00:00:00/01:00:00:00:00:00,actions=goto_table:20
table=2,priority=0,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=goto_table:22
table=4,priority=1,tun_id=0x64,actions=push_vlan:0x8100,set_field:4099->vlan_vid,goto_table:10
table=4,priority=0,actions=drop
table=10,priority=1,actions=learn(table=20,hard_timeout=300,priority=1,cookie=0x1,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],output:OXM_OF_IN_PORT[]),output:1
table=20,priority=0,actions=goto_table:22
table=22,priority=1,dl_vlan=3,actions=pop_vlan,set_field:0x64->tun_id,output:2
table=22,priority=0,actions=drop
FLOWS
ovs-ofctl add-flow br-ex actions=NORMAL

# Real traffic through the netdev datapath (AF_PACKET on the veths) to fill counters and the dp cache.
inns ping -c 2 -W 1 -I vm0 10.0.0.99 >/dev/null 2>&1 || true
inns ping -c 2 -W 1 -I eth1-peer 10.0.0.99 >/dev/null 2>&1 || true
sleep 1

rm -rf "$out"; mkdir -p "$out/sos_commands/openvswitch" "$out/sos_commands/networking"
echo linux-host >"$out/hostname"
# sosreport's _mangle_command: runs of characters other than [A-Za-z0-9./-] become _, then / becomes .
mangle() { printf '%s' "$*" | sed -E 's/[^A-Za-z0-9./-]+/_/g; s/\//./g'; }
rec() { local d=$1; shift; "$@" >"$out/sos_commands/$d/$(mangle "$*")" 2>&1 || true; }
rec openvswitch ovs-vsctl -t 5 show
for t in bridge port interface; do rec openvswitch ovs-vsctl -t 5 list "$t"; done
rec openvswitch ovs-vsctl -t 5 list-br
for br in br-int br-tun br-ex; do
  rec openvswitch ovs-ofctl dump-flows "$br"
  rec openvswitch ovs-ofctl -O OpenFlow13 dump-flows "$br"
  rec openvswitch ovs-ofctl show "$br"
  rec openvswitch ovs-ofctl -O OpenFlow13 show "$br"
  rec openvswitch ovs-ofctl dump-ports "$br"
  rec openvswitch ovs-ofctl dump-ports-desc "$br"
  rec openvswitch ovs-ofctl -O OpenFlow13 dump-groups "$br"
  rec openvswitch ovs-appctl fdb/show "$br"
  rec openvswitch ovs-appctl bridge/dump-flows "$br"
done
rec openvswitch ovs-ofctl --names dump-flows br-int
rec openvswitch ovs-ofctl -O OpenFlow15 dump-groups br-int
rec openvswitch ovs-appctl dpctl/show -s
rec openvswitch ovs-appctl dpif/show
rec openvswitch ovs-appctl dpctl/dump-flows -m
rec openvswitch ovs-appctl ofproto/list-tunnels
inns ip -s -d link >"$out/sos_commands/networking/ip_-s_-d_link"
inns ip -d address >"$out/sos_commands/networking/ip_-d_address"
inns ip -o link >"$out/sos_commands/networking/ip_-o_link"
inns ip -o addr >"$out/sos_commands/networking/ip_-o_addr"
inns bridge -d link show >"$out/sos_commands/networking/bridge_-d_link_show"
echo "recorded $(find "$out" -type f | wc -l) files in $out ($(ovs-vswitchd --version | head -n 1))"
