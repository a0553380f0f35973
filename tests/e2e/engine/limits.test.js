// The front door's limits and timeouts (issue 12, part 2; docs/configuration.md,
// "Limits and timeouts"): HTTP deadlines and the header limit, a held GET
// whose client leaves, the connection limit and running out of file
// descriptors, and the per-address handshake limits with and without a
// trusted proxy. Switchboard only: Node's engine.io has none of these limits.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { spawn, execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import WebSocket from "ws";
import { startServer, shardCounts, buildDir, sleep } from "../lib/server.js";
import { eioUrl, handshake, openWs, opened, frames, poll, post } from "../lib/raw.js";

const lastShards = shardCounts[shardCounts.length - 1];

function connect(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => resolve(socket));
    socket.once("error", reject);
  });
}

// Everything the server sends on `socket` until it closes the connection;
// `ms`: how long that took from the call.
function untilClosed(socket, limit = 5000) {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`still open after ${limit} ms; got: ${text.slice(0, 300)}`)), limit);
    socket.on("data", (d) => (text += d));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ text, ms: Date.now() - start });
    });
  });
}

// Resolves once `socket` has received text matching `regex`.
function received(socket, regex, limit = 5000) {
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`never got ${regex}; got: ${text.slice(0, 300)}`)), limit);
    const on = (d) => {
      text += d;
      if (regex.test(text)) {
        clearTimeout(timer);
        socket.off("data", on);
        resolve(text);
      }
    };
    socket.on("data", on);
  });
}

