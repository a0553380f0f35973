// RFC 6455 at the byte level, with hand-made frames over a plain TCP socket:
// fragmentation, control frames between fragments, split frames, the close
// handshake, and every protocol violation answered with its close code.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { startServer, shardCounts } from "../lib/server.js";
import { frames } from "../lib/raw.js";

const OP = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 };

// A client frame: masked with a random key unless `masked` is false.
function frame(opcode, payload, { fin = true, masked = true, rsv = 0 } = {}) {
  const body = Buffer.from(payload);
  const head = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
  const mask = masked ? 0x80 : 0;
  if (body.length < 126) head.push(mask | body.length);
  else head.push(mask | 126, body.length >> 8, body.length & 0xff);
  if (!masked) return Buffer.concat([Buffer.from(head), body]);
  const key = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
  const masked_ = Buffer.from(body.map((b, i) => b ^ key[i & 3]));
  return Buffer.concat([Buffer.from(head), key, masked_]);
}

// A raw WebSocket client: the upgrade, then the server's frames as they come.
class RawClient {
  constructor(port, headers) {
    this.frames = [];
    this.waiters = [];
    this.buffer = Buffer.alloc(0);
    this.head = null;
    this.socket = net.connect(port, "127.0.0.1");
    this.ended = new Promise((resolve) => this.socket.on("close", resolve));
    this.socket.on("error", () => {});
    this.socket.on("data", (chunk) => this.onData(chunk));
    const lines = headers ?? ["Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"];
    this.socket.write(`GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${lines.join("\r\n")}\r\n\r\n`);
  }

  onData(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    if (this.head === null) {
      const end = this.buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      this.head = this.buffer.subarray(0, end).toString();
      this.buffer = this.buffer.subarray(end + 4);
      if (!this.head.startsWith("HTTP/1.1 101")) this.body = this.buffer.toString();
    }
    while (this.buffer.length >= 2 && this.head.startsWith("HTTP/1.1 101")) {
      let length = this.buffer[1] & 0x7f, at = 2;
      if (length === 126) [length, at] = [this.buffer.readUInt16BE(2), 4];
      if (this.buffer.length < at + length) break;
      this.frames.push({ opcode: this.buffer[0] & 0x0f, fin: !!(this.buffer[0] & 0x80), payload: this.buffer.subarray(at, at + length) });
      this.buffer = this.buffer.subarray(at + length);
    }
    for (const w of this.waiters.splice(0)) w();
  }

  next(count, ms = 3000) {
    return frames(this, count, ms);
  }

  async response(ms = 3000) {
    const start = Date.now();
    while (this.head === null && Date.now() - start < ms) await new Promise((r) => setTimeout(r, 10));
    return this.head;
  }

  send(...frames) {
    this.socket.write(Buffer.concat(frames));
  }
}

const closeCode = (f) => (f.payload.length >= 2 ? f.payload.readUInt16BE(0) : null);
const sidOf = (f) => JSON.parse(f.payload.toString().slice(1)).sid;

