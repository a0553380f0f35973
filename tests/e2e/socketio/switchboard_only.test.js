// Behaviour Switchboard adds on purpose where Node has none (docs/socketio.md),
// so these run against Switchboard only.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, shardCounts, sleep } from "../lib/server.js";
import { client, connected, request } from "../lib/targets.js";
import { RS, handshake, poll, post } from "../lib/raw.js";

// The socketio test server with `args` for the enclosing describe; open()
// makes a client that is disconnected after it.
function serverWith(args, clientOptions = {}) {
  const ctx = { server: null, sockets: [] };
  ctx.open = () => {
    const s = client(ctx.server, "/", clientOptions);
    ctx.sockets.push(s);
    return s;
  };
  before(async () => (ctx.server = await startServer("socketio-test-server", args)));
  after(async () => {
    for (const s of ctx.sockets) s.disconnect();
    await ctx.server.stop();
  });
  return ctx;
}

for (const shards of shardCounts) {
  describe(`Switchboard acks, ${shards} shard(s)`, () => {
    const ctx = serverWith(["--threads", String(shards), "--ack-timeout", "200"]);
    const open = ctx.open;

    it("fails an emit with ack after the server-wide default timeout", async () => {
      const socket = await connected(open());
      socket.on("never-answered", () => {});
      await request(socket, "emit-with-default-ack", { event: "never-answered" });
      assert.equal(await request(socket, "ack-result", socket.id), "pending");
      await sleep(400);
      assert.equal(await request(socket, "ack-result", socket.id), "operation has timed out");
    });

    it("answers an emit with ack once it is acked, and never again", async () => {
      const socket = await connected(open());
      socket.on("answered", (ack) => ack("yes"));
      await request(socket, "emit-with-default-ack", { event: "answered" });
      await sleep(400);
      assert.equal(await request(socket, "ack-result", socket.id), null);
    });

    it("releases a pending ack with an error when the socket disconnects", async () => {
      const socket = await connected(open());
      const id = socket.id;
      socket.on("never-answered", () => {});
      await request(socket, "emit-with-default-ack", { event: "never-answered" });
      socket.disconnect();
      await sleep(50);
      const observer = await connected(open());
      assert.equal(await request(observer, "ack-result", id), "socket has been disconnected");
    });
  });
}

// Node has no bound on what it buffers for a client; Switchboard closes a
// client past --max-buffered-bytes. Here that happens in the middle of a burst
// delivered as one batch: the others must get everything, and the closed
// socket must not be touched after it is gone (the sanitizer build runs this).
for (const shards of shardCounts) {
  describe(`Switchboard buffer limit during a burst, ${shards} shard(s)`, () => {
    // WebSocket clients: nothing held back by polling.
    const ctx = serverWith(["--threads", String(shards), "--max-buffered-bytes", "20000"], { transports: ["websocket"] });
    const open = ctx.open;

    it("closes the client that goes past the limit mid-burst and delivers the burst to the others", async () => {
      // `a` polls, and sends no GET: what it is sent stays buffered.
      const { server } = ctx;
      const { open: eio } = await handshake(server.url, {}, "/socket.io/");
      await post(server.url, eio.sid, "40", "/socket.io/");
      const connect = await poll(server.url, eio.sid, "/socket.io/");
      const aId = JSON.parse(connect.body.split(RS)[0].slice(2)).sid;
      await post(server.url, eio.sid, '42["join","r"]', "/socket.io/");
      const [b, c] = [await connected(open()), await connected(open())];
      for (const s of [b, c]) await request(s, "join", "r");
      const got = [b, c].map((s) => {
        const n = [];
        s.on("n", (i) => n.push(i));
        return n;
      });
      // 15 KB for `a` alone, then 10 × 1 KB to all three, in one turn: `a`
      // passes 20,000 bytes after a few packets of the burst.
      const burst = Array.from({ length: 10 }, (_, i) => ({ emit: { to: ["r"], event: "n", args: [i, "y".repeat(1000)] } }));
      await request(b, "steps", [{ emit: { to: [aId], event: "big", args: ["x".repeat(15000)] } }, ...burst]);
      await sleep(100);
      for (const n of got) assert.deepEqual(n, burst.map((_, i) => i));
      assert.ok(b.connected && c.connected);
      // `a` was closed for an error: its session is gone, not holding the burst.
      const last = await poll(server.url, eio.sid, "/socket.io/");
      assert.equal(last.status, 400);
      assert.deepEqual(JSON.parse(last.body), { code: 1, message: "Session ID unknown" });
    });
  });
}
