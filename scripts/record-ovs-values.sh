#!/usr/bin/env bash
# Records how Open vSwitch reads and prints addresses: every flow of fixtures/values/cases.txt goes
# through `ovs-ofctl parse-flow` (OVS parses it with inet_pton/its own scanners, encodes, decodes and
# prints it with inet_ntop, exactly as dump-flows prints a flow).
# Output: fixtures/values/canonical.txt, one line per case in the order of cases.txt: the printed flow
# after "ADD ", or "ERROR <ovs-ofctl's message>". Needs openvswitch-common (ovs-ofctl); no daemon.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dir=$here/fixtures/values
out=$dir/canonical.txt
: >"$out"
while IFS= read -r flow; do
  case $flow in '' | '#'*) continue ;; esac
  text=$(ovs-ofctl parse-flow "$flow" 2>&1) || true
  added=$(printf '%s\n' "$text" | sed -n 's/^[A-Z]*_FLOW_MOD[^:]*: ADD //p')
  if [ -n "$added" ]; then
    printf '%s\n' "$added" >>"$out"
  else
    printf 'ERROR %s\n' "$(printf '%s' "$text" | grep -v '^usable protocols\|^chosen protocol' | tail -n 1)" >>"$out"
  fi
done <"$dir/cases.txt"
echo "recorded $(wc -l <"$out") flows in $out ($(ovs-ofctl --version | head -n 1))"
