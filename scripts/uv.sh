#!/usr/bin/env bash
# Prints the path of uv, installing it from PyPI (pinned) when the machine does not have it.
set -euo pipefail
UV_VERSION=0.13.9
find_uv() {
  command -v uv 2>/dev/null && return 0
  for c in "$HOME/.local/bin/uv" "$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))' 2>/dev/null)/uv"; do
    [ -x "$c" ] && { echo "$c"; return 0; }
  done
  return 1
}
if ! find_uv; then
  echo "uv non trovato: lo installo da PyPI (uv==$UV_VERSION)" >&2
  python3 -m pip install --quiet --user "uv==$UV_VERSION" >&2 2>/dev/null \
    || python3 -m pip install --quiet "uv==$UV_VERSION" >&2
  find_uv || { echo "Installazione di uv non riuscita: installi uv a mano (pip install uv) e riprovi" >&2; exit 1; }
fi
