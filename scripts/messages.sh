#!/usr/bin/env bash
# `make messages`: refresh each app's English catalogue from the Italian source strings and compile it.
# Needs GNU gettext (Debian package gettext); the compiled .mo is committed so that `make demo` does not.
# Run app by app: each app keeps its own locale/ (django-admin run at the package root finds none for the
# files outside the apps, such as osservatorio/__init__.py, and stops).
set -euo pipefail
cd "$(dirname "$0")/../src/osservatorio"
UV=$(bash ../../scripts/uv.sh)
command -v msgfmt >/dev/null || { echo "Serve GNU gettext: apt-get install gettext" >&2; exit 1; }
for locale in */locale; do
  app=${locale%/locale}
  (
    cd "$app"
    "$UV" run django-admin makemessages -l en --ignore 'static/*' --no-obsolete >/dev/null
    "$UV" run django-admin makemessages -d djangojs -l en --ignore 'static/*/vendor/*' --ignore 'static/vendor/*' >/dev/null 2>&1 || true
    "$UV" run django-admin compilemessages -l en >/dev/null
  )
  echo "$app: $(grep -c '^msgid' "$locale/en/LC_MESSAGES/django.po") messaggi"
done
