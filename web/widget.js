// Picovis chat widget. One line adds it to any page:
//   <script src="https://picovis.example.com/widget.js" data-key="pvk_..." data-source="sales"></script>
// Everything lives in a shadow root, so the host page's CSS cannot reach in and ours cannot leak out.
// No build step, no dependencies. Answers stream over server-sent events from POST /v1/chat.
(function () {
  "use strict";
  const script = document.currentScript;
  if (!script || window.__picovisWidget) return;
  window.__picovisWidget = true;
  const base = new URL(script.src, location.href).origin;
  const key = script.dataset.key || "";
  const source = script.dataset.source || null;
  const title = script.dataset.title || "Ask your data";
  const inline = script.dataset.inline === "true"; // the dashboard embeds it as a panel, not a bubble

  const host = document.createElement("div");
  host.setAttribute("data-picovis", "");
  const root = host.attachShadow({ mode: "open" });
  root.innerHTML = `
<style>
  :host { all: initial; }
  * { box-sizing: border-box; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
  .bubble { position: fixed; right: 20px; bottom: 20px; width: 56px; height: 56px; border-radius: 50%; display: grid; place-items: center;
    border: 0; background: #2563eb; color: #fff; cursor: pointer; box-shadow: 0 4px 14px rgba(0,0,0,.25); z-index: 2147483646; }
  .bubble:focus-visible, button:focus-visible, textarea:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
  .panel { position: fixed; right: 20px; bottom: 88px; width: min(420px, calc(100vw - 24px)); height: min(620px, calc(100vh - 110px));
    background: #fff; color: #111; border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.3); display: flex; flex-direction: column;
    overflow: hidden; z-index: 2147483647; font-size: 14px; }
  .panel.inline { position: static; width: 100%; height: 100%; box-shadow: none; border: 1px solid #ddd; }
  .panel[hidden] { display: none; }
  header { background: #2563eb; color: #fff; padding: 10px 14px; display: flex; align-items: center; justify-content: space-between; }
  header h2 { margin: 0; font-size: 15px; }
  header button { background: transparent; border: 0; color: #fff; font-size: 20px; cursor: pointer; }
  .log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 10px; }
  .msg { max-width: 100%; }
  .me { align-self: flex-end; background: #eff6ff; border-radius: 10px; padding: 8px 10px; }
  .bot { align-self: stretch; }
  .answer { white-space: pre-wrap; line-height: 1.45; }
  .status { color: #666; font-style: italic; font-size: 13px; }
  .error { color: #b91c1c; }
  details { margin-top: 6px; border: 1px solid #e5e7eb; border-radius: 6px; padding: 4px 8px; }
  summary { cursor: pointer; color: #374151; }
  pre { margin: 6px 0; overflow-x: auto; background: #f9fafb; padding: 6px; border-radius: 4px; font-size: 12px; }
  code, pre { font-family: ui-monospace, Menlo, Consolas, monospace; }
  .table-wrap { overflow-x: auto; margin-top: 6px; max-height: 260px; overflow-y: auto; }
  table { border-collapse: collapse; font-size: 12px; }
  th, td { border: 1px solid #e5e7eb; padding: 3px 6px; text-align: left; white-space: nowrap; }
  th { background: #f3f4f6; position: sticky; top: 0; }
  .actions { display: flex; gap: 6px; margin-top: 6px; flex-wrap: wrap; }
  .actions button { border: 1px solid #d1d5db; background: #fff; border-radius: 6px; padding: 3px 8px; cursor: pointer; font-size: 12px; }
  .actions button[aria-pressed="true"] { background: #dbeafe; }
  svg.chart { margin-top: 6px; width: 100%; height: auto; }
  form { display: flex; gap: 6px; padding: 10px; border-top: 1px solid #e5e7eb; }
  textarea { flex: 1; resize: none; border: 1px solid #d1d5db; border-radius: 8px; padding: 8px; font-size: 14px; min-height: 40px; }
  form button { border: 0; background: #2563eb; color: #fff; border-radius: 8px; padding: 0 14px; cursor: pointer; }
  form button:disabled { background: #93c5fd; cursor: default; }
</style>
<button class="bubble" part="bubble" aria-label="${escapeHtml(title)}" aria-expanded="false" aria-controls="pv-panel"><svg viewBox="0 0 24 24" width="26" height="26" aria-hidden="true"><path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg></button>
<section class="panel" id="pv-panel" role="dialog" aria-label="${escapeHtml(title)}" hidden>
  <header><h2>${escapeHtml(title)}</h2><button class="close" aria-label="Close">×</button></header>
  <div class="log" role="log" aria-live="polite"></div>
  <form><label style="position:absolute;left:-9999px" for="pv-q">Your question</label>
    <textarea id="pv-q" rows="2" placeholder="Ask a question about your data…"></textarea>
    <button type="submit">Ask</button></form>
</section>`;
  const bubble = root.querySelector(".bubble");
  const panel = root.querySelector(".panel");
  const log = root.querySelector(".log");
  const form = root.querySelector("form");
  const input = root.querySelector("textarea");
  const send = root.querySelector("form button");
  let sessionId = null;

  function open(show) {
    panel.hidden = !show;
    bubble.setAttribute("aria-expanded", String(show));
    if (show) input.focus(); else bubble.focus();
  }
  if (inline) {
    bubble.remove();
    panel.classList.add("inline");
    panel.hidden = false;
    root.querySelector(".close").remove();
  } else {
    bubble.addEventListener("click", () => open(panel.hidden));
    root.querySelector(".close").addEventListener("click", () => open(false));
    panel.addEventListener("keydown", (e) => { if (e.key === "Escape") open(false); });
  }
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });
  form.addEventListener("submit", (e) => { e.preventDefault(); ask(input.value.trim()); });

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }
  const LABELS = { search_schema: "Searching the schema…", describe_table: "Reading a table…", sample_rows: "Looking at example rows…",
    run_query: "Running a query…", explain_query: "Reading a query plan…", list_sources: "Listing sources…" };

  async function ask(question) {
    if (!question) return;
    input.value = "";
    send.disabled = true;
    log.append(el("div", { class: "msg me" }, question));
    const reply = el("div", { class: "msg bot" });
    const status = el("div", { class: "status" }, "Thinking…");
    const answer = el("div", { class: "answer" });
    reply.append(status, answer);
    log.append(reply);
    log.scrollTop = log.scrollHeight;
    const state = { question, sql: null, source: null, rows: null, columns: null };
    try {
      const response = await fetch(base + "/v1/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "text/event-stream", Authorization: "Bearer " + key },
        body: JSON.stringify({ question, session_id: sessionId, source }),
      });
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        throw new Error((body.error && body.error.message) || "HTTP " + response.status);
      }
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const name = (frame.match(/^event: (.*)$/m) || [])[1];
          const data = frame.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
          if (name && data) handle(name, JSON.parse(data), { reply, status, answer, state });
        }
        log.scrollTop = log.scrollHeight;
      }
      status.remove();
      if (state.sql) reply.append(feedback(state));
    } catch (error) {
      status.textContent = "";
      reply.append(el("div", { class: "error" }, "Sorry: " + error.message));
    } finally {
      send.disabled = false;
      input.focus();
    }
  }

  function handle(name, event, ui) {
    switch (name) {
      case "session": sessionId = event.session_id; break;
      case "tool_call": ui.status.textContent = LABELS[event.name] || "Working…"; break;
      case "sql": {
        ui.state.sql = event.sql; ui.state.source = event.source;
        const details = el("details", { class: "sql" });
        details.append(el("summary", {}, "SQL (" + event.source + ")"));
        details.append(el("pre", {}, event.sql));
        const copy = el("button", { type: "button", class: "copy" }, "Copy SQL");
        copy.addEventListener("click", () => navigator.clipboard && navigator.clipboard.writeText(event.sql).then(() => (copy.textContent = "Copied")));
        const actions = el("div", { class: "actions" });
        actions.append(copy);
        details.append(actions);
        ui.reply.append(details);
        break;
      }
      case "rows": ui.state.columns = event.columns; ui.state.rows = event.rows; ui.reply.append(table(event)); break;
      case "chart": ui.reply.append(chart(event.spec)); break;
      case "answer_delta": ui.status.textContent = ""; ui.answer.textContent += event.text; break;
      case "error": ui.reply.append(el("div", { class: "error" }, event.message)); break;
      default: break;
    }
  }

  function table(event) {
    const wrap = el("div", { class: "table-wrap" });
    const t = el("table");
    const head = el("tr");
    for (const c of event.columns) head.append(el("th", { scope: "col" }, c.name));
    t.append(head);
    for (const row of event.rows.slice(0, 100)) {
      const tr = el("tr");
      for (const v of row) tr.append(el("td", {}, v === null ? "NULL" : typeof v === "object" ? JSON.stringify(v) : String(v)));
      t.append(tr);
    }
    wrap.append(t);
    const box = el("div");
    box.append(wrap);
    const actions = el("div", { class: "actions" });
    const download = el("button", { type: "button", class: "csv" }, "Download CSV");
    download.addEventListener("click", () => downloadCsv(event));
    actions.append(download);
    if (event.rows.length > 100) actions.append(el("span", { class: "status" }, "Showing 100 of " + event.rows.length + " rows"));
    box.append(actions);
    return box;
  }

  function downloadCsv(event) {
    const cell = (v) => {
      if (v === null || v === undefined) return "";
      const s = typeof v === "object" ? JSON.stringify(v) : String(v);
      return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
    };
    const lines = [event.columns.map((c) => cell(c.name)).join(",")].concat(event.rows.map((r) => r.map(cell).join(",")));
    const url = URL.createObjectURL(new Blob([lines.join("\n") + "\n"], { type: "text/csv" }));
    const a = el("a", { href: url, download: "result.csv" });
    root.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  // The chart spec is declarative data (a Vega-Lite subset: bars or a line, one or two measures), drawn here
  // as SVG; nothing in it is executed.
  function chart(spec) {
    const NS = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("class", "chart");
    svg.setAttribute("viewBox", "0 0 400 220");
    svg.setAttribute("role", "img");
    const values = (spec.data && spec.data.values) || [];
    const x = spec.encoding && spec.encoding.x && spec.encoding.x.field;
    const fold = spec.transform && spec.transform[0] && spec.transform[0].fold;
    const measures = fold || [spec.encoding && spec.encoding.y && spec.encoding.y.field];
    svg.setAttribute("aria-label", "Chart of " + measures.join(" and ") + " by " + x);
    if (!x || !values.length) return svg;
    const max = Math.max(1e-9, ...values.flatMap((v) => measures.map((m) => Number(v[m]) || 0)));
    const colors = ["#2563eb", "#ea7e28"];
    const left = 40, bottom = 190, width = 350, height = 170;
    const step = width / values.length;
    const add = (tag, attrs) => { const n = document.createElementNS(NS, tag); for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v); svg.append(n); return n; };
    add("line", { x1: left, y1: bottom, x2: left + width, y2: bottom, stroke: "#999" });
    add("text", { x: 2, y: 20, "font-size": 10, fill: "#555" }).textContent = String(Math.round(max));
    measures.forEach((m, s) => {
      const mark = typeof spec.mark === "string" ? spec.mark : spec.mark && spec.mark.type;
      if (mark === "line") {
        const points = values.map((v, i) => `${left + step * (i + 0.5)},${bottom - (Number(v[m]) || 0) / max * height}`).join(" ");
        add("polyline", { points, fill: "none", stroke: colors[s], "stroke-width": 2 });
      } else {
        const w = (step * 0.8) / measures.length;
        values.forEach((v, i) => {
          const h = (Number(v[m]) || 0) / max * height;
          add("rect", { x: left + step * i + step * 0.1 + w * s, y: bottom - h, width: w, height: h, fill: colors[s] });
        });
      }
    });
    if (values.length <= 12) values.forEach((v, i) => {
      const label = String(v[x]).slice(0, 10);
      add("text", { x: left + step * (i + 0.5), y: bottom + 14, "font-size": 9, "text-anchor": "middle", fill: "#333" }).textContent = label;
    });
    return svg;
  }

  function feedback(state) {
    const actions = el("div", { class: "actions", role: "group", "aria-label": "Was this answer right?" });
    // Words, not emoji: pages and kiosks without an emoji font would show empty boxes.
    for (const [vote, label] of [["up", "Right answer"], ["down", "Wrong answer"]]) {
      const button = el("button", { type: "button", "aria-pressed": "false", "data-vote": vote }, label);
      button.addEventListener("click", async () => {
        actions.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
        await fetch(base + "/v1/feedback", {
          method: "POST",
          headers: { "Content-Type": "application/json", Authorization: "Bearer " + key },
          body: JSON.stringify({ vote, question: state.question, sql: state.sql, source: state.source }),
        }).catch(() => {});
      });
      actions.append(button);
    }
    return actions;
  }

  (script.dataset.target ? document.querySelector(script.dataset.target) : document.body).append(host);
})();
