#!/usr/bin/env bash
# `make demo`: migrate the embedded SQLite database, load real territory data and the demo data, serve.
# Idempotent: a second run loads nothing twice.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=$(bash scripts/uv.sh)
CONFIG=${OSSERVATORIO_CONFIG:-config/cremona.env}
set -a; source "$CONFIG"; set +a
PORT=${PORT:-8000}
export UV_LINK_MODE=${UV_LINK_MODE:-copy}
"$UV" sync --frozen --quiet
HOST=${HOST:-127.0.0.1}

if ! "$UV" run python - "$HOST" "$PORT" <<'PY'
import socket, sys
s = socket.socket()
try:
    s.bind((sys.argv[1], int(sys.argv[2])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PY
then
  echo "La porta $PORT su $HOST è già in uso: chiuda il programma che la occupa o scelga un'altra porta, ad esempio: make demo PORT=8001" >&2
  echo "Port $PORT on $HOST is busy: stop what uses it or run e.g. make demo PORT=8001" >&2
  exit 2
fi

start=$(date +%s)
"$UV" run osservatorio migrate --no-input -v0
"$UV" run osservatorio demo setup
# Long jobs (uploads, reports) run in a background worker that stops with the demo.
"$UV" run osservatorio db_worker --no-reload --no-startup-delay > "${OSSERVATORIO_VAR_DIR:-var}/worker.log" 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null' EXIT INT TERM
echo "Pronto in $(( $(date +%s) - start )) s. Sito: http://$HOST:$PORT/"
"$UV" run osservatorio runserver "$HOST:$PORT" --noreload
