"""OpenAI-compatible POST /v1/embeddings over sentence-transformers (torch, CPU), for measuring retrieval with a
model through the bench's BENCH_EMBEDDINGS_URL. Usage: python embed_server.py MODEL_DIR PORT [THREADS]
(with the interpreter of evals/retrieval/reference_setup.sh)."""
import json, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from sentence_transformers import SentenceTransformer
import torch
torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 2)
model = SentenceTransformer(sys.argv[1], device="cpu")
count = [0, 0.0]
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        t = time.time()
        vecs = model.encode(texts, batch_size=32, normalize_embeddings=True)
        count[0] += len(texts); count[1] += time.time() - t
        if count[0] % 2000 < len(texts):
            print(f"{count[0]} texts, {count[0]/count[1]:.1f}/s", flush=True)
        out = {"object": "list", "data": [{"object": "embedding", "index": i, "embedding": v.tolist()} for i, v in enumerate(vecs)], "model": body.get("model")}
        data = json.dumps(out).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json"); self.send_header("Content-Length", str(len(data))); self.end_headers(); self.wfile.write(data)
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), H).serve_forever()
