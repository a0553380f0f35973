// Who may join which room: CLIENT_ROOMS patterns, the JOIN_AUTH_URL back end
// (a real Node http server: allow, deny, timeout, cache), reserved rooms, and
// every join path (join_room, room:join, subscribe_order, subscribe_inventory,
// presence:subscribe).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { spawnSync } from "node:child_process";
import path from "node:path";
import jwt from "jsonwebtoken";
import { io } from "socket.io-client";
import { startServer, buildDir, once, sleep } from "../lib/server.js";
import { connected } from "../lib/targets.js";

const SECRET = "join-auth-secret";
const token = (sub, claims = {}) => jwt.sign({ sub, ...claims }, SECRET, { expiresIn: "1h" });

// Joins `event` with `arg`; resolves with {ack} or {error}, whichever comes.
function tryJoin(socket, event, arg) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${event} got neither ack nor error`)), 5000);
    const onError = (e) => {
      if (e.event !== event) return;
      clearTimeout(timer);
      socket.off("error", onError);
      resolve({ error: e });
    };
    socket.on("error", onError);
    socket.emit(event, arg, (ack) => {
      clearTimeout(timer);
      socket.off("error", onError);
      resolve({ ack });
    });
  });
}

// POST /emit to `room` and tell whether `socket` got it: proves a refused join joined nothing.
async function receives(server, socket, room) {
  let got = false;
  const on = (d) => d === room && (got = true);
  socket.on("probe", on);
  const res = await fetch(`${server.url}/emit`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ event: "probe", data: room, to: { rooms: [room] } }),
  });
  assert.equal(res.status, 202);
  await sleep(150);
  socket.off("probe", on);
  return got;
}

describe("who may join which room", () => {
  const sockets = [];
  const open = (server, sub, claims) => {
    const s = io(server.url, { forceNew: true, reconnection: false, auth: { token: token(sub, claims) } });
    sockets.push(s);
    return connected(s);
  };
  after(() => sockets.forEach((s) => s.close()));

  it("with CLIENT_ROOMS only: listed patterns join, every other room and every reserved room is refused, on every join path", async () => {
    const server = await startServer("switchboard", [
      "--threads", "2", "--jwt-secret", SECRET, "--room-templates", "company:{companyId}",
    ], { env: { CLIENT_ROOMS: "chat:*,product:*,lobby" } });
    try {
      const s = await open(server, "alice", { companyId: 7 });
      assert.deepEqual(await tryJoin(s, "join_room", "chat:general"), { ack: { success: true, room: "chat:general" } });
      assert.deepEqual(await tryJoin(s, "room:join", { roomId: "lobby" }), { ack: { success: true, room: "lobby" } });
      assert.deepEqual(await tryJoin(s, "subscribe_inventory", 42), { ack: { success: true, room: "product:42" } });
      for (const [event, arg, room] of [
        ["subscribe_order", 123, "order:123"],
        ["presence:subscribe", "bob", "presence:bob"],
        ["join_room", "lobby2", "lobby2"],
        ["room:join", { roomId: "chat" }, "chat"],
        ["join_room", "user:bob", "user:bob"],
        ["room:join", { roomId: "company:8" }, "company:8"],
      ]) {
        assert.deepEqual(await tryJoin(s, event, arg), { error: { message: `Room not allowed: ${room}`, event } }, room);
      }
      assert.equal(await receives(server, s, "chat:general"), true);
      assert.equal(await receives(server, s, "order:123"), false, "a refused join joins nothing");
      assert.doesNotMatch(server.stdout() + server.stderr(), /neither CLIENT_ROOMS nor JOIN_AUTH_URL/);
    } finally {
      await server.stop();
    }
  });

  describe("with JOIN_AUTH_URL", () => {
    let backend, server;
    const asked = [];
    before(async () => {
      // Allows order:<n> when the token's claim orders holds n; never answers order:slow.
      backend = http.createServer((req, res) => {
        let body = "";
        req.on("data", (d) => (body += d));
        req.on("end", () => {
          const q = JSON.parse(body);
          asked.push({ path: req.url, type: req.headers["content-type"], ...q });
          if (q.room === "order:slow") return; // never answers: the timeout refuses
          const [, id] = q.room.split(":");
          const ok = q.room.startsWith("order:") && (q.claims.orders || []).includes(Number(id));
          res.writeHead(ok ? 200 : 403).end(ok ? "ok" : "no");
        });
      });
      await new Promise((r) => backend.listen(0, "127.0.0.1", r));
      server = await startServer("switchboard", ["--threads", "2", "--jwt-secret", SECRET], {
        env: {
          CLIENT_ROOMS: "chat:*",
          JOIN_AUTH_URL: `http://127.0.0.1:${backend.address().port}/can-join?v=1`,
          JOIN_AUTH_TIMEOUT: "300",
          JOIN_AUTH_CACHE_TTL: "400",
        },
      });
    });
    after(async () => {
      await server.stop();
      backend.closeAllConnections();
      backend.close();
    });

    it("posts {userId, room, claims}; 200 joins, anything else refuses", async () => {
      const s = await open(server, "carol", { orders: [5, 6] });
      asked.length = 0;
      assert.deepEqual(await tryJoin(s, "subscribe_order", 5), { ack: { success: true, room: "order:5" } });
      assert.equal(asked.length, 1);
      assert.equal(asked[0].path, "/can-join?v=1");
      assert.equal(asked[0].type, "application/json");
      assert.equal(asked[0].userId, "carol");
      assert.equal(asked[0].room, "order:5");
      assert.deepEqual(asked[0].claims.orders, [5, 6]);
      assert.equal(asked[0].claims.sub, "carol");
      assert.deepEqual(await tryJoin(s, "subscribe_order", 9), { error: { message: "Room not allowed: order:9", event: "subscribe_order" } });
      assert.deepEqual(await tryJoin(s, "presence:subscribe", "dave"), { error: { message: "Room not allowed: presence:dave", event: "presence:subscribe" } });
      assert.equal(await receives(server, s, "order:5"), true);
      assert.equal(await receives(server, s, "order:9"), false);
      // CLIENT_ROOMS never asks; reserved rooms never ask and never join.
      asked.length = 0;
      assert.deepEqual(await tryJoin(s, "join_room", "chat:x"), { ack: { success: true, room: "chat:x" } });
      assert.deepEqual(await tryJoin(s, "join_room", "user:dave"), { error: { message: "Room not allowed: user:dave", event: "join_room" } });
      assert.equal(asked.length, 0);
    });

    it("refuses when the back end does not answer in JOIN_AUTH_TIMEOUT, and keeps serving", async () => {
      const s = await open(server, "erin", { orders: [1] });
      const started = Date.now();
      assert.deepEqual(await tryJoin(s, "room:join", { roomId: "order:slow" }), { error: { message: "Room not allowed: order:slow", event: "room:join" } });
      const took = Date.now() - started;
      assert.ok(took >= 250 && took < 2000, `refused after ${took} ms`);
      assert.deepEqual(await tryJoin(s, "subscribe_order", 1), { ack: { success: true, room: "order:1" } });
    });

    it("caches answers for JOIN_AUTH_CACHE_TTL, per user and room", async () => {
      const f = await open(server, "frank", { orders: [77] });
      const g = await open(server, "grace", { orders: [] });
      asked.length = 0;
      assert.ok((await tryJoin(f, "subscribe_order", 77)).ack);
      assert.ok((await tryJoin(f, "subscribe_order", 77)).ack);
      assert.ok((await tryJoin(g, "subscribe_order", 77)).error, "another user's answer is not reused");
      assert.ok((await tryJoin(g, "subscribe_order", 77)).error, "a refusal is cached too");
      assert.deepEqual(asked.map((a) => a.userId), ["frank", "grace"]);
      await sleep(500);
      assert.ok((await tryJoin(f, "subscribe_order", 77)).ack);
      assert.equal(asked.length, 3, "asked again once the answer expired");
    });
  });

  it("with neither setting: any non-reserved room joins, and one warning says so at start", async () => {
    const server = await startServer("switchboard", ["--jwt-secret", SECRET]);
    try {
      const s = await open(server, "hank");
      assert.deepEqual(await tryJoin(s, "subscribe_order", 1), { ack: { success: true, room: "order:1" } });
      assert.deepEqual(await tryJoin(s, "join_room", "user:x"), { error: { message: "Room not allowed: user:x", event: "join_room" } });
      const warnings = (server.stdout() + server.stderr()).match(/neither CLIENT_ROOMS nor JOIN_AUTH_URL/g) || [];
      assert.equal(warnings.length, 1);
    } finally {
      await server.stop();
    }
  });

  it("refuses an https or malformed JOIN_AUTH_URL at start with exit code 2", () => {
    for (const [url, pattern] of [["https://auth.example/join", /JOIN_AUTH_URL.*https is not supported/], ["ftp://x/", /JOIN_AUTH_URL.*only http/]]) {
      const r = spawnSync(path.join(buildDir, "switchboard"), ["--port", "0"], { env: { ...process.env, JOIN_AUTH_URL: url }, encoding: "utf8", timeout: 5000 });
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.match(r.stderr, pattern);
    }
  });
});
