#!/usr/bin/env bash
# Records the bench's big OVN chassis from real OVN 23.03 + OVS 3.1 into bench-out/ovn-big/ (gitignored,
# tens of MB): the OVN lab builder (../shared/ovs-lab/ovn/build-ovn-lab, root for its daemons) with
# scripts/ovn-big/topology.sh, ~50,000 OpenFlow flows on hv1's br-int, its dumps, ~20 ofproto/trace
# cases with their ovn-detrace, and traces/TIMING.tsv: each case's scripted `ovs-appctl ofproto/trace`
# and `ovn-detrace` timed on the live lab. Size: OVN_BIG_SWITCHES, OVN_BIG_SETS, OVN_BIG_ADDRESSES.
set -euo pipefail
cd "$(dirname "$0")/.."
builder=${OVN_LAB_BUILDER:-../shared/ovs-lab/ovn/build-ovn-lab}
out=${1:-bench-out/ovn-big}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TIMING=$work/TIMING.tsv
"$builder" "$work/lab" --variant big --topology scripts/ovn-big/topology.sh
cp "$TIMING" "$work/lab/traces/TIMING.tsv"
rm -rf "$out"; mkdir -p "$(dirname "$out")"; mv "$work/lab" "$out"
echo "$out: $(grep -c 'table=' "$out/hv1/sos_commands/ovn_host/ovs-ofctl_-O_OpenFlow13_dump-flows_br-int") flows on hv1 br-int"
