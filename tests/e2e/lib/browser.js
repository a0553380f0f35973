// Debian's Chromium (scripts/bootstrap.sh installs it) driven by
// playwright-core from npm, and a static file server for pages that do not
// come from the daemon (the admin UI's built page). Nothing leaves the
// machine: every request to another host is aborted (the admin UI's page
// links web fonts from a CDN).
import { chromium } from "playwright-core";
import http from "node:http";
import { readFile } from "node:fs/promises";
import path from "node:path";

export const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // Root has no user namespace sandbox here; /dev/shm may be small in containers.
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
  });
  return browser;
}

// A page of its own context (its own localStorage and cookies), loopback only.
export async function newPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
  await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/]|localhost[:/])/, (route) => route.abort());
  const page = await context.newPage();
  page.setDefaultTimeout(5000);
  return page;
}

const types = { ".html": "text/html", ".js": "application/javascript", ".css": "text/css", ".png": "image/png",
  ".svg": "image/svg+xml", ".map": "application/json" };

// Serves `dir` on a free loopback port; resolves with {url, close()}.
export async function serveDirectory(dir) {
  const server = http.createServer(async (req, res) => {
    const rel = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const file = path.join(dir, rel.endsWith("/") ? rel + "index.html" : rel);
    if (!file.startsWith(dir)) return res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": types[path.extname(file)] || "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}
