// The demo chat page (web/demo/) in Chromium, served by the daemon with the
// client bundle it serves: two pages join a room, one types and sends, the
// other sees the typing indicator and then the message; a reload shows the
// history. One daemon and one browser for the file.
// SWITCHBOARD_SCREENSHOT=docs/demo.png also saves the page as the README shows it.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../lib/server.js";
import { launchBrowser, newPage } from "../lib/browser.js";

describe("demo chat page in Chromium", () => {
  let server, browser, room;
  before(async () => {
    server = await startServer("switchboard", [], { env: { DEMO: "true" } });
    const res = await fetch(`${server.url}/rooms`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "lobby" }),
    });
    room = (await res.json()).data;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function open(name) {
    const page = await newPage(browser);
    await page.goto(server.url + "/");
    await page.locator("#name").fill(name);
    await page.getByRole("button", { name: "Connect" }).click();
    await page.locator("#status", { hasText: `online as ${name}` }).waitFor();
    await page.locator("#room-title", { hasText: "# lobby" }).waitFor();
    return page;
  }

  it("shows typing, then the message, to the other page, and the history after a reload", async () => {
    const alice = await open("alice");
    const bob = await open("bob");
    await alice.locator("#members li", { hasText: "bob" }).waitFor(); // presence: bob's join reached alice

    await alice.locator("#message").pressSequentially("hello bob", { delay: 20 });
    await bob.locator("#typing", { hasText: "alice is typing…" }).waitFor();
    await alice.locator("#message").press("Enter");
    const line = bob.locator("#messages li.message", { hasText: "hello bob" });
    await line.waitFor();
    assert.equal(await line.locator(".who").innerText(), "alice");
    // The indicator goes once the message is in.
    await bob.locator("#typing", { hasText: /^$/ }).waitFor();

    // The page keeps the name: a reload reconnects, rejoins and loads the history.
    await bob.reload();
    await bob.locator("#status", { hasText: "online as bob" }).waitFor();
    await bob.locator("#messages li.message", { hasText: "hello bob" }).waitFor();
    const history = await (await fetch(`${server.url}/rooms/${room.id}/messages`)).json();
    assert.deepEqual(history.data.messages.map((m) => [m.username, m.content]), [["alice", "hello bob"]]);

    if (process.env.SWITCHBOARD_SCREENSHOT) {
      await alice.locator("#message").pressSequentially("and welcome", { delay: 20 });
      await bob.locator("#typing", { hasText: "alice is typing…" }).waitFor();
      await bob.screenshot({ path: process.env.SWITCHBOARD_SCREENSHOT });
    }
  });

  it("loads the client bundle the daemon serves", async () => {
    const page = await newPage(browser);
    const bundle = page.waitForResponse((r) => r.url().endsWith("/socket.io/socket.io.min.js"));
    await page.goto(server.url + "/");
    assert.equal((await bundle).status(), 200);
    assert.equal(await page.evaluate(() => typeof io), "function");
  });
});
