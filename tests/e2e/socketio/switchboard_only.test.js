// Behaviour Switchboard adds on purpose where Node has none (docs/socketio.md),
// so these run against Switchboard only.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, shardCounts, sleep } from "../lib/server.js";
import { client, connected, request } from "../lib/targets.js";

for (const shards of shardCounts) {
  describe(`Switchboard acks, ${shards} shard(s)`, () => {
    let server;
    const sockets = [];
    const open = () => {
      const s = client(server);
      sockets.push(s);
      return s;
    };
    before(async () => (server = await startServer("socketio-test-server", ["--threads", String(shards), "--ack-timeout", "200"])));
    after(async () => {
      for (const s of sockets) s.disconnect();
      await server.stop();
    });

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
