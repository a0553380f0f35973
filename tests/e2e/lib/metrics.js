// GET /metrics for the tests: a scrape, one series' value, and Prometheus'
// own parser of the text format (promtool, Debian's prometheus package;
// scripts/bootstrap.sh installs it: a test never skips for want of it).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

export async function scrape(port, key) {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}

// The value of one series, `name{labels}` exactly as the server writes it, or `name` alone.
export function value(text, series) {
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    if (line.slice(0, at) === series) return Number(line.slice(at + 1));
  }
  return undefined;
}

// Fails the test unless `promtool check metrics` accepts `text`.
export function assertPromtoolAccepts(text) {
  const r = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  assert.ifError(r.error);
  assert.equal(r.status, 0, `promtool check metrics failed:\n${r.stdout}${r.stderr}`);
}
