#!/usr/bin/env python3
# Python reference embedder for benchmarking the Rust in-process embedder (all-MiniLM-L6-v2, or
# all-mpnet-base-v2 when MODEL_DIR holds it): the real sentence-transformers library on torch (CPU, fp32,
# all threads), mean pooling over the attention mask + L2 normalisation, truncation at 256 tokens (384 for
# MPNet), batches of 32 (encode() sorts texts by length before
# batching, so padding is minimal; output order is the input order).
#
# Setup (idempotent): sh evals/retrieval/reference_setup.sh -- creates the venv /var/tmp/picovis-reference/venv
#   (sentence-transformers==6.2.0, torch==2.15.0, transformers==5.24.0 from plain PyPI, all pins in
#   requirements.lock there; torch pulls ~3 GB of CUDA wheels, unused) and the model dir .../st-model.
# Usage: /var/tmp/picovis-reference/venv/bin/python reference_embed.py MODEL_DIR INPUT_JSON OUTPUT_JSON
#   MODEL_DIR: a sentence-transformers dir (/var/tmp/picovis-reference/st-model), or a plain dir holding
#   config.json, tokenizer.json and model.safetensors (the same pipeline is then assembled here).
#   INPUT_JSON: a JSON list of strings. Only the embedding of all texts is timed (not loading, not warm-up).
import json, os, sys, time, warnings

warnings.simplefilter("ignore")
import torch, transformers, sentence_transformers
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

model_dir, in_path, out_path = sys.argv[1:4]
threads = os.cpu_count()
torch.set_num_threads(threads)

config = json.load(open(os.path.join(model_dir, "config.json")))
# sentence-transformers' max_seq_length for all-MiniLM-L6-v2 (256) and all-mpnet-base-v2 (384)
max_tokens = 384 if config.get("model_type") == "mpnet" else 256
if os.path.exists(os.path.join(model_dir, "modules.json")):
    model = SentenceTransformer(model_dir, device="cpu", local_files_only=True)
else:
    model = SentenceTransformer(device="cpu", modules=[
        Transformer(model_dir, max_seq_length=max_tokens), Pooling(config["hidden_size"], "mean"), Normalize()])
model.max_seq_length = max_tokens
model.eval()

texts = json.load(open(in_path, encoding="utf-8"))
model.encode(texts[:8], batch_size=32)  # warm-up
t0 = time.perf_counter()
emb = model.encode(texts, batch_size=32, convert_to_numpy=True, normalize_embeddings=True)
seconds = time.perf_counter() - t0

json.dump({
    "implementation": f"sentence-transformers {sentence_transformers.__version__} / torch {torch.__version__}"
                      f" / transformers {transformers.__version__}",
    "threads": threads, "texts": len(texts), "seconds": seconds,
    "embeddings": emb.astype(float).tolist(),
}, open(out_path, "w"))
print(f"{len(texts)} texts in {seconds:.3f}s ({len(texts) / seconds:.1f} texts/s, {threads} threads)", file=sys.stderr)
