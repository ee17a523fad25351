#!/usr/bin/env bash
# Memory benchmark for issue 24: peak RSS of Picovis on values far larger than the byte cap (64 MiB, the
# default), one query at a time through `picovis query` and ten at once through `POST /v1/query` on one
# `picovis serve`. Each figure is set against a baseline measured in the same run (`SELECT 1` the same
# way); the goal is a peak within the cap plus 64 MiB above that baseline.
#
# Cases: SQLite `zeroblob(999999999)` and a 60 MB string of control characters (360 MB as JSON), Redis
# MGET of five 100 MB strings, GET of one, LRANGE of a million items, and PostgreSQL `repeat('x', 3e8)`.
#
# Usage: benches/memory.sh
#   BEFORE_BIN=/path/to/older/picovis benches/memory.sh   # also measure an older build, one query and
#                                                         # two at once (its peaks run to gigabytes)
# Needs PostgreSQL (127.0.0.1:5432, user postgres, database test) and Redis (127.0.0.1:6379; uses db 7).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/picovis-target}"
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }

cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/picovis"
WORK=$(mktemp -d)
SERVER_PID=
trap '[[ -n $SERVER_PID ]] && kill $SERVER_PID 2>/dev/null; redis-cli -n 7 FLUSHDB >/dev/null; rm -rf "$WORK"' EXIT

python3 -c "import sqlite3; sqlite3.connect('$WORK/empty.sqlite').execute('CREATE TABLE t (x)')"
redis-cli -n 7 FLUSHDB >/dev/null
python3 - <<'PY'
import socket
def cmd(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out
s = socket.create_connection(("127.0.0.1", 6379))
f = s.makefile("rb")
def send(*args):
    s.sendall(cmd(*args)); f.readline()
send("SELECT", 7)
big = b"x" * (100 << 20)
for i in range(1, 6):
    send("SET", f"big:{i}", big)
for batch in range(100):
    send("RPUSH", "list", *[f"item-{batch * 10000 + i}" for i in range(10000)])
PY

cat > "$WORK/picovis.toml" <<TOML
[sources.lite]
url = "sqlite://$WORK/empty.sqlite"
statement_timeout = "2m"

[sources.cache]
url = "redis://127.0.0.1:6379/7"
statement_timeout = "2m"

[sources.pg]
url = "postgres://postgres@127.0.0.1:5432/test"
statement_timeout = "2m"
TOML

declare -a NAMES SOURCES QUERIES
add() { NAMES+=("$1"); SOURCES+=("$2"); QUERIES+=("$3"); }
add "baseline: SELECT 1 (SQLite)" lite "SELECT 1"
add "SQLite zeroblob(999999999)" lite "SELECT zeroblob(999999999)"
add "SQLite 60 MB of char(1)" lite "SELECT printf('%.*c', 60000000, char(1))"
add "Redis MGET of 5 x 100 MB" cache '{"command": "MGET", "args": ["big:1", "big:2", "big:3", "big:4", "big:5"]}'
add "Redis GET of 100 MB" cache '{"command": "GET", "args": ["big:1"]}'
add "Redis LRANGE of 1M items" cache '{"command": "LRANGE", "args": ["list", "0", "-1"]}'
add "PostgreSQL repeat('x', 3e8)" pg "SELECT repeat('x', 300000000)"

# Peak RSS (KiB) of one `picovis query`.
one() { # bin source query
  /usr/bin/time -f "%M" -o "$WORK/time" "$1" --config "$WORK/picovis.toml" query --source "$2" -o "$WORK/out.json" "$3" \
    >/dev/null 2>"$WORK/err" || true
  cat "$WORK/time"
}

# Peak RSS (KiB) of a fresh `picovis serve` after `n` concurrent POST /v1/query of the same query.
served() { # bin n source query
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$1" --config "$WORK/picovis.toml" --data-dir "$WORK/data" serve --no-ask --bind "127.0.0.1:$port" 2>"$WORK/serve.log" &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  local body
  body=$(python3 -c 'import json, sys; print(json.dumps({"sql": sys.argv[2], "source": sys.argv[1]}))' "$3" "$4")
  local clients=()
  for _ in $(seq 1 "$2"); do
    curl -s -o /dev/null -m 300 -H 'content-type: application/json' -d "$body" "http://127.0.0.1:$port/v1/query" &
    clients+=($!)
  done
  wait "${clients[@]}" || true
  grep VmHWM "/proc/$SERVER_PID/status" | awk '{print $2}'
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}

mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { # peak baseline → met when within cap + 64 MiB above the baseline
  awk -v p="$1" -v b="$2" 'BEGIN { print (p - b <= 128 * 1024) ? "met" : "**not met**" }'
}

declare -a ONE TEN
for i in "${!NAMES[@]}"; do
  ONE[i]=$(one "$BIN" "${SOURCES[i]}" "${QUERIES[i]}")
  TEN[i]=$(served "$BIN" 10 "${SOURCES[i]}" "${QUERIES[i]}")
done

echo "Byte cap 64 MiB (default); goal: peak within cap + 64 MiB (128 MiB) above the baseline measured in the same run."
echo
echo "| case | one query (\`picovis query\`) | vs baseline | ten at once (\`/v1/query\`, server peak) | vs baseline | goal |"
echo "|---|---|---|---|---|---|"
for i in "${!NAMES[@]}"; do
  v1=$(verdict "${ONE[i]}" "${ONE[0]}"); v10=$(verdict "${TEN[i]}" "${TEN[0]}")
  goal="$v1 / $v10"
  [[ $i -eq 0 ]] && goal="(baseline)"
  echo "| ${NAMES[i]} | $(mib "${ONE[i]}") MiB | $(ratio "${ONE[i]}" "${ONE[0]}")x | $(mib "${TEN[i]}") MiB | $(ratio "${TEN[i]}" "${TEN[0]}")x | $goal |"
done

if [[ -n "${BEFORE_BIN:-}" ]]; then
  echo
  echo "The older build (\`$BEFORE_BIN\`), same cases; two at once, as in the issue:"
  echo
  echo "| case | one query | two at once (server peak) | this build's one query, as a fraction |"
  echo "|---|---|---|---|"
  for i in "${!NAMES[@]}"; do
    b1=$(one "$BEFORE_BIN" "${SOURCES[i]}" "${QUERIES[i]}")
    b2=$(served "$BEFORE_BIN" 2 "${SOURCES[i]}" "${QUERIES[i]}")
    echo "| ${NAMES[i]} | $(mib "$b1") MiB | $(mib "$b2") MiB | $(ratio "${ONE[i]}" "$b1")x |"
  done
fi
