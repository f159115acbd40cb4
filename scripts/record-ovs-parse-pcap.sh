#!/usr/bin/env bash
# Records Open vSwitch's own flow extraction (ovs-ofctl parse-pcap runs lib/flow.c's flow_extract on
# every packet) for the Ethernet captures of ../shared/captures/{synthetic,ovs-lab} and of our fixtures,
# as goldens for test/decode/flowkey-ovs.test.ts. Needs openvswitch-switch (ovs-ofctl).
# The tcpdump-derived captures in ../shared/captures/real are not recorded: they are never committed.
set -euo pipefail
cd "$(dirname "$0")/.."
out=fixtures/ovs-parse-pcap
mkdir -p "$out"
for f in ../shared/captures/synthetic/*.pcap ../shared/captures/ovs-lab/*.pcap fixtures/packets/*.pcap; do
  [ -e "$f" ] || continue
  name=$(basename "$f")
  # parse-pcap reads classic pcap and treats every frame as Ethernet whatever the link type, so only
  # Ethernet (link type 1) captures are recorded.
  case "$name" in sll*|raw-ip*) continue ;; esac
  if ! ovs-ofctl parse-pcap "$f" >"$out/$name.txt" 2>/dev/null || [ ! -s "$out/$name.txt" ]; then
    rm -f "$out/$name.txt"
    continue
  fi
  echo "$out/$name.txt: $(wc -l <"$out/$name.txt") flows"
done
