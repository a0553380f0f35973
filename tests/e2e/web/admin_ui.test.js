// The Socket.IO admin UI itself (the built page of @socket.io/admin-ui,
// from npm) in Chromium against a running daemon: it logs in with the
// bcrypt-checked password, shows the server and a connected client, and
// disconnects that client on request. Wrong credentials are refused. One
// daemon and one browser for the file.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import path from "node:path";
import { io } from "socket.io-client";
import { startServer, once, until } from "../lib/server.js";
import { launchBrowser, newPage, serveDirectory } from "../lib/browser.js";

const require = createRequire(import.meta.url);
const uiDir = path.join(path.dirname(require.resolve("@socket.io/admin-ui/package.json")), "ui", "dist");
// require("bcryptjs").hashSync("changeit", 10): what the admin UI's README has users run.
const hash = "$2a$10$nwnttXWJ4tjGLLKtSUak/..Edqxe04KnpKBgG2Dr/FhCFzenAb9/.";

describe("admin UI in Chromium", () => {
  let server, ui, browser;
  before(async () => {
    ui = await serveDirectory(uiDir);
    server = await startServer("switchboard", [], {
      env: {
        ADMIN_UI: "true", ADMIN_UI_USERNAME: "admin", ADMIN_UI_PASSWORD_HASH: hash, ADMIN_UI_MODE: "development",
        ADMIN_UI_SERVER_ID: "switchboard-under-test",
        // The UI's page is on another origin and connects withCredentials.
        CORS_ORIGIN: ui.url, CORS_CREDENTIALS: "true",
      },
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await ui?.close();
  });

  async function login(page, password) {
    await page.goto(`${ui.url}/#/`);
    await page.getByLabel("Server URL").fill(server.url);
    await page.getByLabel("Username").fill("admin");
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Connect" }).click();
  }

  it("refuses wrong credentials", async () => {
    const page = await newPage(browser);
    await login(page, "wrong");
    await page.getByText("Invalid credentials").waitFor();
    // And over the protocol itself: no session, a CONNECT_ERROR.
    const admin = io(`${server.url}/admin`, { auth: { username: "admin", password: "nope" }, reconnection: false });
    const [err] = await once(admin, "connect_error");
    assert.equal(err.message, "invalid credentials");
    admin.close();
    await page.context().close();
  });

  it("shows the server and a connected client, and disconnects it on request", async () => {
    const client = io(server.url, { auth: { username: "watched" }, transports: ["websocket"] });
    await once(client, "connect");
    const page = await newPage(browser);
    await login(page, "changeit");
    // Logged in: the modal goes, the servers page lists this daemon.
    await page.getByLabel("Server URL").waitFor({ state: "hidden" });
    await page.goto(`${ui.url}/#/servers/`);
    await page.getByText("switchboard-under-test").waitFor();

    await page.goto(`${ui.url}/#/sockets/`);
    // The sockets table's row: the id and the address (other tables name the id too).
    const rows = page.locator("tr", { hasText: client.id }).filter({ hasText: "127.0.0.1" });
    const row = rows.first();
    await row.waitFor();
    assert.match(await row.innerText(), /websocket/i);

    const gone = once(client, "disconnect");
    await row.locator("button:has(.mdi-logout)").click();
    const [reason] = await gone;
    assert.equal(reason, "io server disconnect");
    // The UI heard socket_disconnected: the socket is gone from every table.
    await until(async () => (await rows.count()) === 0, 5000, "the socket to leave the UI").catch(async (e) => {
      await page.screenshot({ path: "/tmp/admin-ui-failure.png" });
      throw new Error(`${e.message}: ${await rows.allInnerTexts()}`);
    });
    client.close();
    await page.context().close();
  });
});
