// Raw HTTP long-polling against the Engine.IO echo example: the wire itself.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, shardCounts, sleep } from "../lib/server.js";
import { RS, eioUrl, expectError, handshake, poll, post } from "../lib/raw.js";

for (const shards of shardCounts) {
  describe(`Engine.IO polling on the wire, ${shards} shard(s)`, () => {
    let server;
    before(async () => {
      server = await startServer("engine-echo", [
        "--threads", String(shards), "--ping-interval", "300", "--ping-timeout", "300",
        "--max-http-buffer-size", "1000", "--cors-origin", "http://example.com", "--cors-credentials",
        "--max-buffered-bytes", "20000",
      ]);
    });
    after(async () => server.stop());

    it("answers the handshake with exactly the five open keys", async () => {
      const { res, open } = await handshake(server.url);
      assert.deepEqual(Object.keys(open), ["sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"]);
      assert.match(open.sid, /^[A-Za-z0-9_-]{20}$/);
      assert.deepEqual(open.upgrades, ["websocket"]);
      assert.equal(open.pingInterval, 300);
      assert.equal(open.pingTimeout, 300);
      assert.equal(open.maxPayload, 1000);
      assert.equal(res.headers.get("content-type"), "text/plain; charset=UTF-8");
      assert.equal(res.headers.get("cache-control"), "no-store");
    });

    it("gives every session a different sid", async () => {
      const sids = new Set();
      for (let i = 0; i < 20; i++) sids.add((await handshake(server.url)).open.sid);
      assert.equal(sids.size, 20);
    });

    it("answers each protocol error with its code", async () => {
      const base = server.url;
      await expectError(eioUrl(base, { EIO: "4", transport: "carrier-pigeon" }), {}, 400, 0, "Transport unknown");
      await expectError(eioUrl(base, { EIO: "4" }), {}, 400, 0, "Transport unknown");
      await expectError(eioUrl(base, { EIO: "4", transport: "polling", sid: "AAAAAAAAAAAAAAAAAAAA" }), {}, 400, 1, "Session ID unknown");
      await expectError(eioUrl(base, { EIO: "4", transport: "polling", sid: "nope" }), {}, 400, 1, "Session ID unknown");
      await expectError(eioUrl(base, { EIO: "4", transport: "polling" }), { method: "POST", body: "4x" }, 400, 2, "Bad handshake method");
      await expectError(eioUrl(base, { EIO: "4", transport: "websocket" }), {}, 400, 3, "Bad request");
      await expectError(eioUrl(base, { EIO: "4", transport: "polling", deny: "1" }), {}, 403, 4, "Denied by allow_request");
      await expectError(eioUrl(base, { EIO: "3", transport: "polling" }), {}, 400, 5, "Unsupported protocol version");
      await expectError(eioUrl(base, { transport: "polling" }), {}, 400, 5, "Unsupported protocol version");
    });

    it("answers a path outside the endpoint with 404", async () => {
      const res = await fetch(`${server.url}/elsewhere`);
      assert.equal(res.status, 404);
    });

    it("joins queued packets with \\x1e and sends binary as b + base64", async () => {
      const { open } = await handshake(server.url);
      const sent = await post(server.url, open.sid, ["4hello", "bAQID", "4world"].join(RS));
      assert.equal(sent.status, 200);
      assert.equal(sent.body, "ok");
      assert.match(sent.headers.get("content-type"), /text\/html/);
      const got = await poll(server.url, open.sid);
      assert.equal(got.status, 200);
      assert.equal(got.body, ["4hello", "bAQID", "4world"].join(RS));
      assert.equal(got.headers.get("content-type"), "text/plain; charset=UTF-8");
    });

    it("holds a GET until a packet is queued", async () => {
      const { open } = await handshake(server.url);
      const started = Date.now();
      const pending = poll(server.url, open.sid);
      await sleep(100);
      await post(server.url, open.sid, "4late");
      const got = await pending;
      assert.equal(got.body, "4late");
      assert.ok(Date.now() - started >= 100);
    });

    it("pings over polling and keeps a session that pongs", async () => {
      const { open } = await handshake(server.url);
      for (let i = 0; i < 3; i++) {
        const got = await poll(server.url, open.sid);
        assert.equal(got.body, "2");
        await post(server.url, open.sid, "3");
      }
    });

    it("closes a silent session after the ping timeout", async () => {
      const { open } = await handshake(server.url);
      await sleep(900); // ping at 300 ms, timeout 300 ms later
      assert.equal(await server.closeReason(open.sid), "ping timeout");
      // Gone at once, as in Node (tests/e2e/engine/close_semantics.test.js).
      await expectError(eioUrl(server.url, { EIO: "4", transport: "polling", sid: open.sid }), {}, 400, 1, "Session ID unknown");
    });

    it("closes the session on a second concurrent GET", async () => {
      const { open } = await handshake(server.url);
      const first = poll(server.url, open.sid);
      await sleep(50);
      const second = await poll(server.url, open.sid);
      assert.equal(second.status, 400);
      assert.equal((await first).body, "1");
      const after = await poll(server.url, open.sid);
      assert.equal(after.status, 400);
      assert.equal(await server.closeReason(open.sid), "transport error");
    });

    it("answers a POST over maxHttpBufferSize with 413 and keeps the session", async () => {
      const { open } = await handshake(server.url);
      const big = await post(server.url, open.sid, "4" + "x".repeat(2000));
      assert.equal(big.status, 413);
      await post(server.url, open.sid, "4small");
      assert.equal((await poll(server.url, open.sid)).body, "4small");
    });

    it("closes on a client close packet and releases the GET with a noop", async () => {
      const { open } = await handshake(server.url);
      const pending = poll(server.url, open.sid);
      await sleep(50);
      await post(server.url, open.sid, "1");
      assert.equal((await pending).body, "6");
      assert.equal((await poll(server.url, open.sid)).status, 400);
      assert.equal(await server.closeReason(open.sid), "transport close");
    });

    it("closes the session with a parse error on a malformed payload", async () => {
      const { open } = await handshake(server.url);
      const pending = poll(server.url, open.sid);
      await sleep(50);
      const res = await post(server.url, open.sid, "4ok" + RS + "9bad");
      assert.equal(res.status, 200);
      assert.equal((await pending).body, "1");
      assert.equal((await poll(server.url, open.sid)).status, 400);
      assert.equal(await server.closeReason(open.sid), "parse error");
    });

    it("treats a ping from the client as a protocol error", async () => {
      const { open } = await handshake(server.url);
      const pending = poll(server.url, open.sid);
      await sleep(50);
      await post(server.url, open.sid, "2");
      assert.equal((await pending).body, "1");
      assert.equal(await server.closeReason(open.sid), "transport error");
    });

    it("closes a session whose client does not read once its queue is full", async () => {
      const { open } = await handshake(server.url);
      // Each echo waits in the queue: no GET comes to take it.
      for (let i = 0; i < 40; i++) await post(server.url, open.sid, "4" + "q".repeat(900));
      assert.equal(await server.closeReason(open.sid), "transport error");
      const got = await poll(server.url, open.sid);
      assert.equal(got.status, 400, "the queue is dropped and the session gone, as in Node");
    });

    it("one bad client does not disturb another", async () => {
      const good = (await handshake(server.url)).open;
      const bad = (await handshake(server.url)).open;
      await post(server.url, bad.sid, "garbage-\x00");
      await post(server.url, bad.sid, "4" + "y".repeat(5000));
      await post(server.url, good.sid, "4fine");
      assert.equal((await poll(server.url, good.sid)).body, "4fine");
    });

    it("answers CORS preflights and adds CORS headers", async () => {
      const pre = await fetch(eioUrl(server.url, { EIO: "4", transport: "polling" }), {
        method: "OPTIONS",
        headers: { Origin: "http://example.com", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type" },
      });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get("access-control-allow-origin"), "http://example.com");
      assert.equal(pre.headers.get("access-control-allow-credentials"), "true");
      assert.equal(pre.headers.get("access-control-allow-headers"), "content-type");
      const res = await fetch(eioUrl(server.url, { EIO: "4", transport: "polling" }), { headers: { Origin: "http://example.com" } });
      assert.equal(res.headers.get("access-control-allow-origin"), "http://example.com");
      assert.equal(res.headers.get("vary"), "Origin");
      const other = await fetch(eioUrl(server.url, { EIO: "4", transport: "polling" }), { headers: { Origin: "http://evil.test" } });
      assert.equal(other.headers.get("access-control-allow-origin"), null);
    });
  });
}

