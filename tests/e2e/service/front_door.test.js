// Requests that once ended the daemon (issue: the front door, part 0), and a
// token in any position of the handshake's query. Each gets an HTTP error,
// and the server stays up for everyone else.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import jwt from "jsonwebtoken";
import { startServer, shardCounts } from "../lib/server.js";
import { RS, poll, post } from "../lib/raw.js";

const SECRET = "front-door-secret";

// One raw HTTP/1.1 request, sent byte for byte (no URL normalisation); resolves with the status and body.
function rawRequest(port, head) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write(head));
    let text = "";
    socket.on("data", (d) => {
      text += d;
      const m = text.match(/^HTTP\/1\.1 (\d+)[^]*?\r\n\r\n([^]*)$/);
      const length = text.match(/content-length: (\d+)/i);
      if (m && length && Buffer.byteLength(m[2]) >= Number(length[1])) {
        socket.destroy();
        resolve({ status: Number(m[1]), body: m[2] });
      }
    });
    socket.on("error", reject);
    socket.on("close", () => reject(new Error(`connection closed; got: ${text}`)));
  });
}

const get = (path, headers = "") => `GET ${path} HTTP/1.1\r\nHost: x\r\n${headers}\r\n`;
const upgrade = "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

for (const shards of shardCounts) {
  describe(`the daemon's front door, ${shards} shard(s)`, () => {
    let server;
    before(async () => (server = await startServer("switchboard", ["--threads", String(shards), "--jwt-secret", SECRET])));
    after(async () => server.stop());

    it("answers the endpoint without a query string with the protocol's 400", async () => {
      for (const [head, body] of [
        [get("/socket.io/"), { code: 0, message: "Transport unknown" }],
        [`OPTIONS /socket.io/ HTTP/1.1\r\nHost: x\r\nOrigin: http://a.test\r\n\r\n`, { code: 0, message: "Transport unknown" }],
        [get("/socket.io/?"), { code: 0, message: "Transport unknown" }],
      ]) {
        const res = await rawRequest(server.port, head);
        assert.equal(res.status, 400, head);
        assert.deepEqual(JSON.parse(res.body), body);
      }
      const ws = await rawRequest(server.port, get("/socket.io/", upgrade));
      assert.equal(ws.status, 400);
      assert.equal(ws.body, "Transport unknown");
    });

    it("answers paths with broken percent-encoding with 400", async () => {
      for (const path of ["/%", "/%zz", "/user-status/%zz", "/users/%/rooms", "/users/42/rooms/%4"]) {
        const res = await rawRequest(server.port, get(path));
        assert.equal(res.status, 400, path);
        assert.match(JSON.parse(res.body).error, /percent-encoding/);
      }
    });

    it("reads a broken escape in the endpoint's query as sent", async () => {
      const res = await rawRequest(server.port, get("/socket.io/?EIO=4&transport=polling&x=%zz&y=%"));
      assert.equal(res.status, 200);
      assert.match(res.body, /^0\{"sid"/);
    });

    it("stays up after all of them", async () => {
      assert.equal(server.child.exitCode, null);
      const res = await fetch(`${server.url}/health`);
      assert.equal(res.status, 200);
    });

    for (const [position, query] of [
      ["first", (t) => `token=${t}&EIO=4&transport=polling`],
      ["middle", (t) => `EIO=4&token=${t}&transport=polling`],
      ["last", (t) => `EIO=4&transport=polling&token=${t}`],
    ]) {
      it(`accepts a token in ${position} position of the query`, async () => {
        const token = jwt.sign({ sub: "77" }, SECRET, { expiresIn: "1h" });
        const open = await (await fetch(`${server.url}/socket.io/?${query(token)}`)).text();
        const { sid } = JSON.parse(open.slice(1));
        await post(server.url, sid, "40", "/socket.io/");
        const packets = (await poll(server.url, sid, "/socket.io/")).body.split(RS);
        assert.match(packets[0], /^40\{"sid"/, `refused: ${packets[0]}`);
        await post(server.url, sid, "1", "/socket.io/");
      });
    }
  });
}
