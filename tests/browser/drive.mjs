// Drives real headless Chromium (Debian's /usr/bin/chromium) through the chat widget embedded in a page
// on another origin, and through the dashboard. Prints one JSON report; tests/widget_browser.rs asserts.
//
// Usage: node drive.mjs PICOVIS_BASE WIDGET_KEY FULL_KEY HOST_PORT OUT_DIR
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const [base, widgetKey, fullKey, hostPort, outDir] = process.argv.slice(2);
const report = {};

// The host page: its own (hostile) CSS, on another origin than Picovis.
const page = `<!doctype html><html><head><title>Intranet</title><style>
  body { font-family: serif; } button { background: rgb(255, 0, 0) !important; } table, td { color: rgb(255, 0, 0); }
</style></head><body><h1>Team intranet</h1>
<script src="${base}/widget.js" data-key="${widgetKey}" data-source="demo"></script></body></html>`;
const host = createServer((req, res) => { res.writeHead(200, { "content-type": "text/html" }); res.end(page); });
await new Promise((resolve) => host.listen(Number(hostPort), "127.0.0.1", resolve));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"],
});
try {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 800 } });
  const tab = await context.newPage();
  const consoleErrors = [];
  tab.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  await tab.goto(`http://127.0.0.1:${hostPort}/`);

  // Open with the keyboard: focus the bubble, press Enter; the question box gets focus.
  await tab.locator("button.bubble").focus();
  await tab.keyboard.press("Enter");
  report.panelOpen = await tab.locator(".panel").isVisible();
  report.focusInQuestion = await tab.evaluate(() => document.querySelector("[data-picovis]").shadowRoot.activeElement?.id);
  await tab.keyboard.type("How many orders are there per status?");
  await tab.keyboard.press("Enter");
  await tab.locator(".answer").filter({ hasText: "Orders by status." }).waitFor({ timeout: 30000 });
  report.answer = await tab.locator(".answer").innerText();
  report.sql = await tab.locator("details.sql pre").textContent();
  report.tableRows = await tab.locator(".table-wrap tr").count();
  report.chartBars = await tab.locator("svg.chart rect").count();
  // The host page's CSS does not reach into the widget.
  report.askButtonBackground = await tab.locator("form button").evaluate((b) => getComputedStyle(b).backgroundColor);
  report.cellColor = await tab.locator(".table-wrap td").first().evaluate((td) => getComputedStyle(td).color);
  await tab.screenshot({ path: `${outDir}/widget-desktop.png` });

  // CSV download.
  const [download] = await Promise.all([tab.waitForEvent("download"), tab.locator("button.csv").click()]);
  report.csvName = download.suggestedFilename();
  report.csv = readFileSync(await download.path(), "utf8");

  // Thumbs up: recorded (as a proposal, since this is a widget key).
  const [vote] = await Promise.all([
    tab.waitForResponse((r) => r.url().endsWith("/v1/feedback")),
    tab.locator('button[data-vote="up"]').click(),
  ]);
  report.voteStatus = vote.status();

  // Phone width: the panel fits the screen.
  await tab.setViewportSize({ width: 375, height: 740 });
  const box = await tab.locator(".panel").boundingBox();
  report.phonePanel = { x: box.x, width: box.width };
  await tab.screenshot({ path: `${outDir}/widget-phone.png` });

  // Escape closes it and gives focus back to the bubble.
  await tab.locator("textarea").focus();
  await tab.keyboard.press("Escape");
  report.closedByEscape = !(await tab.locator(".panel").isVisible());
  report.consoleErrors = consoleErrors;

  // The dashboard, with the operator's key.
  const dash = await context.newPage();
  await dash.setViewportSize({ width: 1280, height: 900 });
  await dash.goto(`${base}/`);
  await dash.fill("#key", fullKey);
  await dash.click("#reload");
  await dash.locator("#sources td.ok").first().waitFor({ timeout: 15000 });
  report.dashboardSources = await dash.locator("#sources tr").allInnerTexts();
  await dash.locator("#schema details").first().waitFor({ timeout: 15000 });
  await dash.fill("#schema-search", "ticket");
  report.schemaMatches = await dash.locator("#schema summary").allInnerTexts();
  await dash.locator("#examples tr").first().waitFor({ timeout: 15000 });
  report.exampleBefore = await dash.locator("#examples tr").first().innerText();
  await dash.locator("#examples button", { hasText: "Approve" }).click();
  await dash.locator("#examples td.ok").first().waitFor({ timeout: 15000 });
  report.exampleAfter = await dash.locator("#examples tr").first().innerText();
  await dash.locator("#history tr").first().waitFor({ timeout: 15000 });
  report.history = await dash.locator("#history tr").first().innerText();
  report.dashboardChat = await dash.locator("#chat [data-picovis] textarea, #chat textarea").count().catch(() => -1);
  report.dashboardChat = await dash.evaluate(() => !!document.querySelector("#chat [data-picovis]")?.shadowRoot?.querySelector("textarea"));
  await dash.screenshot({ path: `${outDir}/dashboard.png`, fullPage: true });
} finally {
  await browser.close();
  host.close();
}
process.stdout.write(JSON.stringify(report));
