#!/usr/bin/env bash
# Starts a MongoDB-wire server on 127.0.0.1:${MONGO_PORT:-27017} for the MongoDB connector's tests, with
# authentication on and two users: `picovis_admin` (root, loads test data) and `picovis_ro`
# (readAnyDatabase, what the connector logs in as). Idempotent: does nothing when it already answers.
#
# No real mongod can be installed from the registries these machines reach (Debian, PyPI, npm,
# crates.io). The server is PyPI's SecantusDB (a MongoDB-wire server on WiredTiger, MongoDB's storage
# engine; it reports MongoDB 8.2, wire version 27, and implements SCRAM-SHA-256 and roles). The README
# says what that does and does not prove.
set -euo pipefail
port="${MONGO_PORT:-27017}"
root="${MONGO_HOME:-/var/tmp/picovis-mongo}"
log() { printf '==> %s\n' "$*" >&2; }
py="$root/venv/bin/python"

answers() {
  "$py" - "$port" <<'EOF' 2>/dev/null
import sys, pymongo
pymongo.MongoClient(port=int(sys.argv[1]), serverSelectionTimeoutMS=300).admin.command("ping")
EOF
}

if [ -x "$py" ] && answers; then
  exit 0
fi
mkdir -p "$root"
if ! "$py" -c 'import secantus, pymongo' 2>/dev/null; then
  log "installing the MongoDB-wire test server (PyPI SecantusDB==0.7.0b3)"
  python3 -m venv "$root/venv"
  "$root/venv/bin/pip" install --quiet --disable-pip-version-check 'SecantusDB==0.7.0b3' 'pymongo==4.20.1'
fi
data="$root/data"
start() { # extra flags
  nohup "$root/venv/bin/secantusd-py" --host 127.0.0.1 --port "$port" --storage-path "$data" \
    --standalone --log-level WARNING "$@" >>"$root/server.log" 2>&1 &
  echo $! >"$root/server.pid"
  for _ in $(seq 1 120); do
    if answers; then return 0; fi
    sleep 0.25
  done
  log "the MongoDB-wire server did not come up; see $root/server.log"
  return 1
}
if [ ! -f "$root/users-created" ]; then
  log "creating the test users"
  rm -rf "$data"
  mkdir -p "$data"
  start
  "$py" - "$port" <<'EOF'
import sys, pymongo
admin = pymongo.MongoClient(port=int(sys.argv[1])).admin
admin.command("createUser", "picovis_admin", pwd="picovis_admin", roles=["root"])
admin.command("createUser", "picovis_ro", pwd="picovis_ro", roles=["readAnyDatabase"])
EOF
  kill "$(cat "$root/server.pid")" 2>/dev/null || true
  for _ in $(seq 1 40); do answers || break; sleep 0.25; done
  touch "$root/users-created"
fi
log "starting the MongoDB-wire server (SecantusDB, authentication on) on port $port"
start --auth