for (const shards of shardCounts) {
  describe(`WebSocket frames, ${shards} shard(s)`, () => {
    let server;
    before(async () => {
      server = await startServer("engine-echo", ["--threads", String(shards), "--max-http-buffer-size", "1000"]);
    });
    after(async () => server.stop());

    it("reassembles a fragmented message and answers a ping sent between its fragments", async () => {
      const c = new RawClient(server.port);
      await c.next(1); // the open packet
      c.send(frame(OP.text, "4hel", { fin: false }), frame(OP.ping, "are you there"), frame(OP.continuation, "lo wo", { fin: false }),
        frame(OP.continuation, "rld"));
      const [, pong, echo] = await c.next(3);
      assert.equal(pong.opcode, OP.pong);
      assert.equal(pong.payload.toString(), "are you there");
      assert.equal(echo.opcode, OP.text);
      assert.equal(echo.payload.toString(), "4hello world");
      c.socket.destroy();
    });

    it("reads frames split at every byte", async () => {
      const c = new RawClient(server.port);
      await c.next(1);
      const bytes = Buffer.concat([frame(OP.text, "4split"), frame(OP.binary, Buffer.from([1, 2, 3]))]);
      for (const b of bytes) {
        c.send(Buffer.from([b]));
        await new Promise((r) => setImmediate(r));
      }
      const [, text, binary] = await c.next(3);
      assert.equal(text.payload.toString(), "4split");
      assert.equal(binary.opcode, OP.binary);
      assert.deepEqual([...binary.payload], [1, 2, 3]);
      c.socket.destroy();
    });

    it("echoes the client's close frame, closes the connection and reports transport close", async () => {
      const c = new RawClient(server.port);
      const [open] = await c.next(1);
      c.send(frame(OP.close, Buffer.from([0x03, 0xe8])));
      const [, close] = await c.next(2);
      assert.equal(close.opcode, OP.close);
      assert.equal(closeCode(close), 1000);
      await c.ended;
      assert.equal(await server.closeReason(sidOf(open)), "transport close");
    });

    const violations = [
      ["an unmasked frame", () => frame(OP.text, "4x", { masked: false }), 1002],
      ["reserved bits without an extension", () => frame(OP.text, "4x", { rsv: 4 }), 1002],
      ["an unknown opcode", () => frame(3, "4x"), 1002],
      ["a continuation without a message", () => frame(OP.continuation, "4x"), 1002],
      ["a fragmented ping", () => frame(OP.ping, "x", { fin: false }), 1002],
      ["a ping over 125 bytes", () => frame(OP.ping, "p".repeat(126)), 1002],
      ["a new message inside a fragmented one", () => Buffer.concat([frame(OP.text, "4a", { fin: false }), frame(OP.text, "4b")]), 1002],
      ["invalid UTF-8 in a text message", () => frame(OP.text, Buffer.from([0x34, 0xc3, 0x28])), 1007],
      ["a message over maxHttpBufferSize", () => frame(OP.text, "4" + "x".repeat(1000)), 1009],
    ];
    for (const [what, make, code] of violations) {
      it(`closes with ${code} on ${what}, and the other clients go on`, async () => {
        const bystander = new RawClient(server.port);
        await bystander.next(1);
        const c = new RawClient(server.port);
        const [open] = await c.next(1);
        c.send(make());
        const [, close] = await c.next(2);
        assert.equal(close.opcode, OP.close);
        assert.equal(closeCode(close), code);
        await c.ended;
        assert.equal(await server.closeReason(sidOf(open)), "transport error");
        bystander.send(frame(OP.text, "4still here"));
        const [, echo] = await bystander.next(2);
        assert.equal(echo.payload.toString(), "4still here");
        bystander.socket.destroy();
      });
    }

    it("refuses an upgrade without a valid key (400) or with another version (426)", async () => {
      const noKey = new RawClient(server.port, ["Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13"]);
      assert.match(await noKey.response(), /^HTTP\/1\.1 400/);
      await noKey.ended;
      const oldVersion = new RawClient(server.port, ["Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 8"]);
      const head = await oldVersion.response();
      assert.match(head, /^HTTP\/1\.1 426/);
      assert.match(head, /Sec-WebSocket-Version: 13/);
      await oldVersion.ended;
    });

    it("answers the upgrade with the RFC 6455 accept key", async () => {
      const c = new RawClient(server.port);
      const head = await c.response();
      assert.match(head, /^HTTP\/1\.1 101/);
      assert.match(head, /\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r?/);
      c.socket.destroy();
    });

    // 6,000 echoes of 900 bytes do not fit in the kernel's buffers while the
    // client reads nothing: the server must wait for the socket to drain and
    // resume by itself, in order, and keep serving the others meanwhile.
    it("resumes writing to a client that stopped reading, in order, while serving others", async () => {
      const slow = new RawClient(server.port);
      await slow.next(1);
      slow.socket.pause();
      const count = 6000;
      const message = (i) => "4" + String(i).padStart(6, "0") + "x".repeat(893);
      for (let i = 0; i < count; i += 500) {
        const batch = [];
        for (let j = i; j < i + 500; ++j) batch.push(frame(OP.text, message(j)));
        slow.send(...batch);
      }
      await new Promise((r) => setTimeout(r, 500)); // the server is stuck on the slow client's socket by now
      const other = new RawClient(server.port);
      await other.next(1);
      other.send(frame(OP.text, "4still served"));
      const [, echo] = await other.next(2);
      assert.equal(echo.payload.toString(), "4still served");
      other.socket.destroy();
      slow.socket.resume();
      const frames = await slow.next(1 + count, 20000);
      for (let i = 0; i < count; ++i) {
        const payload = frames[1 + i].payload.toString();
        if (payload !== message(i)) assert.fail(`echo ${i} is ${payload.slice(0, 8)}...`);
      }
      slow.socket.destroy();
    });
  });
}
