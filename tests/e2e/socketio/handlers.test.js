// Per-socket middleware, catch-all listeners, and connection state recovery.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { targets, connected, request, collect, withServer, perNode } from "../lib/targets.js";
import { once, sleep } from "../lib/server.js";

for (const target of targets) {
  describe(`Socket.IO handlers against ${target.name}`, () => {
    const ctx = withServer({ before, after }, target);
    const open = (...a) => ctx.open(...a);

    it("runs per-packet middleware that can refuse a packet", async () => {
      const socket = await connected(open());
      const unwanted = collect(socket, "should-not-happen");
      const error = once(socket, "middleware-error");
      socket.emit("forbidden-event");
      assert.deepEqual(await error, ["forbidden"]);
      await sleep(100);
      assert.deepEqual(unwanted, []);
      socket.emit("message", "passes");
      assert.deepEqual(await once(socket, "message-back"), ["passes"]);
    });

    it("calls catch-all listeners for incoming and outgoing events", async () => {
      const socket = await connected(open());
      const seen = once(socket, "any-seen");
      socket.emit("any-probe", 1);
      assert.deepEqual(await seen, ["any-probe"]);
      socket.emit("message", "x");
      await once(socket, "message-back");
      assert.equal(await request(socket, "last-outgoing"), "message-back");
    });
  });

  describe(`Socket.IO connection state recovery against ${target.name}`, () => {
    const ctx = withServer({ before, after }, target, ["--recovery"]);

    it("gives a reconnecting client its id, rooms, data and every missed packet, in order", {
      skip: perNode(target, "recovery keeps missed packets per node, as Node's classic Redis adapter (no recovery) does not either"),
    }, async () => {
      const a = ctx.open("/", { reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 50, transports: ["websocket"] });
      const b = ctx.open("/");
      await connected(a);
      await connected(b);
      assert.equal(a.recovered, false);
      const id = a.id;
      await request(a, "join", "r1");
      await request(a, "set-data", { kept: true });
      const got = collect(a, "news");
      await request(b, "emit", { event: "news", args: ["before"] });
      await sleep(100);
      assert.deepEqual(got.map((x) => x[0]), ["before"]);

      // Drop A's connection: the server sees "transport close", a recoverable reason.
      const reconnected = once(a, "connect", 5000);
      a.io.engine.close();
      await request(b, "emit", { event: "news", args: ["missed-1"] });
      await request(b, "emit", { to: ["r1"], event: "news", args: ["missed-2"] });
      await request(b, "emit", { to: ["elsewhere"], event: "news", args: ["not-for-a"] });
      await request(b, "emit", { event: "news", args: ["missed-3"] });
      await reconnected;

      assert.equal(a.recovered, true);
      assert.equal(a.id, id);
      await sleep(100);
      assert.deepEqual(got.map((x) => x[0]), ["before", "missed-1", "missed-2", "missed-3"]);
      assert.deepEqual(await request(a, "rooms"), [id, "r1"].sort());
      assert.deepEqual(await request(a, "data"), { kept: true });
      assert.equal(await request(a, "recovered"), true);
      // Offsets ride as the last argument of each event.
      assert.equal(typeof got[1][1], "string");
    });

    it("starts fresh with an unknown pid", async () => {
      const socket = ctx.open("/");
      socket.auth = { pid: "nope", offset: "bad" };
      await connected(socket);
      assert.equal(socket.recovered, false);
      assert.equal(await request(socket, "recovered"), false);
    });

    it("does not recover after an explicit disconnect", async () => {
      const a = ctx.open("/");
      await connected(a);
      const id = a.id;
      a.disconnect();
      await sleep(50);
      a.connect();
      await connected(a);
      assert.notEqual(a.id, id);
      assert.equal(a.recovered, false);
    });
  });
}
