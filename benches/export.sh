#!/usr/bin/env bash
# Export benchmark: 1,000,000 rows x 8 columns from the local PostgreSQL to CSV and Parquet with
# `picovis query`, against `psql -c "\copy (...) to ... csv"` run in the same script, plus peak memory at
# 250k and 1M rows to show that memory stays flat as rows grow. Prints a Markdown table of ratios.
#
# Usage: benches/export.sh            (needs PostgreSQL at 127.0.0.1:5432, user postgres, database test)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/picovis-target}"
PSQL="psql -X -q -h 127.0.0.1 -U postgres test"
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }

cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/picovis"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

$PSQL <<'SQL'
CREATE TABLE IF NOT EXISTS picovis_bench_export AS
SELECT g::bigint AS id, (g % 5000)::int AS customer_id, round((g % 997) * 1.37, 2)::numeric(12,2) AS amount,
       (g % 7)::int AS quantity, (g % 1000) / 3.0::float8 AS price,
       (ARRAY['paid','shipped','delivered','refunded'])[1 + g % 4] AS status,
       timestamptz '2024-01-01' + g * interval '17 seconds' AS created_at,
       md5(g::text) AS note
FROM generate_series(1, 1000000) g;
ANALYZE picovis_bench_export;
SQL

cat > "$WORK/picovis.toml" <<TOML
[sources.pg]
url = "postgres://postgres@127.0.0.1:5432/test"
statement_timeout = "10m"
max_rows = 100000000
max_bytes = "100GiB"
TOML

# Prints "seconds peak_kib" for a command.
measure() { /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || { cat "$WORK/err"; exit 1; }; cat "$WORK/time"; }

rows_sql() { echo "SELECT * FROM picovis_bench_export ORDER BY id LIMIT $1"; }

declare -A SEC MEM
for rows in 250000 1000000; do
  read -r s m < <(measure $PSQL -c "\\copy ($(rows_sql $rows)) to '$WORK/psql.csv' csv header")
  SEC[psql_$rows]=$s; MEM[psql_$rows]=$m
  read -r s m < <(measure "$BIN" --config "$WORK/picovis.toml" query -o "$WORK/out.csv" "$(rows_sql $rows)")
  SEC[csv_$rows]=$s; MEM[csv_$rows]=$m
  read -r s m < <(measure "$BIN" --config "$WORK/picovis.toml" query -o "$WORK/out.parquet" "$(rows_sql $rows)")
  SEC[parquet_$rows]=$s; MEM[parquet_$rows]=$m
done
test "$(wc -l < "$WORK/out.csv")" = 1000001 || { echo "CSV export has the wrong row count"; exit 1; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "| export (1M rows x 8 cols) | seconds | vs psql \\copy | peak RSS 250k rows | peak RSS 1M rows | growth |"
echo "|---|---|---|---|---|---|"
for k in psql csv parquet; do
  echo "| $k | ${SEC[${k}_1000000]} | $(ratio "${SEC[${k}_1000000]}" "${SEC[psql_1000000]}")x | $((MEM[${k}_250000] / 1024)) MiB | $((MEM[${k}_1000000] / 1024)) MiB | $(ratio "${MEM[${k}_1000000]}" "${MEM[${k}_250000]}")x |"
done
