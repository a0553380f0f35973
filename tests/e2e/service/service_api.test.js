// Every RealtimeService method, called from a C++ worker thread
// (tests/fixtures/service_driver.cpp), observed by real socket.io-client sockets.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import jwt from "jsonwebtoken";
import { io } from "socket.io-client";
import { startServer, shardCounts, once, sleep } from "../lib/server.js";
import { connected, collect } from "../lib/targets.js";

for (const shards of shardCounts) {
  describe(`RealtimeService API from a worker thread, ${shards} shard(s)`, () => {
    let server;
    let admin;
    const sockets = [];
    const open = async (sub, extra = {}) => {
      const auth = sub ? { token: jwt.sign({ sub, name: `Name ${sub}`, email: `${sub}@example.com` }, "driver-secret") } : {};
      const s = io(server.url, { forceNew: true, reconnection: false, auth, ...extra });
      sockets.push(s);
      return connected(s);
    };
    const call = (method, args = {}) => admin.timeout(3000).emitWithAck("call", { method, ...args });
    before(async () => {
      server = await startServer("service-driver", ["--threads", String(shards)]);
      admin = await open(null);
    });
    after(async () => {
      for (const s of sockets) s.disconnect();
      await server.stop();
    });

    it("emits to everyone, a room (with except), users, a socket, and everyone but some", async () => {
      const a = await open("a");
      const b = await open("b");
      const c = await open("c");
      await b.emitWithAck("join_room", "r");
      await c.emitWithAck("join_room", "r");
      const got = [a, b, c].map((s) => collect(s, "e"));
      await call("broadcast", { event: "e", data: "all" });
      await call("emitToRoom", { room: "r", event: "e", data: "room" });
      await call("broadcastToRoom", { room: "r", event: "e", data: "room-but-c", except: [c.id] });
      await call("broadcastToUsers", { users: ["a", "c"], event: "e", data: "users" });
      await call("broadcastToAll", { event: "e", data: "all-but-b", except: [b.id] });
      await call("emitToSocket", { socket: a.id, event: "e", data: "socket" });
      await call("emitToUser", { user: "b", event: "e", data: "user" });
      await sleep(150);
      assert.deepEqual(got[0].map((x) => x[0]), ["all", "users", "all-but-b", "socket"]);
      assert.deepEqual(got[1].map((x) => x[0]), ["all", "room", "room-but-c", "user"]);
      assert.deepEqual(got[2].map((x) => x[0]), ["all", "room", "users", "all-but-b"]);
    });

    it("answers who is connected, with name, e-mail, rooms and times", async () => {
      const d = await open("d");
      const user = await call("getUser", { socket: d.id });
      assert.equal(user.userId, "d");
      assert.equal(user.username, "Name d");
      assert.equal(user.email, "d@example.com");
      assert.equal(user.socketId, d.id);
      assert.ok(user.rooms.includes("user:d"));
      assert.ok(user.connectedAt > 0 && user.lastActivity >= user.connectedAt);
      assert.equal(await call("getUser", { socket: "nope" }), null);
      assert.equal(await call("isUserOnline", { user: "d" }), true);
      assert.equal(await call("isUserOnline", { user: "nobody" }), false);
      const d2 = await open("d");
      assert.deepEqual((await call("getUserSockets", { user: "d" })).sort(), [d.id, d2.id].sort());
      assert.ok((await call("getConnectedUsers")).some((u) => u.userId === "d"));
      const count = await call("getLocalConnectionsCount");
      d2.disconnect();
      await sleep(100);
      assert.equal(await call("getLocalConnectionsCount"), count - 1);
      const stats = await call("getStats");
      assert.ok(stats.totalConnections >= stats.activeConnections && stats.totalRooms >= 1);
    });

    it("adds and removes a user's sockets to a room, with the room hooks", async () => {
      const e = await open("e");
      const got = collect(e, "in-room");
      await call("addUserToRoom", { user: "e", room: "club" });
      await sleep(50);
      await call("emitToRoom", { room: "club", event: "in-room", data: 1 });
      await call("removeUserFromRoom", { user: "e", room: "club" });
      await sleep(50);
      await call("emitToRoom", { room: "club", event: "in-room", data: 2 });
      await sleep(100);
      assert.deepEqual(got, [[1]]);
      await server.output(/hook room:join e club/);
      await server.output(/hook room:leave e club/);
    });

    it("disconnects a user and cleans up inactive sockets, with the disconnect hook", async () => {
      const f = await open("f");
      const gone = once(f, "disconnect");
      await call("disconnectUser", { user: "f" });
      assert.equal((await gone)[0], "io server disconnect");
      await server.output(/hook disconnect f /);
      const g = await open("g");
      await sleep(20);
      // Zero minutes of inactivity may take the caller too (when its call
      // is a millisecond old), cutting off its ack: read the count from the
      // driver's output instead.
      const idle = once(g, "disconnect");
      admin.emit("call", { method: "cleanup", minutes: 0 }, () => {});
      await idle;
      const [, cleaned] = await server.output(/hook cleanup (\d+)/);
      assert.ok(Number(cleaned) >= 1, `cleaned ${cleaned}`);
    });
  });
}