describe("Engine.IO settings", () => {
  it("serves polling only when WebSocket is off, and offers no upgrade", async () => {
    const server = await startServer("engine-echo", ["--transports", "polling"]);
    try {
      const { open } = await handshake(server.url);
      assert.deepEqual(open.upgrades, []);
      const ws = await fetch(eioUrl(server.url, { EIO: "4", transport: "websocket" }));
      assert.deepEqual(await ws.json(), { code: 0, message: "Transport unknown" });
    } finally {
      await server.stop();
    }
  });

  it("serves WebSocket only when polling is off", async () => {
    const server = await startServer("engine-echo", ["--transports", "websocket"]);
    try {
      const res = await fetch(eioUrl(server.url, { EIO: "4", transport: "polling" }));
      assert.deepEqual(await res.json(), { code: 0, message: "Transport unknown" });
    } finally {
      await server.stop();
    }
  });

  it("serves a custom path", async () => {
    const server = await startServer("engine-echo", ["--path", "/custom/"]);
    try {
      const { open } = await handshake(server.url, {}, "/custom/");
      assert.equal(open.sid.length, 20);
      assert.equal((await fetch(eioUrl(server.url, { EIO: "4", transport: "polling" }))).status, 404);
    } finally {
      await server.stop();
    }
  });

  it("refuses a bad setting with a message that names it", async () => {
    await assert.rejects(startServer("engine-echo", ["--transports", "smoke"]), /transports/);
  });

  it("closes sessions with the protocol's close on SIGTERM", async () => {
    const server = await startServer("engine-echo", []);
    const { open } = await handshake(server.url);
    const pending = poll(server.url, open.sid);
    await sleep(50);
    const stopped = server.stop();
    assert.equal((await pending).body, "1");
    assert.equal(await server.closeReason(open.sid), "server shutting down");
    assert.equal(await stopped, 0);
  });
});
