// Raw WebSocket against the Engine.IO echo example: handshake, frames, limits, upgrade.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, shardCounts, sleep } from "../lib/server.js";
import { eioUrl, handshake, poll, post, openWs, frames, opened } from "../lib/raw.js";

const sidOf = (ws) => JSON.parse(ws.frames[0].slice(1)).sid;
const wsUrl = (server, query) => eioUrl(server.url.replace("http", "ws"), { EIO: "4", transport: "websocket", ...query });

for (const shards of shardCounts) {
  describe(`Engine.IO WebSocket on the wire, ${shards} shard(s)`, () => {
    let server;
    before(async () => {
      server = await startServer("engine-echo", [
        "--threads", String(shards), "--ping-interval", "300", "--ping-timeout", "300",
        "--upgrade-timeout", "500", "--max-http-buffer-size", "1000", "--max-buffered-bytes", "200000",
      ]);
    });
    after(async () => server.stop());

    it("opens a WebSocket-only session with no upgrades offered", async () => {
      const ws = openWs(wsUrl(server));
      const [open] = await frames(ws, 1);
      assert.equal(open[0], "0");
      const data = JSON.parse(open.slice(1));
      assert.deepEqual(Object.keys(data), ["sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"]);
      assert.deepEqual(data.upgrades, []);
      ws.close();
    });

    it("echoes text frames and raw binary frames", async () => {
      const ws = openWs(wsUrl(server));
      await frames(ws, 1);
      ws.send("4hello");
      ws.send(Buffer.from([1, 2, 3]));
      ws.send("bBAUG"); // base64 binary in a text frame is read as binary too
      const got = await frames(ws, 4);
      assert.equal(got[1], "4hello");
      assert.deepEqual(got[2], Buffer.from([1, 2, 3]));
      assert.deepEqual(got[3], Buffer.from([4, 5, 6]));
      ws.close();
    });

    it("pings and closes a client that never pongs", async () => {
      const ws = openWs(wsUrl(server));
      const started = Date.now();
      const { code } = await ws.closed;
      const elapsed = Date.now() - started;
      assert.equal(ws.frames[1], "2");
      assert.equal(await server.closeReason(sidOf(ws)), "ping timeout");
      assert.equal(code, 1005, "a close frame without status, as Node sends");
      assert.ok(elapsed >= 550 && elapsed < 3000, `closed after ${elapsed} ms`);
    });

    it("closes a session whose client does not read once its queue is full", async () => {
      const ws = openWs(wsUrl(server));
      await frames(ws, 1);
      ws._socket.pause(); // stop reading: the echoes pile up in the kernel, then in the server
      const chunk = "4" + "r".repeat(900);
      for (let i = 0; i < 20000 && ws.readyState === ws.OPEN; i++) {
        ws.send(chunk);
        if (i % 100 === 99) await sleep(1);
      }
      assert.equal(await server.closeReason(sidOf(ws), 10000), "transport error");
      ws.terminate();
    });

    it("keeps a client that pongs", async () => {
      const ws = openWs(wsUrl(server));
      ws.on("message", (d) => d.toString() === "2" && ws.send("3"));
      await sleep(1200);
      assert.equal(ws.readyState, ws.OPEN);
      assert.ok(ws.frames.filter((f) => f === "2").length >= 2);
      ws.close();
    });

    it("closes a message over maxHttpBufferSize with 1009 and spares other clients", async () => {
      const other = openWs(wsUrl(server));
      await frames(other, 1);
      const ws = openWs(wsUrl(server));
      await frames(ws, 1);
      ws.send("4" + "x".repeat(2000));
      const { code } = await ws.closed;
      assert.equal(code, 1009);
      assert.equal(await server.closeReason(sidOf(ws)), "transport error");
      other.send("4still fine");
      assert.equal((await frames(other, 2))[1], "4still fine");
      other.close();
    });

    it("closes the session on a parse error", async () => {
      const ws = openWs(wsUrl(server));
      await frames(ws, 1);
      ws.send("9nonsense");
      await ws.closed;
      assert.equal(await server.closeReason(sidOf(ws)), "parse error");
    });

    it("closes the session when the client pings", async () => {
      const ws = openWs(wsUrl(server));
      await frames(ws, 1);
      ws.send("2");
      await ws.closed;
      assert.equal(await server.closeReason(sidOf(ws)), "transport error");
    });

    it("ignores a close packet over WebSocket, as Node does", async () => {
      const ws = openWs(wsUrl(server));
      await frames(ws, 1);
      ws.send("1");
      ws.send("4after");
      assert.equal((await frames(ws, 2))[1], "4after");
      ws.close();
      assert.equal(await server.closeReason(sidOf(ws)), "transport close");
    });

    it("upgrades with 2probe / 3probe, a noop for the pending GET, and 5", async () => {
      const { open } = await handshake(server.url);
      await post(server.url, open.sid, "4queued-before");
      const first = await poll(server.url, open.sid);
      assert.equal(first.body, "4queued-before");
      const pending = poll(server.url, open.sid);
      await sleep(30);
      const ws = openWs(wsUrl(server, { sid: open.sid }));
      await opened(ws);
      ws.send("2probe");
      assert.equal((await frames(ws, 1))[0], "3probe");
      assert.equal((await pending).body, "6", "the pending GET is released with a noop");
      // Sent over polling during the upgrade, answered after it: not lost, not doubled.
      await post(server.url, open.sid, "4during-upgrade");
      ws.send("5");
      const got = await frames(ws, 2);
      assert.equal(got[1], "4during-upgrade");
      ws.send("4over-ws");
      assert.equal((await frames(ws, 3))[2], "4over-ws");
      await sleep(100);
      assert.equal(ws.frames.filter((f) => f === "4during-upgrade").length, 1);
      const after = await poll(server.url, open.sid);
      assert.equal(after.status, 400);
      assert.deepEqual(JSON.parse(after.body), { code: 3, message: "Bad request" });
      ws.close();
    });

    it("drops an upgrade that does not finish in upgradeTimeout and stays on polling", async () => {
      const { open } = await handshake(server.url);
      // Polling goes on during the probe, as a client's does: its GETs carry
      // the pings (every 300 ms), and a pong each keeps the session alive
      // however slow this machine is.
      let body = "";
      let polling = true;
      const pump = (async () => {
        while (polling && !body.includes("4still-polling")) {
          const got = await poll(server.url, open.sid);
          if (got.status !== 200) throw new Error(`poll: ${got.status} ${got.body}`);
          body += got.body;
          if (got.body.includes("2")) await post(server.url, open.sid, "3");
        }
      })();
      const ws = openWs(wsUrl(server, { sid: open.sid }));
      await opened(ws);
      ws.send("2probe");
      await frames(ws, 1);
      const { code } = await ws.closed; // no "5" sent: closed after 500 ms
      assert.ok(code === 1005 || code === 1000 || code === 1006, `close code ${code}`);
      await post(server.url, open.sid, "4still-polling");
      await Promise.race([pump, sleep(3000)]);
      polling = false;
      assert.match(body, /4still-polling/);
    });

    it("closes a probing WebSocket that sends anything but the probe", async () => {
      const { open } = await handshake(server.url);
      const ws = openWs(wsUrl(server, { sid: open.sid }));
      await opened(ws);
      ws.send("4not-a-probe");
      await ws.closed;
    });

    it("refuses an upgrade for an unknown sid", async () => {
      const ws = openWs(wsUrl(server, { sid: "AAAAAAAAAAAAAAAAAAAA" }));
      await assert.rejects(opened(ws), /unexpected response 400/);
    });
  });
}

describe("Engine.IO WebSocket settings", () => {
  it("negotiates permessage-deflate only when enabled", async () => {
    for (const [flags, expected] of [[[], false], [["--per-message-deflate"], true]]) {
      const server = await startServer("engine-echo", flags);
      try {
        const ws = openWs(wsUrl(server));
        const res = await new Promise((r) => ws.once("upgrade", r));
        const ext = res.headers["sec-websocket-extensions"] || "";
        assert.equal(ext.includes("permessage-deflate"), expected);
        await frames(ws, 1);
        ws.send("4" + "compressible ".repeat(200));
        assert.equal((await frames(ws, 2))[1], "4" + "compressible ".repeat(200));
        ws.close();
      } finally {
        await server.stop();
      }
    }
  });
});
