#!/usr/bin/env bash
# Records the bench's big OVN chassis from real OVN 23.03 + OVS 3.1 into bench-out/ovn-big/ (gitignored,
# ~100 MB): the OVN lab builder (../shared/ovs-lab/ovn/build-ovn-lab, root for its daemons) with
# scripts/ovn-big/topology.sh, ~64,000 OpenFlow flows on hv1's br-int, its dumps, 22 ofproto/trace
# cases with their ovn-detrace, and traces/TIMING.tsv: each case's scripted `ovs-appctl ofproto/trace`
# and `ovn-detrace` timed on the live lab. Size: OVN_BIG_SWITCHES, OVN_BIG_SETS, OVN_BIG_ADDRESSES.
# Then packs fixtures/ovn-big/ (< 1 MB, for the conformance test): hosts.tar.xz (the central node and
# hv1, the files the readers take, logs and statistics left out), the traces OVS printed and vm1a's
# frames (the bench replays them).
#   record-ovn-big.sh [OUT]        record into OUT (default bench-out/ovn-big), then pack
#   record-ovn-big.sh --pack OUT   pack an earlier recording only
set -euo pipefail
cd "$(dirname "$0")/.."
fixtures=fixtures/ovn-big

pack() { # OUT: fixtures/ovn-big from a recording
  local out=$1 tmp
  tmp=$(mktemp -d)
  cp -r "$out/central" "$out/hv1" "$tmp/"
  rm -rf "$tmp"/*/var/log "$tmp"/*/etc
  local o=$tmp/hv1/sos_commands/openvswitch
  rm -f "$o/"ovs-appctl_{coverage.show,upcall.show,dpctl.dump-flows_-m,dpctl.dump-conntrack_-m,dpctl.show_-s}
  # The same flows as the ovn_host plugin's OpenFlow 1.3 dump, which the loader reads as well.
  rm -f "$o/ovs-ofctl_dump-ports_br-int" "$o/ovs-ofctl_dump-flows_br-int"
  rm -rf "$fixtures"; mkdir -p "$fixtures/traces"
  tar -C "$tmp" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cJf "$fixtures/hosts.tar.xz" central hv1
  rm -rf "$tmp"
  cp "$out/traces/"[0-9]*-hv1.txt "$out/traces/INDEX.tsv" "$out/traces/TIMING.tsv" "$fixtures/traces/"
  cp "$out/BUILD-INFO" "$out/captures/hv1-vm1a-rx.pcap" "$fixtures/"
  echo "$fixtures: $(du -sk "$fixtures" | cut -f1) kB"
}

if [ "${1:-}" = "--pack" ]; then pack "${2:?record-ovn-big.sh --pack OUT}"; exit 0; fi
builder=${OVN_LAB_BUILDER:-../shared/ovs-lab/ovn/build-ovn-lab}
out=${1:-bench-out/ovn-big}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TIMING=$work/TIMING.tsv
"$builder" "$work/lab" --variant big --topology scripts/ovn-big/topology.sh
cp "$TIMING" "$work/lab/traces/TIMING.tsv"
rm -rf "$out"; mkdir -p "$(dirname "$out")"; mv "$work/lab" "$out"
echo "$out: $(grep -c 'table=' "$out/hv1/sos_commands/ovn_host/ovs-ofctl_-O_OpenFlow13_dump-flows_br-int") flows on hv1 br-int"
pack "$out"
