#!/usr/bin/env bash
# `make test`: install what is missing, start a throwaway PostgreSQL, then lint and run the whole suite on
# SQLite and on PostgreSQL, browser tests included (headless Debian Chromium through Playwright).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
UV=$(bash scripts/uv.sh)
export UV_LINK_MODE=${UV_LINK_MODE:-copy}
t0=$(date +%s)

step() { printf '\n== %s (%ss)\n' "$1" "$(( $(date +%s) - t0 ))"; }

step "Python packages"
"$UV" sync --frozen --quiet

step "Debian packages"
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
if ((${#need[@]})); then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
export OSSERVATORIO_CHROMIUM=${OSSERVATORIO_CHROMIUM:-$(command -v chromium)}

step "Lint (ruff) and migrations"
"$UV" run ruff check .
"$UV" run ruff format --check .
TMPVAR=$(mktemp -d)
export OSSERVATORIO_VAR_DIR="$TMPVAR/var"
"$UV" run osservatorio makemigrations --check --dry-run >/dev/null || {
  echo "Models changed without a migration: run 'uv run osservatorio makemigrations'" >&2; exit 1; }

step "PostgreSQL"
PGBIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)")
PGDIR="$TMPVAR/pg"
mkdir -p "$PGDIR"
PGPORT=$("$UV" run python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
as_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
[ "$(id -u)" -eq 0 ] && chown -R postgres "$PGDIR" && chmod 755 "$TMPVAR"
cleanup() {
  as_pg "'$PGBIN/pg_ctl' -D '$PGDIR/data' -m fast stop" >/dev/null 2>&1 || true
  rm -rf "$TMPVAR"
}
trap cleanup EXIT
as_pg "'$PGBIN/initdb' -D '$PGDIR/data' -A trust -U postgres -E UTF8 --locale=C.UTF-8" >/dev/null
as_pg "'$PGBIN/pg_ctl' -D '$PGDIR/data' -o \"-k '$PGDIR' -p $PGPORT -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off\" -l '$PGDIR/log' -w start" >/dev/null
echo "PostgreSQL on 127.0.0.1:$PGPORT"

mkdir -p test-artifacts
status=0
step "Test suite on SQLite"
DATABASE_URL="" "$UV" run pytest -p no:cacheprovider -n 2 --dist loadfile "$@" || status=$?
step "Test suite on PostgreSQL"
DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/osservatorio" \
  "$UV" run pytest -p no:cacheprovider -n 2 --dist loadfile "$@" || status=$?

step "Done"
if [ "$status" -ne 0 ]; then echo "FAILED" >&2; fi
exit "$status"
