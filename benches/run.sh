#!/usr/bin/env bash
# Every benchmark in one place: the criterion benches and the whole-process scripts, each reporting its
# figure as a ratio against a baseline measured in the same run. Output goes to the terminal and to
# evals/results/benchmarks.md (date, machine and each benchmark's own report).
#
#   benches/run.sh                     # all of them (the retrieval bench alone takes ~15 min)
#   benches/run.sh guard agent export  # some: guard agent chat_load retrieval llm export memory mcp_tokens
#
# Needs the services scripts/test.sh starts (PostgreSQL for export). `llm` needs LLAMA_SERVER (see
# benches/llm_vs_llama_server.sh) and is skipped without it; `mcp_tokens` needs `pip install bpe-openai`.
set -uo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/picovis-target}"
out=evals/results/benchmarks.md
names=("$@")
[[ ${#names[@]} -eq 0 ]] && names=(guard agent chat_load retrieval llm export memory mcp_tokens)

{
  echo "# Benchmarks, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo); commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
} >"$out"

run() { # name, command...
  local name="$1"
  shift
  printf '\n## %s\n\n`%s`\n\n```\n' "$name" "$*" >>"$out"
  echo "==> $name: $*" >&2
  "$@" 2>&1 | tee -a "$out"
  local status=${PIPESTATUS[0]}
  printf '```\n' >>"$out"
  [[ $status -eq 0 ]] || printf '\n(exit status %s)\n' "$status" >>"$out"
}

for name in "${names[@]}"; do
  case "$name" in
    guard) run guard cargo bench --bench guard ;;
    agent) run agent cargo bench --bench agent ;;
    chat_load) run chat_load cargo bench --bench chat_load --no-default-features ;;
    retrieval) run retrieval cargo bench --bench retrieval --no-default-features ;;
    llm)
      if [[ -n "${LLAMA_SERVER:-}" ]]; then
        run llm bash benches/llm_vs_llama_server.sh
      else
        printf '\n## llm\n\nSkipped: set LLAMA_SERVER to a llama-server binary (see benches/llm_vs_llama_server.sh).\n' >>"$out"
      fi
      ;;
    export) run export bash benches/export.sh ;;
    memory) run memory bash benches/memory.sh ;;
    mcp_tokens) run mcp_tokens python3 benches/mcp_tool_tokens.py ;;
    *) echo "unknown benchmark: $name (guard agent chat_load retrieval llm export memory mcp_tokens)" >&2; exit 2 ;;
  esac
done
echo "==> written $out" >&2
