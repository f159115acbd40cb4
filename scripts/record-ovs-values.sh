#!/usr/bin/env bash
# Records how Open vSwitch reads and prints addresses: every flow of fixtures/values/cases.txt goes
# through `ovs-ofctl parse-flow` (OVS parses it with inet_pton/its own scanners, encodes, decodes and
# prints it with inet_ntop, exactly as dump-flows prints a flow).
# Output: fixtures/values/canonical.txt, one line per case in the order of cases.txt: the printed flow
# after "ADD ", or "ERROR <ovs-ofctl's message>". Needs openvswitch-common (ovs-ofctl); no daemon.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib/parse-flow.sh
. "$here/scripts/lib/parse-flow.sh"
record_parse_flow "$here/fixtures/values/cases.txt" "$here/fixtures/values/canonical.txt"
