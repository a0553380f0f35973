// The C++ examples, driven by the real socket.io-client.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { startServer, once } from "../lib/server.js";
import { connected } from "../lib/targets.js";

describe("examples/chat_server.cpp", () => {
  let server;
  const sockets = [];
  const open = (auth) => {
    const s = io(server.url, { forceNew: true, reconnection: false, auth });
    sockets.push(s);
    return s;
  };
  before(async () => (server = await startServer("chat-server")));
  after(async () => {
    for (const s of sockets) s.disconnect();
    await server.stop();
  });

  it("refuses a client without a name", async () => {
    await assert.rejects(connected(open({})), /name required/);
  });

  it("announces joins and relays chat in a room to the others", async () => {
    const ann = await connected(open({ name: "ann" }));
    const joined = once(ann, "joined");
    const bob = await connected(open({ name: "bob" }));
    assert.deepEqual(await joined, ["bob"]);
    assert.equal(await bob.emitWithAck("join", "tea"), "ok");
    assert.equal(await ann.emitWithAck("join", "tea"), "ok");
    const heard = once(bob, "chat");
    let echoed = false;
    ann.on("chat", () => (echoed = true));
    assert.equal(await ann.emitWithAck("chat", "tea", "hello"), "delivered");
    assert.deepEqual(await heard, ["ann", "hello"]);
    assert.equal(echoed, false, "the sender does not get its own message");
    const typing = once(bob, "typing");
    ann.emit("typing", "tea");
    assert.deepEqual(await typing, ["ann"]);
    const left = once(ann, "left");
    bob.disconnect();
    assert.deepEqual(await left, ["bob"]);
  });
});
