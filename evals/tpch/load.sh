#!/usr/bin/env bash
# Loads the TPC-H eval database: installs tpchgen-cli from PyPI (a pinned version, so the data is the
# same on every machine), generates scale factor 0.01 as CSV and copies it into PostgreSQL database
# picovis_eval_tpch at 127.0.0.1:5432 (user postgres). Re-runnable: it drops and reloads the tables.
set -euo pipefail
cd "$(dirname "$0")"
url="${PICOVIS_TPCH_URL:-postgres://postgres@127.0.0.1:5432}"
db=picovis_eval_tpch
if ! command -v tpchgen-cli >/dev/null 2>&1; then
  pip install --quiet tpchgen-cli==4.0.0 2>/dev/null || pip install --quiet --break-system-packages tpchgen-cli==4.0.0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tpchgen-cli csv -s 0.01 --output-dir="$work" >/dev/null
psql "$url/postgres" -qAtc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 \
  || psql "$url/postgres" -qc "CREATE DATABASE $db"
psql "$url/$db" -q -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -f schema.sql
for table in region nation part supplier partsupp customer orders lineitem; do
  psql "$url/$db" -q -v ON_ERROR_STOP=1 -c "\\copy $table FROM '$work/$table.csv' WITH (FORMAT csv, HEADER true)"
done
psql "$url/$db" -q -c "ANALYZE"
echo "loaded TPC-H SF 0.01 into $db"
