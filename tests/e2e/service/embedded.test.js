// examples/embedded_service.cpp: RealtimeService inside a C++ back end,
// driven by a real socket.io-client.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import jwt from "jsonwebtoken";
import { io } from "socket.io-client";
import { startServer, once } from "../lib/server.js";
import { connected } from "../lib/targets.js";

describe("RealtimeService embedded in a C++ program", () => {
  let server;
  const sockets = [];
  before(async () => (server = await startServer("embedded-service", [], { env: { JWT_SECRET: "embed-secret" } })));
  after(async () => {
    for (const s of sockets) s.disconnect();
    await server.stop();
  });
  const open = (sub) => {
    const s = io(server.url, { forceNew: true, reconnection: false, auth: sub ? { token: jwt.sign({ sub }, "embed-secret") } : {} });
    sockets.push(s);
    return s;
  };

  it("refuses a client without a token", async () => {
    await assert.rejects(connected(open()), /Authentication required/);
  });

  it("delivers what business code on another thread emits to every tab of the user", async () => {
    const tab1 = await connected(open("buyer"));
    const tab2 = await connected(open("buyer"));
    const other = await connected(open("someone-else"));
    let leaked = false;
    other.on("order:status_updated", () => (leaked = true));
    await server.output(/hook connection user=buyer/);
    const updates = [once(tab1, "order:status_updated"), once(tab2, "order:status_updated")];
    assert.deepEqual(await tab1.emitWithAck("order:place", "order-77"), { accepted: true });
    for (const [update] of await Promise.all(updates)) assert.deepEqual(update, { orderId: "order-77", status: "shipped" });
    assert.equal(leaked, false);
  });
});