const handshakeGet = (extra = "") => `GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;
const pollGet = (sid) => `GET /engine.io/?EIO=4&transport=polling&sid=${sid} HTTP/1.1\r\nHost: x\r\n\r\n`;

// utime + stime of a process, in seconds.
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

describe("HTTP timeouts and the header limit", () => {
  let server;
  before(async () => {
    // Accepted at the handshake (--defer-accept 0): a connection that sends
    // nothing meets the header timeout at once (deferral is tested below).
    server = await startServer("engine-echo", ["--threads", String(lastShards), "--defer-accept", "0", "--headers-timeout", "500",
      "--keep-alive-timeout", "300", "--body-timeout", "400", "--max-header-size", "2048"]);
  });
  after(async () => server.stop());

  it("closes a client that trickles its header a byte at a time (slowloris) with 408, and serves others meanwhile", async () => {
    const socket = await connect(server.port);
    const closed = untilClosed(socket);
    socket.write("GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\n");
    const trickle = setInterval(() => socket.writable && socket.write("X"), 100);
    await handshake(server.url); // another client is served while the slow one trickles
    const { text, ms } = await closed;
    clearInterval(trickle);
    assert.match(text, /^HTTP\/1\.1 408 /);
    assert.ok(ms >= 400 && ms < 2000, `closed after ${ms} ms`);
  });

  it("closes a connection that sends nothing at all", async () => {
    const { text, ms } = await untilClosed(await connect(server.port));
    assert.equal(text, "");
    assert.ok(ms >= 400 && ms < 2000, `closed after ${ms} ms`);
  });

  it("answers a header block over the limit with 431 and closes", async () => {
    const socket = await connect(server.port);
    const closed = untilClosed(socket);
    socket.write(handshakeGet(`X-Big: ${"a".repeat(3000)}\r\n`));
    assert.match(await received(socket, /\r\n\r\n/), /^HTTP\/1\.1 431 [^]*Connection: close/i);
    socket.end(); // the server waits for the rest of the request before it closes
    await closed;
    // Just under the limit is fine.
    const ok = await fetch(eioUrl(server.url, { EIO: "4", transport: "polling" }), { headers: { "x-big": "a".repeat(1500) } });
    assert.equal(ok.status, 200);
  });

  it("answers a malformed request line with 400 and closes", async () => {
    const socket = await connect(server.port);
    const closed = untilClosed(socket);
    socket.write("GARBAGE\x01 / HTTP/1.1\r\n\r\n");
    assert.match(await received(socket, /\r\n\r\n/), /^HTTP\/1\.1 400 /);
    socket.end();
    await closed;
  });

  it("keeps a connection alive between requests, then closes it after the keep-alive timeout", async () => {
    const socket = await connect(server.port);
    const closed = untilClosed(socket);
    socket.write(handshakeGet());
    await received(socket, /0\{"sid"/);
    await sleep(150); // within the timeout: a second request is served on the same connection
    socket.write(handshakeGet());
    await received(socket, /0\{"sid"/);
    const start = Date.now();
    await closed;
    const idle = Date.now() - start;
    assert.ok(idle >= 200 && idle < 1500, `closed ${idle} ms after the last answer`);
  });

  it("answers a body that does not arrive in time with 408 and closes", async () => {
    const { open } = await handshake(server.url);
    const socket = await connect(server.port);
    const closed = untilClosed(socket);
    socket.write(`POST /engine.io/?EIO=4&transport=polling&sid=${open.sid} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n4hel`);
    const { text, ms } = await closed;
    assert.match(text, /^HTTP\/1\.1 408 /);
    assert.ok(ms >= 300 && ms < 2000, `closed after ${ms} ms`);
  });
});

for (const shards of shardCounts) {
  describe(`a held long-polling GET, ${shards} shard(s)`, () => {
    let server;
    // A long ping interval: only the client leaving can end the session in time.
    before(async () => (server = await startServer("engine-echo", ["--threads", String(shards), "--ping-interval", "20000"])));
    after(async () => server.stop());

    for (const how of ["closes its connection", "resets its connection"]) {
      it(`ends the session at once with "transport close" when its client ${how}`, async () => {
        // Several sessions: with 2 shards, GETs land on the session's shard and on the other one.
        for (let i = 0; i < 4; i++) {
          const { open } = await handshake(server.url);
          const socket = await connect(server.port);
          socket.on("error", () => {});
          socket.write(pollGet(open.sid));
          await sleep(50); // the GET is held: nothing is queued
          const start = Date.now();
          if (how.startsWith("resets")) socket.resetAndDestroy();
          else socket.end();
          assert.equal(await server.closeReason(open.sid, 1000), "transport close");
          assert.ok(Date.now() - start < 1000);
          assert.equal((await poll(server.url, open.sid)).status, 400); // gone
        }
      });
    }

    it("answers a request pipelined behind a held GET once the GET is answered", async () => {
      const { open } = await handshake(server.url);
      const socket = await connect(server.port);
      socket.write(pollGet(open.sid) + handshakeGet());
      await sleep(100);
      assert.equal((await post(server.url, open.sid, "4hello")).status, 200);
      const text = await received(socket, /4hello[^]*0\{"sid"/);
      assert.equal(text.match(/HTTP\/1\.1 200/g).length, 2);
      socket.destroy();
      // The session lives on.
      const next = poll(server.url, open.sid);
      await sleep(50);
      await post(server.url, open.sid, "4again");
      assert.equal((await next).body, "4again");
    });
  });
}

// These tests hold connections that say nothing, which the kernel keeps from
// the server under --defer-accept: they accept at the handshake.
describe("the connection limit", () => {
  it("answers connections past --max-connections with 503 and serves again once some close", async () => {
    const server = await startServer("engine-echo", ["--threads", String(lastShards), "--defer-accept", "0",
      "--max-connections", "4"]);
    try {
      const held = [];
      for (let i = 0; i < 4; i++) held.push(await connect(server.port));
      await sleep(50);
      const extra = await connect(server.port);
      const { text, ms } = await untilClosed(extra, 2000);
      assert.match(text, /^HTTP\/1\.1 503 /);
      assert.match(text, /"Too many connections"/);
      assert.ok(ms < 1000);
      held.pop().destroy();
      await sleep(100);
      const res = await fetch(eioUrl(server.url, { EIO: "4", transport: "polling" }), { headers: { connection: "close" } });
      assert.equal(res.status, 200);
      for (const s of held) s.destroy();
    } finally {
      await server.stop();
    }
  });

  // Starts engine-echo under `prlimit --nofile=<fds>` so that the limit applies from the start.
  async function startLimited(fds, args) {
    const child = spawn("prlimit", [`--nofile=${fds}:${fds}`, path.join(buildDir, "engine-echo"), "--host", "127.0.0.1",
      "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code, signal) => {
      if (!stopping) console.error(`engine-echo under prlimit exited early: ${code ?? signal}\n${err}`);
    });
    let stopping = false;
    const port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`did not start: ${err}`)), 10000);
      child.stdout.on("data", (d) => {
        out += d;
        const m = out.match(/listening on [^:]+:(\d+)/);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    return {
      port, url: `http://127.0.0.1:${port}`, pid: child.pid,
      async stop() {
        stopping = true;
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the server died: ${err}`);
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
        if (/Sanitizer|runtime error:/.test(err)) throw new Error(`sanitizer report:\n${err}`);
      },
    };
  }

  // Opens `count` connections; resolves with those still open after a moment
  // and the answers of those the server closed.
  async function flood(port, count) {
    const open = [];
    const refused = [];
    await Promise.all(Array.from({ length: count }, async () => {
      const socket = await connect(port);
      socket.on("error", () => {});
      let text = "";
      socket.on("data", (d) => (text += d));
      const closed = new Promise((r) => socket.on("close", () => r(text)));
      const gone = await Promise.race([closed, sleep(700).then(() => null)]);
      if (gone === null) open.push(socket);
      else refused.push(gone);
    }));
    return { open, refused };
  }

  // The old client keeps working, the refused ones were told, the server does
  // not spin, and it serves again once the flood has gone.
  async function checkSurvives(server, count) {
    const ws = openWs(eioUrl(server.url.replace("http", "ws"), { EIO: "4", transport: "websocket" }));
    await opened(ws);
    await frames(ws, 1);
    const { open, refused } = await flood(server.port, count);
    assert.ok(refused.length > 0, "some connections were refused");
    for (const text of refused) assert.ok(text === "" || /^HTTP\/1\.1 503 /.test(text), text);
    assert.ok(refused.filter((t) => t !== "").length > 0, "503 answers");
    // At the limit, with connections still knocking: no spinning.
    const before = cpuSeconds(server.pid);
    const knocking = await flood(server.port, 20);
    for (const s of knocking.open) open.push(s);
    await sleep(300);
    const used = cpuSeconds(server.pid) - before;
    assert.ok(used < 0.5, `the server used ${used} s of CPU in about a second at the limit`);
    ws.send("4still here");
    assert.equal((await frames(ws, 2))[1], "4still here");
    for (const s of open) s.destroy();
    await sleep(200);
    const res = await fetch(eioUrl(server.url, { EIO: "4", transport: "polling" }), { headers: { connection: "close" } });
    assert.equal(res.status, 200);
    ws.close();
  }

  it("derives the default limit from the file descriptor limit and refuses past it with 503", async () => {
    const server = await startLimited(128, ["--threads", String(lastShards), "--defer-accept", "0"]);
    try {
      await checkSurvives(server, 150);
    } finally {
      await server.stop();
    }
  });

  it("with --defer-accept, a connection that says nothing takes no slot until the kernel hands it over", async () => {
    const server = await startServer("engine-echo", ["--threads", String(lastShards), "--defer-accept", "1",
      "--headers-timeout", "300", "--max-connections", "1"]);
    try {
      const silent = await connect(server.port); // connected, as far as the client can tell
      const closed = untilClosed(silent, 6000);
      await sleep(100);
      const res = await fetch(eioUrl(server.url, { EIO: "4", transport: "polling" }), { headers: { connection: "close" } });
      assert.equal(res.status, 200, "the one slot is free for a client that speaks");
      // About 1 s on (the kernel's first SYN-ACK retransmission) the server
      // meets it, and its header timeout closes it.
      const { text, ms } = await closed;
      assert.equal(text, "");
      assert.ok(ms >= 800 && ms < 5000, `closed after ${ms} ms`);
    } finally {
      await server.stop();
    }
  });

  // UBSan's vptr check reads memory through a pipe (sanitizer_common's
  // IsAccessibleMemoryRange): in a process out of descriptors it takes every
  // virtual call for one on an invalid object and aborts. CI's ASan/UBSan
  // tree is the fuzz tree (SWITCHBOARD_FUZZ, clang); SWITCHBOARD_SANITIZE is GCC's.
  const ubsan = (() => {
    try {
      return /SWITCHBOARD_(SANITIZE|FUZZ):BOOL=ON/.test(readFileSync(path.join(buildDir, "CMakeCache.txt"), "utf8"));
    } catch {
      return false;
    }
  })();
  it("does not spin when accept() runs out of file descriptors (EMFILE), and keeps serving its clients", {
    skip: ubsan && "UBSan cannot run out of descriptors",
  }, async () => {
    // The limit above the descriptors left: accept() itself fails.
    const server = await startLimited(1024, ["--threads", String(lastShards), "--defer-accept", "0",
      "--max-connections", "5000"]);
    try {
      execFileSync("prlimit", ["--pid", String(server.pid), "--nofile=96:96"]);
      await checkSurvives(server, 150);
    } finally {
      await server.stop();
    }
  });
});

describe("per-address handshake limits", () => {
  const base = ["--threads", String(lastShards)];
  const wsUrl = (srv) => eioUrl(srv.url.replace("http", "ws"), { EIO: "4", transport: "websocket" });
  const tryHandshake = (srv, headers = {}) => fetch(eioUrl(srv.url, { EIO: "4", transport: "polling" }), { headers });
  const wsStatus = (url, headers = {}) =>
    new Promise((resolve) => {
      const ws = new WebSocket(url, { headers });
      ws.on("open", () => resolve({ status: 101, ws }));
      ws.on("unexpected-response", (_, res) => resolve({ status: res.statusCode }));
      ws.on("error", () => {});
    });

  it("refuses a handshake past --max-connections-per-ip with 429, on polling and WebSocket, until a session ends", async () => {
    const server = await startServer("engine-echo", [...base, "--max-connections-per-ip", "2"]);
    try {
      const first = await handshake(server.url);
      const second = await wsStatus(wsUrl(server));
      assert.equal(second.status, 101);
      const refused = await tryHandshake(server);
      assert.equal(refused.status, 429);
      assert.deepEqual(await refused.json(), { code: "CONNECTION_LIMIT", message: "Too many connections" });
      assert.equal((await wsStatus(wsUrl(server))).status, 429);
      // A session that ends gives its place back, for either transport.
      await post(server.url, first.open.sid, "1");
      await sleep(50);
      const third = await wsStatus(wsUrl(server));
      assert.equal(third.status, 101);
      assert.equal((await tryHandshake(server)).status, 429);
      second.ws.close();
      await sleep(100);
      assert.equal((await tryHandshake(server)).status, 200);
      third.ws.close();
    } finally {
      await server.stop();
    }
  });

  it("refuses handshakes faster than --connection-rate-per-ip past the burst with 429 and Retry-After", async () => {
    const server = await startServer("engine-echo", [...base, "--connection-rate-per-ip", "2", "--connection-rate-burst", "3"]);
    try {
      for (let i = 0; i < 3; i++) assert.equal((await tryHandshake(server)).status, 200);
      const refused = await tryHandshake(server);
      assert.equal(refused.status, 429);
      assert.equal(refused.headers.get("retry-after"), "1");
      assert.deepEqual(await refused.json(), { code: "RATE_LIMIT", message: "Too many connection attempts" });
      assert.equal((await wsStatus(wsUrl(server))).status, 429);
      await sleep(600); // a token every 500 ms
      assert.equal((await tryHandshake(server)).status, 200);
      assert.equal((await tryHandshake(server)).status, 429);
    } finally {
      await server.stop();
    }
  });

  it("ignores X-Forwarded-For without --trust-proxy, so nobody spoofs past the limit", async () => {
    const server = await startServer("engine-echo", [...base, "--max-connections-per-ip", "1"]);
    try {
      assert.equal((await tryHandshake(server, { "x-forwarded-for": "10.0.0.1" })).status, 200);
      assert.equal((await tryHandshake(server, { "x-forwarded-for": "10.0.0.2" })).status, 429);
    } finally {
      await server.stop();
    }
  });

  it("counts the client X-Forwarded-For names with --trust-proxy, from the right", async () => {
    const server = await startServer("engine-echo", [...base, "--max-connections-per-ip", "1", "--trust-proxy", "1"]);
    try {
      assert.equal((await tryHandshake(server, { "x-forwarded-for": "10.0.0.1" })).status, 200);
      assert.equal((await tryHandshake(server, { "x-forwarded-for": "10.0.0.2" })).status, 200);
      assert.equal((await tryHandshake(server, { "x-forwarded-for": "10.0.0.1" })).status, 429);
      // What the client wrote itself is left of what the trusted proxy appended.
      assert.equal((await tryHandshake(server, { "x-forwarded-for": "10.0.0.9, 10.0.0.2" })).status, 429);
      assert.equal((await wsStatus(wsUrl(server), { "x-forwarded-for": "10.0.0.3" })).status, 101);
      assert.equal((await wsStatus(wsUrl(server), { "x-forwarded-for": "10.0.0.3" })).status, 429);
      // Without the header, the peer is the client.
      assert.equal((await tryHandshake(server)).status, 200);
    } finally {
      await server.stop();
    }
  });
});
