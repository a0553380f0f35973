// Connecting, namespaces, events, acks and binary with the real socket.io-client.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { targets, connected, request, withServer, perNode } from "../lib/targets.js";
import { once, sleep } from "../lib/server.js";

for (const target of targets) {
  describe(`Socket.IO basics against ${target.name}`, () => {
    const ctx = withServer({ before, after }, target);
    const open = (...a) => ctx.open(...a);

    it("connects to / and gets its auth payload back", async () => {
      const socket = open("/", { auth: { token: "123" } });
      const auth = once(socket, "auth");
      await connected(socket);
      assert.match(socket.id, /^[\w-]{20}$/);
      assert.deepEqual((await auth)[0], { token: "123" });
    });

    it("connects to a named namespace", async () => {
      const socket = open("/custom", { auth: { who: "me" } });
      const auth = once(socket, "auth");
      await connected(socket);
      assert.deepEqual((await auth)[0], { who: "me" });
    });

    it("refuses an unknown namespace with Invalid namespace", async () => {
      const socket = open("/nowhere");
      await assert.rejects(connected(socket), (err) => err.message === "Invalid namespace");
    });

    it("keeps the connection for other namespaces after an unknown one", async () => {
      const main = open("/");
      await connected(main);
      const bad = main.io.socket("/nowhere");
      const err = await once(bad, "connect_error");
      assert.equal(err[0].message, "Invalid namespace");
      assert.equal(main.connected, true);
      main.emit("message", "still");
      assert.deepEqual(await once(main, "message-back"), ["still"]);
    });

    it("creates a dynamic namespace on first connect", async () => {
      const socket = open("/dyn-42");
      const nsp = once(socket, "nsp");
      await connected(socket);
      assert.deepEqual(await nsp, ["/dyn-42"]);
      await assert.rejects(connected(open("/dyn-x")), /Invalid namespace/);
    });

    it("creates a namespace a predicate accepts, with the CONNECT auth", async () => {
      const socket = open("/fn-7", { auth: { allow: true } });
      const nsp = once(socket, "nsp");
      await connected(socket);
      assert.deepEqual(await nsp, ["/fn-7"]);
      await assert.rejects(connected(open("/fn-8", { auth: { allow: false } })), /Invalid namespace/);
    });

    it("runs namespace middleware and refuses with message and data", async () => {
      const refused = open("/mw", { auth: { token: "nope" } });
      await assert.rejects(connected(refused), (err) => {
        assert.equal(err.message, "not authorized");
        assert.deepEqual(err.data, { reason: "bad token" });
        return true;
      });
      await connected(open("/mw", { auth: { token: "ok" } }));
    });

    it("echoes events with every kind of argument", async () => {
      const socket = await connected(open());
      const args = [1, "2", { three: [3] }, null, true, 4.5, [], "é ✓"];
      socket.emit("message", ...args);
      assert.deepEqual(await once(socket, "message-back"), args);
    });

    it("acks a client event with its arguments", async () => {
      const socket = await connected(open());
      const all = await new Promise((resolve) => socket.emit("message-with-ack", 1, "2", { x: 3 }, (...a) => resolve(a)));
      assert.deepEqual(all, [1, "2", { x: 3 }]);
      assert.equal(await socket.emitWithAck("message-with-ack", "first", "second"), "first");
    });

    it("echoes binary anywhere in the arguments, in order", async () => {
      const socket = await connected(open());
      const a = Buffer.from([1, 2, 3]);
      const b = Buffer.from([255, 0]);
      socket.emit("message", a, { nested: [b, { deep: a }] }, "text");
      const [x, y, z] = await once(socket, "message-back");
      assert.deepEqual(Buffer.from(x), a);
      assert.deepEqual(Buffer.from(y.nested[0]), b);
      assert.deepEqual(Buffer.from(y.nested[1].deep), a);
      assert.equal(z, "text");
      const acked = await socket.emitWithAck("message-with-ack", b);
      assert.deepEqual(Buffer.from(acked), b);
    });

    it("emits to the client with an ack and gets its answer", async () => {
      const socket = await connected(open());
      socket.on("question", (n, ack) => ack(n * 2));
      const result = await request(socket, "emit-with-ack", { event: "question", args: [21], timeout: 1000 });
      assert.deepEqual(result, { err: null, response: [42] });
    });

    it("reports a timeout when the client does not ack", async () => {
      const socket = await connected(open());
      socket.on("question", () => {});
      const result = await request(socket, "emit-with-ack", { event: "question", args: [], timeout: 100 });
      assert.equal(result.err, "operation has timed out");
    });

    it("refuses to emit a reserved event name", async () => {
      const socket = await connected(open());
      assert.deepEqual(await request(socket, "emit-reserved"), { refused: true });
    });

    it("disconnects a client that sends a reserved event name", async () => {
      const socket = await connected(open());
      const closed = once(socket, "disconnect");
      socket.io.engine.send('42["disconnect"]');
      assert.equal((await closed)[0], "transport close");
    });

    it("delivers client namespace disconnect", { skip: perNode(target, "the disconnect record is kept by the node that held the socket") }, async () => {
      const socket = await connected(open());
      const id = socket.id;
      socket.disconnect();
      await sleep(100);
      const observer = await connected(open());
      const last = await request(observer, "last-disconnect", id);
      assert.equal(last.reason, "client namespace disconnect");
      assert.deepEqual(last.rooms, [id], "rooms are still there while disconnecting");
    });

    it("delivers server namespace disconnect without closing the connection", async () => {
      const main = await connected(open());
      const custom = main.io.socket("/custom");
      await connected(custom);
      const gone = once(custom, "disconnect");
      custom.emit("disconnect-me", false);
      assert.equal((await gone)[0], "io server disconnect");
      main.emit("message", "alive");
      assert.deepEqual(await once(main, "message-back"), ["alive"]);
    });

    it("reports transport close when the client's connection drops", { skip: perNode(target, "the disconnect record is kept by the node that held the socket") }, async () => {
      const socket = await connected(open());
      const id = socket.id;
      socket.io.engine.close();
      await sleep(150);
      const observer = await connected(open());
      assert.equal((await request(observer, "last-disconnect", id)).reason, "transport close");
    });

    it("reports server namespace disconnect on the server side", { skip: perNode(target, "the disconnect record is kept by the node that held the socket") }, async () => {
      const socket = await connected(open());
      const id = socket.id;
      const gone = once(socket, "disconnect");
      socket.emit("disconnect-me", false);
      await gone;
      const observer = await connected(open());
      assert.equal((await request(observer, "last-disconnect", id)).reason, "server namespace disconnect");
    });

    it("closes the whole connection with disconnect(true)", async () => {
      const socket = await connected(open());
      const gone = once(socket, "disconnect");
      socket.emit("disconnect-me", true);
      assert.equal((await gone)[0], "io server disconnect");
    });

    it("closes a client that never connects a namespace after connectTimeout", async () => {
      const socket = open("/", { autoConnect: false });
      socket.io.opts.autoConnect = false;
      const manager = socket.io;
      manager.open();
      const closed = once(manager, "close", 4000);
      const [reason] = await closed;
      assert.equal(reason, "transport close");
    });
  });
}
