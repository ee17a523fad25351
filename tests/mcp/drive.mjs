// Drives Picovis's MCP server with the official TypeScript SDK client, so the tests exercise a real
// client's handshake, framing and validation rather than hand-written JSON.
//
// Usage: node drive.mjs PLAN.json
// A plan names a transport and a list of steps; the script prints one JSON document with the server's
// identity and each step's outcome ({ok: true, value} or {ok: false, error: {code, message}}).
//
// transport: {"kind": "stdio", "command": "...", "args": [...], "env": {...}, "cwd": "..."}
//          | {"kind": "http", "url": "http://127.0.0.1:PORT/mcp", "headers": {...}}
// steps:     {"op": "listTools"} | {"op": "callTool", "name": "...", "arguments": {...}, "progress": true}
//          | {"op": "listResources", "cursor": "..."} | {"op": "listResourceTemplates"}
//          | {"op": "readResource", "uri": "..."} | {"op": "listPrompts"}
//          | {"op": "getPrompt", "name": "...", "arguments": {...}} | {"op": "ping"}
//          | {"op": "abandonCall", "name": "...", "arguments": {...}, "afterMs": 300}
//            (starts a call and closes the connection while it runs, as a client that goes away)
import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const plan = JSON.parse(readFileSync(process.argv[2], "utf8"));

function transportFor(spec) {
  if (spec.kind === "stdio") {
    return new StdioClientTransport({
      command: spec.command,
      args: spec.args ?? [],
      env: { ...process.env, ...(spec.env ?? {}) },
      cwd: spec.cwd,
      stderr: "pipe",
    });
  }
  return new StreamableHTTPClientTransport(new URL(spec.url), {
    requestInit: { headers: spec.headers ?? {} },
  });
}

async function connect() {
  const transport = transportFor(plan.transport);
  const client = new Client({ name: "picovis-tests", version: "1.0.0" });
  let stderr = "";
  if (transport.stderr) transport.stderr.on("data", (chunk) => (stderr += chunk.toString()));
  try {
    await client.connect(transport);
  } catch (e) {
    // Show why the server went away (its stderr), then fail.
    await new Promise((r) => setTimeout(r, 200));
    process.stderr.write(`server stderr:\n${stderr}\n`);
    throw e;
  }
  return { client, transport, stderr: () => stderr };
}

async function step(client, s) {
  switch (s.op) {
    case "listTools":
      return client.listTools();
    case "callTool": {
      const progress = [];
      const options = { timeout: s.timeoutMs ?? 60000 };
      if (s.progress) options.onprogress = (p) => progress.push(p);
      const result = await client.callTool({ name: s.name, arguments: s.arguments ?? {} }, undefined, options);
      return s.progress ? { ...result, progress } : result;
    }
    case "listResources":
      return client.listResources(s.cursor ? { cursor: s.cursor } : undefined);
    case "listResourceTemplates":
      return client.listResourceTemplates();
    case "readResource":
      return client.readResource({ uri: s.uri });
    case "listPrompts":
      return client.listPrompts();
    case "getPrompt":
      return client.getPrompt({ name: s.name, arguments: s.arguments ?? {} });
    case "ping":
      return client.ping();
    default:
      throw new Error(`unknown step ${s.op}`);
  }
}

const output = { results: [] };
let session = await connect();
output.server = session.client.getServerVersion();
output.instructions = session.client.getInstructions();
output.protocolVersion = session.transport.protocolVersion ?? null;
for (const s of plan.steps) {
  if (s.op === "abandonCall") {
    // Start a call, then drop the connection mid-call; the next steps use a fresh connection.
    const pending = session.client
      .callTool({ name: s.name, arguments: s.arguments ?? {} }, undefined, { timeout: 60000 })
      .catch((e) => e);
    await new Promise((r) => setTimeout(r, s.afterMs ?? 300));
    await session.client.close();
    await pending;
    output.results.push({ ok: true, value: "abandoned" });
    session = await connect();
    continue;
  }
  try {
    output.results.push({ ok: true, value: await step(session.client, s) });
  } catch (e) {
    output.results.push({ ok: false, error: { code: e.code ?? null, message: String(e.message ?? e) } });
  }
}
await session.client.close();
output.stderr = session.stderr();
process.stdout.write(JSON.stringify(output));
