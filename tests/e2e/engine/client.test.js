// The real engine.io-client from npm against the Engine.IO echo example.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { Socket } from "engine.io-client";
import { startServer, shardCounts, once } from "../lib/server.js";

function connect(server, opts) {
  return new Socket(server.url, { path: "/engine.io/", ...opts });
}

async function echo(socket, data) {
  const reply = once(socket, "message");
  socket.send(data);
  const [message] = await reply;
  return message;
}

async function checkTextAndBinary(socket) {
  assert.equal(await echo(socket, "hello"), "hello");
  assert.equal(await echo(socket, "é ✓ 𝄞"), "é ✓ 𝄞");
  const bytes = Uint8Array.from([0, 1, 2, 253, 254, 255]);
  const back = await echo(socket, bytes);
  assert.deepEqual(Uint8Array.from(back), bytes);
  // Several messages in one turn arrive in order.
  const got = [];
  const done = new Promise((r) => socket.on("message", (m) => got.push(m) === 20 && r()));
  for (let i = 0; i < 20; i++) socket.send(`m${i}`);
  await done;
  assert.deepEqual(got, Array.from({ length: 20 }, (_, i) => `m${i}`));
}

for (const shards of shardCounts) {
  describe(`engine.io-client, ${shards} shard(s)`, () => {
    let server;
    before(async () => {
      server = await startServer("engine-echo", ["--threads", String(shards), "--ping-interval", "300", "--ping-timeout", "400"]);
    });
    after(async () => server.stop());

    it("talks over polling only", async () => {
      const socket = connect(server, { transports: ["polling"] });
      await once(socket, "open");
      assert.equal(socket.transport.name, "polling");
      await checkTextAndBinary(socket);
      assert.equal(socket.transport.name, "polling");
      socket.close();
    });

    it("talks over WebSocket only", async () => {
      const socket = connect(server, { transports: ["websocket"] });
      await once(socket, "open");
      assert.equal(socket.transport.name, "websocket");
      await checkTextAndBinary(socket);
      socket.close();
    });

    it("upgrades from polling to WebSocket and loses nothing", async () => {
      const socket = connect(server, { transports: ["polling", "websocket"] });
      await once(socket, "open");
      assert.equal(socket.transport.name, "polling");
      // Messages sent while the upgrade runs must arrive once each, in order.
      const got = [];
      const all = new Promise((r) => {
        const onMessage = (m) => got.push(m) === 20 && (socket.off("message", onMessage), r());
        socket.on("message", onMessage);
      });
      for (let i = 0; i < 10; i++) socket.send(`before-${i}`);
      await once(socket, "upgrade");
      assert.equal(socket.transport.name, "websocket");
      for (let i = 0; i < 10; i++) socket.send(`after-${i}`);
      await all;
      const expected = [...Array.from({ length: 10 }, (_, i) => `before-${i}`), ...Array.from({ length: 10 }, (_, i) => `after-${i}`)];
      assert.deepEqual(got, expected);
      await checkTextAndBinary(socket);
      socket.close();
    });

    it("keeps a client that answers pings alive past several ping intervals", async () => {
      const socket = connect(server, { transports: ["websocket"] });
      await once(socket, "open");
      let closed = false;
      socket.on("close", () => (closed = true));
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(closed, false);
      assert.equal(await echo(socket, "still here"), "still here");
      socket.close();
    });

    for (const transport of ["polling", "websocket"]) {
      it(`delivers the server's close to the client (${transport})`, async () => {
        const socket = connect(server, { transports: [transport] });
        await once(socket, "open");
        const sid = socket.id;
        const closing = once(socket, "close");
        socket.send("close-me");
        const [reason] = await closing;
        assert.equal(reason, "transport close");
        assert.equal(await server.closeReason(sid), "forced close");
      });

      it(`lets the client close the session (${transport})`, async () => {
        const socket = connect(server, { transports: [transport] });
        await once(socket, "open");
        const sid = socket.id;
        const closing = once(socket, "close");
        socket.close();
        const [reason] = await closing;
        assert.equal(reason, "forced close");
        assert.equal(await server.closeReason(sid), "transport close");
      });

      it(`closes a client that stops answering pings (${transport})`, async () => {
        const socket = connect(server, { transports: [transport] });
        await once(socket, "open");
        const sid = socket.id;
        // Make the real client silent: its pongs never leave.
        const transportImpl = socket.transport;
        const send = transportImpl.send.bind(transportImpl);
        transportImpl.send = (packets) => {
          const kept = packets.filter((p) => p.type !== "pong");
          if (kept.length) send(kept);
        };
        const [reason] = await once(socket, "close", 5000);
        assert.ok(["transport close", "ping timeout", "transport error"].includes(reason), reason);
        assert.equal(await server.closeReason(sid), "ping timeout");
      });
    }
  });
}
