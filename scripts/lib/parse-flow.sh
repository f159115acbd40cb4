# Sourced by the record-ovs-*.sh scripts: record_parse_flow CASES OUT [ovs-ofctl options...] runs
# `ovs-ofctl parse-flow` on every flow of CASES (blank lines and # comments skipped) and writes to OUT,
# one line per case in order, the printed flow after "ADD ", or "ERROR <ovs-ofctl's message>".
record_parse_flow() {
  local cases=$1 out=$2 flow text added
  shift 2
  : >"$out"
  while IFS= read -r flow; do
    case $flow in '' | '#'*) continue ;; esac
    text=$(ovs-ofctl "$@" parse-flow "$flow" 2>&1) || true
    added=$(printf '%s\n' "$text" | sed -n 's/^[A-Z]*_FLOW_MOD[^:]*: ADD //p')
    if [ -n "$added" ]; then
      printf '%s\n' "$added" >>"$out"
    else
      printf 'ERROR %s\n' "$(printf '%s' "$text" | grep -v '^usable protocols\|^chosen protocol' | tail -n 1)" >>"$out"
    fi
  done <"$cases"
  echo "recorded $(wc -l <"$out") flows in $out ($(ovs-ofctl --version | head -n 1))"
}
