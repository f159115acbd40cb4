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
# shellcheck source=lib/parse-flow.sh
. "$here/scripts/lib/parse-flow.sh"
for ver in 10 13; do
  record_parse_flow "$dir/cases.txt" "$dir/canonical-of$ver.txt" -O "OpenFlow$ver"
done
