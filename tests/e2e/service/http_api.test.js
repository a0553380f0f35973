// The daemon's HTTP API with real HTTP and real socket.io-client sockets.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import jwt from "jsonwebtoken";
import { io } from "socket.io-client";
import { startServer, shardCounts, once, sleep } from "../lib/server.js";
import { connected, collect } from "../lib/targets.js";

const SECRET = "api-test-secret";
const KEY = "k-123";
const token = (sub) => jwt.sign({ sub }, SECRET, { algorithm: "HS256", expiresIn: "1h" });

for (const shards of shardCounts) {
  describe(`switchboard HTTP API, ${shards} shard(s)`, () => {
    let server;
    const sockets = [];
    const open = (sub) => {
      const s = io(server.url, { forceNew: true, reconnection: false, auth: { token: token(sub) } });
      sockets.push(s);
      return connected(s);
    };
    const call = (method, path, body, { key = KEY, type = "application/json" } = {}) =>
      fetch(server.url + path, {
        method,
        headers: { ...(key ? { Authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { "Content-Type": type } : {}) },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
    before(async () => (server = await startServer("switchboard", ["--threads", String(shards), "--jwt-secret", SECRET, "--api-key", KEY])));
    after(async () => {
      for (const s of sockets) s.disconnect();
      await server.stop();
    });

    it("answers /health and /ready without a key", async () => {
      const health = await (await fetch(`${server.url}/health`)).json();
      assert.equal(health.status, "OK");
      assert.equal(health.service, "switchboard");
      assert.ok(!Number.isNaN(Date.parse(health.timestamp)));
      const ready = await fetch(`${server.url}/ready`);
      assert.equal(ready.status, 200);
    });

    it("needs the API key everywhere else", async () => {
      for (const path of ["/stats", "/connected-users", "/user-status/x"]) {
        const res = await call("GET", path, undefined, { key: null });
        assert.equal(res.status, 401);
        assert.match((await res.json()).error, /Authorization/);
        assert.equal((await call("GET", path, undefined, { key: "wrong" })).status, 401);
        assert.equal((await call("GET", path)).status, 200);
      }
    });

    it("lists connected users and a user's status with the socket count", async () => {
      await open("alice");
      await open("alice");
      await open("bob");
      const users = await (await call("GET", "/connected-users")).json();
      assert.equal(users.success, true);
      assert.deepEqual(users.data.users.filter((u) => u === "alice" || u === "bob").sort(), ["alice", "bob"]);
      assert.equal(users.data.count, users.data.users.length);
      assert.deepEqual((await (await call("GET", "/user-status/alice")).json()).data, { userId: "alice", isConnected: true, socketCount: 2 });
      assert.deepEqual((await (await call("GET", "/user-status/nobody")).json()).data, { userId: "nobody", isConnected: false, socketCount: 0 });
      const stats = (await (await call("GET", "/stats")).json()).data;
      assert.ok(stats.activeConnections >= 3 && stats.totalConnections >= 3 && stats.connectedUsers >= 2);
      // One node: the cluster is this node.
      assert.equal(stats.scope, "node");
      assert.deepEqual(
        { ...stats.cluster },
        { scope: "cluster", nodes: 1, totalConnections: stats.totalConnections, activeConnections: stats.activeConnections,
          connectedUsers: stats.connectedUsers, messagesReceived: stats.messagesReceived,
          refusedConnections: stats.refusedConnections, complete: true });
    });

    it("emits to users, rooms, sockets and all, with except, and answers 202 at once", async () => {
      const c1 = await open("c1");
      const c2 = await open("c2");
      const c3 = await open("c3");
      await c2.emitWithAck("join_room", "news");
      await c3.emitWithAck("join_room", "news");
      const got = [c1, c2, c3].map((s) => collect(s, "ping"));
      const emit = async (body) => {
        const res = await call("POST", "/emit", { event: "ping", ...body });
        assert.equal(res.status, 202);
        assert.deepEqual(await res.json(), { success: true });
      };
      await emit({ data: "u", to: { users: ["c1"] } });
      await emit({ data: "r", to: { rooms: ["news"] }, except: { sockets: [c3.id] } });
      await emit({ data: "s", to: { sockets: [c3.id] } });
      await emit({ data: "a", to: { all: true }, except: { rooms: ["news"] } });
      await sleep(150);
      assert.deepEqual(got[0].map((x) => x[0]), ["u", "a"]);
      assert.deepEqual(got[1].map((x) => x[0]), ["r"]);
      assert.deepEqual(got[2].map((x) => x[0]), ["s"]);
    });

    it("adds a user to a room, removes it, and disconnects the user", async () => {
      const d = await open("dora");
      const got = collect(d, "room-news");
      assert.equal((await call("POST", "/users/dora/rooms", { room: "vip" })).status, 202);
      await sleep(50);
      await call("POST", "/emit", { event: "room-news", data: 1, to: { rooms: ["vip"] } });
      assert.equal((await call("DELETE", "/users/dora/rooms/vip")).status, 202);
      await sleep(50);
      await call("POST", "/emit", { event: "room-news", data: 2, to: { rooms: ["vip"] } });
      await sleep(100);
      assert.deepEqual(got, [[1]]);
      const gone = once(d, "disconnect");
      assert.equal((await call("POST", "/users/dora/disconnect", { reason: "violation_of_terms" })).status, 202);
      assert.equal((await gone)[0], "io server disconnect");
      await sleep(50);
      // The per-node tracking is cleaned on every disconnect.
      assert.deepEqual((await (await call("GET", "/user-status/dora")).json()).data, { userId: "dora", isConnected: false, socketCount: 0 });
      const users = (await (await call("GET", "/connected-users")).json()).data.users;
      assert.ok(!users.includes("dora"));
    });

    it("answers bad requests with JSON errors that name the field", async () => {
      const expect = async (res, status, pattern) => {
        assert.equal(res.status, status);
        assert.match((await res.json()).error, pattern);
      };
      await expect(await call("POST", "/emit", "{not json"), 400, /body: invalid JSON/);
      await expect(await call("POST", "/emit", { to: { all: true } }), 400, /^event: is required/);
      await expect(await call("POST", "/emit", { event: "x" }), 400, /^to: is required/);
      await expect(await call("POST", "/emit", { event: "x", to: {} }), 400, /^to: name users/);
      await expect(await call("POST", "/emit", { event: "x", to: { rooms: "r" } }), 400, /^to\.rooms: must be an array/);
      await expect(await call("POST", "/emit", { event: "disconnect", to: { all: true } }), 400, /reserved/);
      await expect(await call("POST", "/emit", { event: "x", to: { all: true }, namespace: "/nope" }), 404, /namespace/);
      await expect(await call("POST", "/emit", { event: "x", to: { all: true } }, { type: "text/plain" }), 415, /Content-Type/);
      await expect(await call("GET", "/emit"), 405, /POST/);
      await expect(await call("POST", "/users/x/rooms", {}), 400, /^room: is required/);
      await expect(await call("GET", "/nowhere"), 404, /Not found/);
      const big = await call("POST", "/emit", { event: "x", to: { all: true }, data: "y".repeat(2 * 1024 * 1024) });
      assert.equal(big.status, 413);
      assert.match((await big.json()).error, /larger than the limit/);
    });
  });
}
