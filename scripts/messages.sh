#!/usr/bin/env bash
# `make messages`: refresh the English catalogue from the Italian source strings and compile it.
# Needs GNU gettext (Debian package gettext); the compiled .mo is committed so that `make demo` does not.
set -euo pipefail
cd "$(dirname "$0")/../src/osservatorio"
UV=$(bash ../../scripts/uv.sh)
command -v msgfmt >/dev/null || { echo "Serve GNU gettext: apt-get install gettext" >&2; exit 1; }
"$UV" run django-admin makemessages -l en --ignore 'core/static/*' --ignore '*/static/*/vendor/*' --no-obsolete
"$UV" run django-admin makemessages -d djangojs -l en --ignore 'core/static/vendor/*' --ignore '*/vendor/*' || true
"$UV" run django-admin compilemessages -l en
