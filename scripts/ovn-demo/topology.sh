# The demo's OVN pair, a topology file for the OVN lab builder (build-ovn-lab --topology): one logical
# switch across two chassis, a Neutron-style security group on the server (SSH and ping in, HTTP
# dropped by the default drop ACL), a QoS bandwidth limit (an OpenFlow meter) on the client's port and
# a logged telnet drop whose log is rate-limited by a meter. Sourced by the builder, which defines the
# helpers (nb, ptrace, otrace, inject, lsp_mac, tun_in); scripts/record-ovn-demo.sh runs it.
CHASSIS="hv1:192.168.0.11 hv2:192.168.0.12"
UNDERLAY_PREFIX=24
VMS="hv1:vm1 hv2:vm2"

# PG NAME DIRECTION PRIORITY MATCH ACTION: a named ACL that does not log (acl-add --name turns logging on).
acl() {
  nb -- --id=@a create acl name="$2" direction="$3" priority="$4" match="\"$5\"" action="$6" \
     -- add port_group "$1" acls @a >/dev/null
}

topology() {
  nb ls-add ls1 -- set logical_switch ls1 other_config:subnet=10.0.1.0/24
  local p
  for p in "vm1 fa:16:3e:00:01:01 10.0.1.11" "vm2 fa:16:3e:00:01:02 10.0.1.12"; do set -- $p
    nb lsp-add ls1 "$1" -- lsp-set-addresses "$1" "$2 $3" -- lsp-set-port-security "$1" "$2 $3"
  done
  # Neutron's shape: every port in the drop group, the security groups' port groups allow on top.
  nb pg-add pg_drop vm1 vm2
  nb pg-add pg_client vm1
  nb pg-add pg_server vm2
  nb meter-add acl_log_meter drop 10 pktps
  acl pg_drop default_drop_ingress from-lport 1001 'inport == @pg_drop && ip' drop
  acl pg_drop default_drop_egress to-lport 1001 'outport == @pg_drop && ip' drop
  acl pg_client client_egress from-lport 1002 'inport == @pg_client && ip4' allow-related
  acl pg_server server_egress from-lport 1002 'inport == @pg_server && ip4' allow-related
  acl pg_server server_ssh to-lport 1002 'outport == @pg_server && ip4 && tcp && tcp.dst == 22' allow-related
  acl pg_server server_icmp to-lport 1002 'outport == @pg_server && ip4 && icmp4' allow-related
  nb --log --meter=acl_log_meter --name=server_telnet_log --severity=warning \
    acl-add pg_server to-lport 1003 'outport == @pg_server && ip4 && tcp && tcp.dst == 23' drop
  # A bandwidth limit on what vm1 sends: ls_in_qos_meter's set_meter, an OpenFlow meter on br-int.
  nb qos-add ls1 from-lport 100 'inport == "vm1"' rate=10000 burst=1000
}

traces() {
  local V1 V2
  V1=$(lsp_mac vm1) V2=$(lsp_mac vm2)
  local eth="dl_src=$V1,dl_dst=$V2" ip="nw_src=10.0.1.11,nw_dst=10.0.1.12,nw_ttl=64"
  local ssh="$eth,tcp,$ip,tp_src=40000,tp_dst=22,tcp_flags=0x002"
  local http="$eth,tcp,$ip,tp_src=40001,tp_dst=80,tcp_flags=0x002"
  local telnet="$eth,tcp,$ip,tp_src=40002,tp_dst=23,tcp_flags=0x002"
  local icmp="$eth,icmp,$ip,icmp_type=8,icmp_code=0"
  ptrace hv1 ssh "vm1 -> vm2 TCP 22 SYN leaving hv1 (QoS meter, Geneve to hv2)" br-int "in_port=vm1,$ssh"
  ptrace hv2 ssh "vm1 -> vm2 TCP 22 SYN arriving on hv2: allowed by server_ssh" br-int "$(tun_in hv2 hv1 ls1 vm1 vm2),$ssh"
  ptrace hv1 http "vm1 -> vm2 TCP 80 SYN leaving hv1" br-int "in_port=vm1,$http"
  ptrace hv2 http "vm1 -> vm2 TCP 80 SYN arriving on hv2: dropped by default_drop_egress" br-int "$(tun_in hv2 hv1 ls1 vm1 vm2),$http"
  ptrace hv2 telnet "vm1 -> vm2 TCP 23 SYN arriving on hv2: logged drop (server_telnet_log, log meter)" br-int "$(tun_in hv2 hv1 ls1 vm1 vm2),$telnet"
  ptrace hv2 icmp "vm1 -> vm2 ICMP echo arriving on hv2: allowed by server_icmp" br-int "$(tun_in hv2 hv1 ls1 vm1 vm2),$icmp"
  local m="inport == \"vm1\" && eth.src == $V1 && eth.dst == $V2 && ip4.src == 10.0.1.11 && ip4.dst == 10.0.1.12 && ip.ttl == 64"
  otrace ssh "vm1 -> vm2 TCP 22 SYN" --ct new ls1 "$m && tcp.src == 40000 && tcp.dst == 22 && tcp.flags == 0x002"
  otrace http "vm1 -> vm2 TCP 80 SYN" --ct new ls1 "$m && tcp.src == 40001 && tcp.dst == 80 && tcp.flags == 0x002"
  otrace telnet "vm1 -> vm2 TCP 23 SYN" --ct new ls1 "$m && tcp.src == 40002 && tcp.dst == 23 && tcp.flags == 0x002"
}

traffic() { # what vm1 sends: its rx pcap on hv1 is the demo's capture
  local V1 V2 ip
  V1=$(lsp_mac vm1) V2=$(lsp_mac vm2)
  ip="eth(src=$V1,dst=$V2),eth_type(0x0800),ipv4(src=10.0.1.11,dst=10.0.1.12"
  inject hv1 vm1 "$ip,proto=1,tos=0,ttl=64,frag=no),icmp(type=8,code=0)"
  inject hv1 vm1 "$ip,proto=6,tos=0,ttl=64,frag=no),tcp(src=40000,dst=22),tcp_flags(syn)"
  inject hv1 vm1 "$ip,proto=6,tos=0,ttl=64,frag=no),tcp(src=40001,dst=80),tcp_flags(syn)"
  inject hv1 vm1 "$ip,proto=6,tos=0,ttl=64,frag=no),tcp(src=40002,dst=23),tcp_flags(syn)"
}
