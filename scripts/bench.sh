#!/usr/bin/env bash
# `make bench`: every benchmarks/bench_*.py in turn; each prints its figure beside a baseline measured in
# the same run and appends a JSON line to benchmarks/results/.
set -uo pipefail
cd "$(dirname "$0")/.."
UV=$(bash scripts/uv.sh)
"$UV" sync --frozen --quiet
# wrk drives the web load test from a second process (loopback only); Chromium times the map page.
need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if ((${#need[@]})); then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null \
    || echo "apt-get non disponibile: i benchmark che richiedono ${need[*]} useranno alternative o si fermeranno" >&2
fi
status=0
for b in benchmarks/bench_*.py; do
  [ -e "$b" ] || continue
  echo "== $b"
  "$UV" run python "$b" || { echo "FAILED: $b" >&2; status=1; }
done
exit $status
