// The operator's dashboard: sources and their health, a schema browser, verified examples (approve,
// delete), query history, and the chat widget as a panel. Plain DOM, no build step; text from the
// database is always inserted as text, never as HTML.
"use strict";
const keyInput = document.getElementById("key");
keyInput.value = sessionStorage.getItem("picovis-key") || "";
const message = document.getElementById("message");

function headers() {
  const key = keyInput.value.trim();
  return key ? { Authorization: "Bearer " + key } : {};
}
async function api(path, options) {
  const response = await fetch(path, { ...(options || {}), headers: { ...headers(), ...((options || {}).headers || {}) } });
  if (!response.ok && response.status !== 503) {
    const body = await response.json().catch(() => ({}));
    throw new Error((body.error && body.error.message) || "HTTP " + response.status);
  }
  return response.status === 204 ? null : response.json();
}
function cell(tr, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  tr.append(td);
  return td;
}

async function loadSources() {
  const [sources, ready] = await Promise.all([api("/v1/sources"), api("/readyz")]);
  const table = document.getElementById("sources");
  table.querySelectorAll("tr:not(:first-child)").forEach((r) => r.remove());
  const select = document.getElementById("schema-source");
  select.innerHTML = "";
  for (const s of sources) {
    const tr = document.createElement("tr");
    cell(tr, s.name);
    cell(tr, s.dialect);
    const health = (ready.sources || {})[s.name] || "unknown";
    cell(tr, health === "ok" ? "ok" : health, health === "ok" ? "ok" : "bad");
    table.append(tr);
    const option = document.createElement("option");
    option.value = option.textContent = s.name;
    select.append(option);
  }
  if (sources.length) loadSchema();
}

let schema = null;
async function loadSchema() {
  const name = document.getElementById("schema-source").value;
  schema = await api("/v1/sources/" + encodeURIComponent(name) + "/schema");
  renderSchema();
}
function renderSchema() {
  const box = document.getElementById("schema");
  box.innerHTML = "";
  box.className = "";
  const needle = document.getElementById("schema-search").value.trim().toLowerCase();
  const tables = (schema ? schema.tables : []).filter((t) =>
    !needle || t.name.toLowerCase().includes(needle) || t.columns.some((c) => c.name.toLowerCase().includes(needle)));
  for (const t of tables) {
    const details = document.createElement("details");
    details.className = "table";
    const summary = document.createElement("summary");
    summary.textContent = t.name + (t.comment ? " — " + t.comment : "");
    details.append(summary);
    const list = document.createElement("table");
    for (const c of t.columns) {
      const tr = document.createElement("tr");
      cell(tr, c.name);
      cell(tr, c.data_type);
      cell(tr, c.comment || "");
      list.append(tr);
    }
    details.append(list);
    box.append(details);
  }
  if (!tables.length) box.textContent = "No table matches.";
}

async function loadExamples() {
  const examples = await api("/v1/examples");
  const box = document.getElementById("examples");
  box.innerHTML = "";
  if (!examples.length) { box.textContent = "None yet: a thumbs-up on an answer adds one."; return; }
  const table = document.createElement("table");
  for (const e of examples) {
    const tr = document.createElement("tr");
    tr.dataset.id = e.id;
    cell(tr, e.question);
    const sql = cell(tr, "");
    const code = document.createElement("code");
    code.textContent = e.sql;
    sql.append(code);
    cell(tr, e.approved ? "verified" : "proposed (" + e.origin + ")", e.approved ? "ok" : "bad");
    const actions = cell(tr, "");
    if (!e.approved) actions.append(button("Approve", async () => { await api("/v1/examples/" + e.id + "/approve", { method: "POST" }); loadExamples(); }));
    actions.append(button("Edit", async () => {
      const question = prompt("Question", e.question);
      if (question === null) return;
      const sql = prompt("SQL", e.sql);
      if (sql === null) return;
      await api("/v1/examples/" + e.id, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ question, sql }) });
      loadExamples();
    }));
    actions.append(button("Delete", async () => { await api("/v1/examples/" + e.id, { method: "DELETE" }); loadExamples(); }));
    table.append(tr);
  }
  box.append(table);
}
function button(label, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.addEventListener("click", () => onClick().catch((e) => (message.textContent = e.message)));
  return b;
}

async function loadHistory() {
  const history = await api("/v1/history");
  const box = document.getElementById("history");
  box.innerHTML = "";
  if (!history.length) { box.textContent = "No queries yet."; return; }
  const table = document.createElement("table");
  for (const h of history) {
    const tr = document.createElement("tr");
    cell(tr, new Date(h.at).toLocaleTimeString());
    cell(tr, h.source);
    const sql = cell(tr, "");
    const code = document.createElement("code");
    code.textContent = h.sql;
    sql.append(code);
    cell(tr, h.via);
    table.append(tr);
  }
  box.append(table);
}

function mountChat() {
  const holder = document.getElementById("chat");
  if (holder.dataset.mounted) return;
  holder.dataset.mounted = "1";
  const script = document.createElement("script");
  script.src = "/widget.js";
  script.dataset.key = keyInput.value.trim();
  script.dataset.inline = "true";
  script.dataset.target = "#chat";
  script.dataset.title = "Chat with your data";
  document.body.append(script);
}

async function loadAll() {
  sessionStorage.setItem("picovis-key", keyInput.value.trim());
  message.textContent = "";
  try {
    await Promise.all([loadSources(), loadExamples(), loadHistory()]);
    mountChat();
  } catch (error) {
    message.textContent = error.message;
  }
}
document.getElementById("reload").addEventListener("click", loadAll);
document.getElementById("schema-source").addEventListener("change", () => loadSchema().catch((e) => (message.textContent = e.message)));
document.getElementById("schema-search").addEventListener("input", renderSchema);
setInterval(() => { if (!message.textContent) loadHistory().catch(() => {}); }, 5000);
loadAll();
