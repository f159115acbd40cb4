#!/usr/bin/env bash
# Records fixtures/ovs-live/native-flood/ from real Open vSwitch: rebuilds the native-tunnel lab
# (../shared/ovs-lab/build-native-lab: root, network namespaces, python3-scapy) with the extra trace
# cases of scripts/native-lab-flood-cases.py, and keeps the network host's dumps and those traces.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 ../shared/ovs-lab/build-native-lab "$work/lab" scripts/native-lab-flood-cases.py "$work/held"
out=fixtures/ovs-live/native-flood
rm -rf "$out"
mkdir -p "$out/traces"
cp -r "$work/lab/network/sos_commands" "$work/lab/network/hostname" "$out/"
for f in "$work/held/network/"*.txt; do cp "$f" "$out/traces/flood-$(basename "$f")"; done
echo "$out: $(ls "$out/traces" | wc -l) traces"
