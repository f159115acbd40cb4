#!/usr/bin/env bash
# Checks what a user gets, outside the repository, with only Node: the packed npm tarball installed
# into a temporary prefix (and run through npx), and the standalone executable (`--exe`: built by
# `npm run build:exe` first). Each runs demo --text, decode, trace and replay on the demo data, and must
# print exactly what the repository's own bin/ovspath.js prints, with the same exit status. CI runs it (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
demo="$repo/fixtures/demo"

# The runs compared, one per line: a name and the arguments.
runs() {
  echo "demo demo --text"
  echo "decode decode $demo/compute1-eth1-tx.pcap"
  echo "trace trace $demo/hosts/compute1 br-int in_port=qvo8c2d4e6f-1a,icmp,dl_src=fa:16:3e:11:a1:01,nw_src=192.168.100.11,nw_dst=8.8.8.8"
  echo "replay replay --at compute1:qvo8c2d4e6f-1a $demo/compute1-qvo8c2d4e6f-1a-rx.pcap $demo/hosts"
  # The decoder thread is its own file in the bundle (dist/chunks/replay-decoder-thread.js).
  echo "replay-threads replay --threads 2 --at compute1:qvo8c2d4e6f-1a $demo/compute1-qvo8c2d4e6f-1a-rx.pcap $demo/hosts"
  echo "replay-ovn replay --ovn --at hv1:vm1 $demo/ovn/hv1-vm1-rx.pcap $demo/ovn/hosts"
}

# check LABEL COMMAND...: every run of COMMAND (from an empty directory) against the repository's.
check() {
  local label="$1" name args; shift
  while read -r name args; do
    # The exit status is part of what is compared (replay exits 1 when frames are dropped).
    # shellcheck disable=SC2086 # the arguments above hold no spaces
    (cd "$work/cwd" && "$@" $args) >"$work/got" 2>&1 && echo "exit 0" >>"$work/got" || echo "exit $?" >>"$work/got"
    # shellcheck disable=SC2086
    node "$repo/bin/ovspath.js" $args >"$work/want" 2>&1 && echo "exit 0" >>"$work/want" || echo "exit $?" >>"$work/want"
    # The replay's own timing differs run to run, and demo names its data where it is installed.
    sed -i -E -e 's/replayed in [0-9.]+ s/replayed in T s/' \
      -e 's#[^ (]*/(fixtures/demo|ovspath-demo-[A-Za-z0-9]{6})/#DEMO/#g' "$work/got" "$work/want"
    if ! diff -u "$work/want" "$work/got" >"$work/diff"; then
      echo "check-package: $label $name differs from the repository's:"; head -40 "$work/diff"; exit 1
    fi
    echo "check-package: $label $name: $(wc -l <"$work/got") lines, as the repository prints"
  done < <(runs)
}

mkdir -p "$work/cwd"
npm run build --silent
if [ "${1:-}" = "--exe" ]; then
  check "executable" "$repo/dist-exe/ovspath"
  exit 0
fi

npm pack --silent --pack-destination "$work" >/dev/null
tgz=("$work"/ovspath-*.tgz)
listing="$(tar -tzf "${tgz[0]}" | sort)"
# Only what runs: the launcher, the bundle, the demo data, README, LICENSE, package.json.
if unexpected="$(grep -vE '^package/(bin/ovspath\.js|dist/.*\.js|fixtures/demo/.*|README\.md|LICENSE|package\.json)$' <<<"$listing")"; then
  echo "check-package: the tarball holds files it should not:"; echo "$unexpected"; exit 1
fi
echo "check-package: $(wc -l <<<"$listing") files, $(du -k "${tgz[0]}" | cut -f1) kB packed"
npm install -g --prefix "$work/prefix" --no-audit --no-fund --loglevel=error "${tgz[0]}" >/dev/null
check "installed" "$work/prefix/bin/ovspath"
# As the README says it: npx takes the tarball by a relative path (an absolute one it runs as a command).
(cd "$work" && npx --yes "./$(basename "${tgz[0]}")" decode "$demo/compute1-eth1-tx.pcap" >"$work/npx.out")
cmp -s "$work/npx.out" <(node bin/ovspath.js decode "$demo/compute1-eth1-tx.pcap") || { echo "check-package: npx decode differs"; exit 1; }
echo "check-package: npx decode: as the repository prints"
