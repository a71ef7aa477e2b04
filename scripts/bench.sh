#!/usr/bin/env bash
# `make bench`: every benchmarks/bench_*.py in turn; each prints its figure beside a baseline measured in
# the same run and appends a JSON line to benchmarks/results/.
set -uo pipefail
cd "$(dirname "$0")/.."
UV=$(bash scripts/uv.sh)
"$UV" sync --frozen --quiet
status=0
for b in benchmarks/bench_*.py; do
  [ -e "$b" ] || continue
  echo "== $b"
  "$UV" run python "$b" || { echo "FAILED: $b" >&2; status=1; }
done
exit $status
