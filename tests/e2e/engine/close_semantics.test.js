// How a session ends, by close reason and transport, as Node's engine.io 6.6
// does it (docs/engine.md, "Closing"): a close the server asks for delivers
// what is queued and then the close packet; a close the client asks for or
// that an error causes ends the session at once, so the next request with its
// sid gets "Session ID unknown". Run against Switchboard and against Node.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, startEngineReference, shardCounts, sleep } from "../lib/server.js";
import { RS, eioUrl, expectError, frames, handshake, openWs, opened, poll, post } from "../lib/raw.js";

const args = ["--ping-interval", "200", "--ping-timeout", "200"];
const targets = [
  ...shardCounts.map((n) => ({ name: `switchboard-${n}`, start: () => startServer("engine-echo", ["--threads", String(n), ...args]) })),
  { name: "reference", start: () => startEngineReference(args) },
];

const wsUrl = (base, sid) => eioUrl(base.replace("http", "ws"), { EIO: "4", transport: "websocket", ...(sid ? { sid } : {}) });
const unknownSid = (base, sid) => expectError(eioUrl(base, { EIO: "4", transport: "polling", sid }), {}, 400, 1, "Session ID unknown");

// A polling session upgraded to WebSocket; resolves with the WebSocket.
async function upgraded(base, sid) {
  const ws = openWs(wsUrl(base, sid));
  await opened(ws);
  ws.send("2probe");
  assert.equal((await frames(ws, 1))[0], "3probe");
  ws.send("5");
  return ws;
}

for (const target of targets) {
  describe(`Engine.IO close semantics, ${target.name}`, () => {
    let server;
    before(async () => (server = await target.start()));
    after(async () => server.stop());

    describe("polling", () => {
      it("ping timeout with no GET waiting: the session is gone at once", async () => {
        const { open } = await handshake(server.url);
        assert.equal(await server.closeReason(open.sid, 3000), "ping timeout");
        await unknownSid(server.url, open.sid);
      });

      it("ping timeout with a GET waiting: the GET gets the close packet", async () => {
        const { open } = await handshake(server.url);
        assert.equal((await poll(server.url, open.sid)).body, "2");
        const got = await poll(server.url, open.sid); // held until the timeout; no pong
        assert.equal(got.body, "1");
        assert.equal(await server.closeReason(open.sid), "ping timeout");
        await unknownSid(server.url, open.sid);
      });

      it("parse error with no GET waiting: the session is gone at once", async () => {
        const { open } = await handshake(server.url);
        assert.equal((await post(server.url, open.sid, "9bad")).status, 200);
        assert.equal(await server.closeReason(open.sid), "parse error");
        await unknownSid(server.url, open.sid);
      });

      it("transport error (a ping from the client) with a GET waiting: close packet, then gone", async () => {
        const { open } = await handshake(server.url);
        const pending = poll(server.url, open.sid);
        await sleep(30);
        await post(server.url, open.sid, "2");
        assert.equal((await pending).body, "1");
        assert.equal(await server.closeReason(open.sid), "transport error");
        await unknownSid(server.url, open.sid);
      });

      it("the client's close packet: the waiting GET gets a noop, then the session is gone", async () => {
        const { open } = await handshake(server.url);
        const pending = poll(server.url, open.sid);
        await sleep(30);
        await post(server.url, open.sid, "1");
        assert.equal((await pending).body, "6");
        assert.equal(await server.closeReason(open.sid), "transport close");
        await unknownSid(server.url, open.sid);
      });

      it("a close the server asks for: queued packets, then the close packet, then gone", async () => {
        const { open } = await handshake(server.url);
        await post(server.url, open.sid, ["4last words", "4close-me"].join(RS));
        assert.equal((await poll(server.url, open.sid)).body, "4last words");
        assert.equal((await poll(server.url, open.sid)).body, "6" + RS + "1", "a noop, then the close packet");
        assert.equal(await server.closeReason(open.sid), "forced close");
        await unknownSid(server.url, open.sid);
      });
    });

    describe("WebSocket", () => {
      it("ping timeout closes the WebSocket", async () => {
        const ws = openWs(wsUrl(server.url));
        const [open] = await frames(ws, 2);
        assert.equal((await frames(ws, 2))[1], "2");
        await ws.closed;
        assert.equal(await server.closeReason(JSON.parse(open.slice(1)).sid), "ping timeout");
      });

      it("a parse error closes the WebSocket", async () => {
        const ws = openWs(wsUrl(server.url));
        const [open] = await frames(ws, 1);
        ws.send("9bad");
        await ws.closed;
        assert.equal(await server.closeReason(JSON.parse(open.slice(1)).sid), "parse error");
      });

      it("a close the server asks for sends what is queued, then closes", async () => {
        const ws = openWs(wsUrl(server.url));
        const [open] = await frames(ws, 1);
        ws.send("4bye");
        ws.send("4close-me");
        await ws.closed;
        assert.ok(ws.frames.includes("4bye"), `frames: ${JSON.stringify(ws.frames)}`);
        assert.equal(await server.closeReason(JSON.parse(open.slice(1)).sid), "forced close");
      });

      it("a WebSocket for an already upgraded session gets the 101 and is closed; the session keeps working", async () => {
        const { open } = await handshake(server.url);
        const first = await upgraded(server.url, open.sid);
        const second = openWs(wsUrl(server.url, open.sid));
        await opened(second); // the 101
        assert.equal((await second.closed).code, 1005, "a close frame without status");
        first.send("4still here");
        assert.ok((await frames(first, 2)).includes("4still here"));
        first.close();
      });

      it("a WebSocket for a session being upgraded gets the 101 and is closed; the upgrade completes", async () => {
        const { open } = await handshake(server.url);
        const probe = openWs(wsUrl(server.url, open.sid));
        await opened(probe);
        const second = openWs(wsUrl(server.url, open.sid));
        await opened(second);
        assert.equal((await second.closed).code, 1005);
        probe.send("2probe");
        assert.equal((await frames(probe, 1))[0], "3probe");
        probe.send("5");
        probe.send("4upgraded");
        assert.ok((await frames(probe, 2)).includes("4upgraded"));
        probe.close();
      });

      it("a WebSocket naming an unknown sid gets 400 code 1", async () => {
        const ws = openWs(wsUrl(server.url, "AAAAAAAAAAAAAAAAAAAA"));
        const res = await new Promise((resolve) => ws.once("unexpected-response", (_, r) => resolve(r)));
        assert.equal(res.statusCode, 400);
        const body = await new Promise((resolve) => {
          let text = "";
          res.on("data", (d) => (text += d));
          res.on("end", () => resolve(text));
        });
        assert.equal(body, "Session ID unknown", "Node answers a refused upgrade with the message as text");
      });
    });
  });
}
