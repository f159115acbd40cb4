# Extra trace cases for ../shared/ovs-lab/build-native-lab (its HELDOUT_CASES.py argument), recorded by
# scripts/record-native-flood.sh: the network host floods broadcasts from its DHCP and router ports,
# reaching a trunk (patch) port with the local VLAN tag and native tunnels in one datapath action list.
def cases(T, env):
    P, F = env['P'], env['F']
    for key in ('dhcp-a', 'dhcp-b', 'qr-a', 'qr-b'):
        p = P[key]
        T('network', 1, 'br-int', F(in_port=p['dev'], arp=True, dl_src=p['mac'], dl_dst='ff:ff:ff:ff:ff:ff',
                                    arp_spa=p['ip'], arp_tpa='192.168.100.9', arp_op=1, arp_sha=p['mac']))
        T('network', 1, 'br-int', F(in_port=p['dev'], udp=True, dl_src=p['mac'], dl_dst='ff:ff:ff:ff:ff:ff',
                                    nw_src=p['ip'], nw_dst='255.255.255.255', nw_ttl=64, tp_src=67, tp_dst=68))
