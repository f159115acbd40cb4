#!/usr/bin/env bash
# Records Open vSwitch's own canonical text for every flow of fixtures/actions/cases.txt:
# `ovs-ofctl -O OpenFlow10|OpenFlow13 parse-flow` parses the flow, encodes it as an OpenFlow message,
# decodes it and prints it, which is exactly what dump-flows would print for that flow.
# Output: fixtures/actions/canonical-of10.txt and canonical-of13.txt, one line per case, in the
# order of cases.txt: the printed flow after "ADD ", or "ERROR <ovs-ofctl's message>".
# Needs openvswitch-common (ovs-ofctl); no daemon.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dir=$here/fixtures/actions
for ver in 10 13; do
  out=$dir/canonical-of$ver.txt
  : >"$out"
  while IFS= read -r flow; do
    case $flow in '' | '#'*) continue ;; esac
    text=$(ovs-ofctl -O "OpenFlow$ver" parse-flow "$flow" 2>&1) || true
    added=$(printf '%s\n' "$text" | sed -n 's/^[A-Z]*_FLOW_MOD[^:]*: ADD //p')
    if [ -n "$added" ]; then
      printf '%s\n' "$added" >>"$out"
    else
      printf 'ERROR %s\n' "$(printf '%s' "$text" | grep -v '^usable protocols\|^chosen protocol' | tail -n 1)" >>"$out"
    fi
  done <"$dir/cases.txt"
  echo "recorded $(wc -l <"$out") flows in $out ($(ovs-ofctl --version | head -n 1))"
done
