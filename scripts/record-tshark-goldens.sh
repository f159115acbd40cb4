#!/usr/bin/env bash
# Has real tshark decode our protocol fixtures into goldens (the corpus schema, via the corpus's own
# tshark-layers script in ../shared/captures). Needs tshark and ../shared.
set -euo pipefail
cd "$(dirname "$0")/.."
for f in fixtures/packets/*.pcap; do
  ../shared/captures/tshark-layers "$f" >"$f.jsonl"
  echo "$f.jsonl: $(wc -l <"$f.jsonl") frames"
done
