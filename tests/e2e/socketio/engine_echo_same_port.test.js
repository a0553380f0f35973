// The protocol test server also serves the plain Engine.IO echo at /engine.io/.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { Socket } from "engine.io-client";
import { startServer, shardCounts, once } from "../lib/server.js";

for (const shards of shardCounts) {
  describe(`socketio-test-server /engine.io/ echo, ${shards} shard(s)`, () => {
    let server;
    before(async () => (server = await startServer("socketio-test-server", ["--threads", String(shards)])));
    after(async () => server.stop());

    it("echoes Engine.IO messages beside the Socket.IO endpoint", async () => {
      const socket = new Socket(server.url, { path: "/engine.io/" });
      await once(socket, "open");
      const back = once(socket, "message");
      socket.send("plain engine.io");
      assert.deepEqual(await back, ["plain engine.io"]);
      socket.close();
    });
  });
}
