// The admin UI's protocol (@socket.io/admin-ui 0.5) over a plain
// socket.io-client, as the UI speaks it: login and session, config, stats,
// the development mode's socket and event reports, the actions, and the
// readonly and production modes. The UI itself in Chromium is
// tests/e2e/web/admin_ui.test.js; this file runs in the sanitizer passes too.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { startServer, once, until } from "../lib/server.js";

// require("bcryptjs").hashSync("changeit", 10)
const hash = "$2a$10$nwnttXWJ4tjGLLKtSUak/..Edqxe04KnpKBgG2Dr/FhCFzenAb9/.";
const connect = (url, opts = {}) => io(url, { forceNew: true, reconnection: false, transports: ["websocket"], ...opts });

// Collects every event an admin socket hears.
function recorder(socket) {
  const heard = [];
  socket.onAny((event, ...args) => heard.push([event, ...args]));
  return {
    heard,
    find: (event, test = () => true) => heard.find(([e, ...a]) => e === event && test(...a)),
    async wait(event, test = () => true, ms = 8000) { // the sanitizer passes are slow
      await until(() => this.find(event, test), ms, event);
      return this.find(event, test).slice(1);
    },
  };
}

describe("admin UI protocol, development mode with basic auth", () => {
  let server;
  before(async () => {
    server = await startServer("switchboard", [], {
      env: { ADMIN_UI: "true", ADMIN_UI_USERNAME: "admin", ADMIN_UI_PASSWORD_HASH: hash, ADMIN_UI_MODE: "development",
        ADMIN_UI_SERVER_ID: "node-a" },
    });
  });
  after(() => server.stop());

  it("logs in, hands out a session that logs in again, and refuses a wrong password", async () => {
    const admin = connect(`${server.url}/admin`, { auth: { username: "admin", password: "changeit" } });
    const rec = recorder(admin);
    await once(admin, "connect");
    const [session] = await rec.wait("session");
    assert.match(session, /^[0-9a-f]{16}$/);
    const [config] = await rec.wait("config");
    assert.deepEqual(config.supportedFeatures,
      ["EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT", "AGGREGATED_EVENTS", "ALL_EVENTS"]);
    admin.close();

    const again = connect(`${server.url}/admin`, { auth: { sessionId: session } });
    await once(again, "connect");
    again.close();
    for (const auth of [{ username: "admin", password: "wrong" }, { username: "root", password: "changeit" },
      { sessionId: "0123456789abcdef" }, {}]) {
      const bad = connect(`${server.url}/admin`, { auth });
      const [err] = await once(bad, "connect_error");
      assert.equal(err.message, "invalid credentials", JSON.stringify(auth));
      bad.close();
    }
  });

  it("reports sockets, events, rooms and stats, and acts on the UI's requests", async () => {
    const admin = connect(`${server.url}/admin`, { auth: { username: "admin", password: "changeit" } });
    const rec = recorder(admin);
    await once(admin, "connect");
    await rec.wait("all_sockets");
    const client = connect(server.url, { auth: { username: "carol" } });
    await once(client, "connect");

    const [socket] = await rec.wait("socket_connected", (s) => s.id === client.id);
    assert.equal(socket.nsp, "/");
    assert.equal(socket.transport, "websocket");
    assert.equal(socket.data.username, "carol");
    assert.equal(socket.data._admin, undefined);
    assert.equal(socket.handshake.auth, undefined);
    assert.equal(socket.handshake.address, "127.0.0.1");
    assert.ok(socket.rooms.includes(client.id));

    client.emit("hello", { n: 1 });
    const [nsp, id, args] = await rec.wait("event_received", (n, i) => i === client.id);
    assert.deepEqual([nsp, id, args], ["/", client.id, ["hello", { n: 1 }]]);

    // join: the socket joins, and the UI hears room_joined.
    admin.emit("join", "/", "vip", client.id);
    await rec.wait("room_joined", (n, room, i) => room === "vip" && i === client.id);
    admin.emit("emit", "/", "vip", "news", "for vips");
    const [news] = await once(client, "news");
    assert.equal(news, "for vips");
    admin.emit("leave", "/", "vip", client.id);
    await rec.wait("room_left", (n, room, i) => room === "vip" && i === client.id);

    const [stats] = await rec.wait("server_stats", (s) => s.clientsCount >= 2);
    assert.equal(stats.serverId, "node-a");
    assert.equal(typeof stats.pid, "number");
    assert.ok(stats.uptime > 0);
    assert.deepEqual(stats.namespaces.find((n) => n.name === "/"), { name: "/", socketsCount: 1 });
    assert.ok(stats.aggregatedEvents.some((e) => e.type === "rawConnection"));

    // A namespace the UI names that does not exist is not created.
    admin.emit("_disconnect", "/nowhere", false);
    const gone = once(client, "disconnect");
    admin.emit("_disconnect", "/", false, client.id);
    assert.equal((await gone)[0], "io server disconnect");
    await rec.wait("socket_disconnected", (n, i, reason) => i === id && reason === "server namespace disconnect");
    admin.close();
  });
});

describe("admin UI protocol, readonly production mode without auth", () => {
  let server;
  before(async () => {
    server = await startServer("switchboard", [], {
      env: { ADMIN_UI: "true", ADMIN_UI_READONLY: "true", NODE_ENV: "production", ADMIN_UI_NAMESPACE: "/ops" },
    });
  });
  after(() => server.stop());

  it("sends stats only and takes no action", async () => {
    assert.match(server.stderr() + server.stdout(), /without ADMIN_UI_USERNAME/);
    const admin = connect(`${server.url}/ops`);
    const rec = recorder(admin);
    await once(admin, "connect");
    const [config] = await rec.wait("config");
    assert.deepEqual(config.supportedFeatures, ["AGGREGATED_EVENTS"]);
    const client = connect(server.url);
    await once(client, "connect");
    admin.emit("_disconnect", "/", false);
    await rec.wait("server_stats", (s) => s.namespaces.some((n) => n.name === "/" && n.socketsCount === 1));
    assert.ok(client.connected, "a read-only UI disconnected a client");
    for (const event of ["all_sockets", "socket_connected", "event_received"])
      assert.equal(rec.find(event), undefined, `${event} in production mode`);
    client.close();
    admin.close();
  });
});
