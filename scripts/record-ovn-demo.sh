#!/usr/bin/env bash
# Records the demo's OVN pair from real OVN 23.03 + OVS 3.1: builds the OVN lab (../shared/ovs-lab/ovn/
# build-ovn-lab, root for its daemons) with scripts/ovn-demo/topology.sh (two chassis, a security group
# that allows SSH and drops HTTP, a QoS meter, a logged drop with a log meter), then keeps
# - fixtures/demo/ovn/: what the demo needs, shipped in the npm package: the central node's and both
#   chassis' sosreport files the OVN readers and the pipeline read (logs, statistics and the OVSDB copy
#   of each chassis left out), and hv1-vm1-rx.pcap (what OVS received from vm1);
# - fixtures/ovn-demo/: the ground truth the tests compare with, not shipped: ofproto/trace + ovn-detrace
#   of each case, ovn-trace, and the pcaps OVS wrote on vm2 and the chassis' NICs.
set -euo pipefail
cd "$(dirname "$0")/.."
builder=${OVN_LAB_BUILDER:-../shared/ovs-lab/ovn/build-ovn-lab}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$builder" "$work/lab" --variant demo --topology scripts/ovn-demo/topology.sh
lab=$work/lab
demo=fixtures/demo/ovn
truth=fixtures/ovn-demo
rm -rf "$demo" "$truth"
mkdir -p "$demo/hosts" "$truth"
for h in central hv1 hv2; do
  cp -r "$lab/$h" "$demo/hosts/$h"
  rm -rf "$demo/hosts/$h/var/log" "$demo/hosts/$h/etc"
  # Run-time statistics and state no reader takes.
  rm -f "$demo/hosts/$h/sos_commands/openvswitch/"ovs-appctl_{coverage.show,upcall.show,dpctl.dump-flows_-m,dpctl.dump-conntrack_-m,dpctl.show_-s}
  rm -f "$demo/hosts/$h/sos_commands/openvswitch/ovs-ofctl_dump-ports_br-int"
  # The same flows as the ovn_host plugin's OpenFlow 1.3 dump, which the loader reads as well.
  rm -f "$demo/hosts/$h/sos_commands/openvswitch/ovs-ofctl_dump-flows_br-int"
done
cp "$lab/captures/hv1-vm1-rx.pcap" "$demo/"
cp -r "$lab/traces" "$lab/ovn-trace" "$lab/BUILD-INFO" "$truth/"
mkdir -p "$truth/captures"
cp "$lab/captures/"{hv2-vm2-tx.pcap,hv1-eth1-tx.pcap,hv2-eth1-rx.pcap,INJECTED.tsv} "$truth/captures/"
echo "$demo: $(du -sk "$demo" | cut -f1) kB; $truth: $(ls "$truth/traces" | grep -c '^[0-9]*-[a-z0-9]*\.txt$') traces"
