// The daemon as an operator sees it: configuration sources, bad settings,
// log lines, and the graceful shutdown.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import http from "node:http";
import jwt from "jsonwebtoken";
import { io } from "socket.io-client";
import { startServer, buildDir, once, sleep, until } from "../lib/server.js";
import { connected } from "../lib/targets.js";
import { RS, eioUrl, handshake } from "../lib/raw.js";

const pingIntervalOf = async (server) => (await handshake(server.url, {}, "/socket.io/")).open.pingInterval;

describe("switchboard configuration", () => {
  it("takes flags over environment over .env over the TOML file", async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), "switchboard-config-"));
    writeFileSync(path.join(cwd, "switchboard.toml"), "ping-interval = 1111\nping-timeout = 900\n");
    const config = ["--config", path.join(cwd, "switchboard.toml")];
    const run = async (args, env) => {
      const server = await startServer("switchboard", [...config, ...args], { cwd, env });
      try {
        return await pingIntervalOf(server);
      } finally {
        await server.stop();
      }
    };
    assert.equal(await run([], {}), 1111);
    writeFileSync(path.join(cwd, ".env"), "# comment\nWEBSOCKET_PING_INTERVAL=2222\n");
    assert.equal(await run([], {}), 2222);
    assert.equal(await run([], { WEBSOCKET_PING_INTERVAL: "3333" }), 3333);
    assert.equal(await run(["--ping-interval", "4444"], { WEBSOCKET_PING_INTERVAL: "3333" }), 4444);
  });

  it("stops with exit code 2 and names the setting on a bad value", () => {
    const bin = path.join(buildDir, "switchboard");
    const bogus = path.join(mkdtempSync(path.join(tmpdir(), "switchboard-bogus-")), "bad.toml");
    writeFileSync(bogus, "bogus-setting = 1\n");
    for (const [args, env, pattern] of [
      [["--config", bogus], {}, /unknown setting 'bogus-setting'/],
      [["--presence", "sometimes"], {}, /--presence/],
      [[], { WS_ADAPTER: "carrier-pigeon" }, /WS_ADAPTER.*accepted values: memory, redis/],
      [[], { WS_ADAPTER: "redis", REDIS_URL: "rediss://cache:6380" }, /REDIS_URL.*TLS/i],
      [[], { WS_ADAPTER: "redis", REDIS_MODE: "streams" }, /REDIS_MODE.*accepted values: classic, sharded/],
      [[], { PORT: "not-a-port" }, /port/i],
      [[], { JWT_ALGORITHMS: "none" }, /JWT_ALGORITHMS.*accepted values/],
      [[], { AUTH_REQUIRED: "true" }, /AUTH_REQUIRED.*JWT_SECRET/],
      [[], { LOG_FORMAT: "xml" }, /--log-format/],
    ]) {
      const r = spawnSync(bin, args, { env: { ...process.env, ...env }, encoding: "utf8", timeout: 5000 });
      assert.equal(r.status, 2, `${JSON.stringify(args)} ${JSON.stringify(env)}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, pattern);
    }
  });

  // Each shard listens with SO_REUSEPORT, which would let a second server of
  // the same user bind the port too and quietly take half the connections.
  it("refuses to start on a port another server holds, which keeps all of its connections", async () => {
    const first = await startServer("switchboard");
    try {
      const port = new URL(first.url).port;
      const r = spawnSync(path.join(buildDir, "switchboard"), ["--host", "127.0.0.1", "--port", port], {
        encoding: "utf8",
        timeout: 5000,
      });
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /cannot listen: bind: Address already in use/);
      for (let i = 0; i < 8; i++) assert.equal((await fetch(`${first.url}/health`)).status, 200);
    } finally {
      await first.stop();
    }
  });

  it("lists every setting with its environment name and default in --help", () => {
    const r = spawnSync(path.join(buildDir, "switchboard"), ["--help"], { encoding: "utf8" });
    assert.equal(r.status, 0);
    for (const name of ["PORT", "HOST", "WEBSOCKET_PATH", "WEBSOCKET_PING_INTERVAL", "WEBSOCKET_PING_TIMEOUT", "WS_ADAPTER",
      "FRONTEND_URL", "CORS_ORIGIN", "JWT_SECRET", "JWT_PUBLIC_KEY_FILE", "JWT_ALGORITHMS", "JWT_ISSUER", "JWT_AUDIENCE",
      "JWT_USER_CLAIM", "AUTH_REQUIRED", "USER_ROOM_PREFIX", "API_KEY", "LOG_LEVEL", "LOG_FORMAT", "SHUTDOWN_TIMEOUT", "THREADS",
      "RABBITMQ_URL", "RABBITMQ_EXCHANGE", "RABBITMQ_QUEUE", "RABBITMQ_BINDINGS", "RABBITMQ_PREFETCH",
      "RABBITMQ_DEAD_LETTER_EXCHANGE", "RABBITMQ_MAX_MESSAGE_SIZE", "RABBITMQ_ROUTES_FILE", "RABBITMQ_DEFAULT_ROUTES"])
      assert.match(r.stdout, new RegExp(`Env:${name}\\b`), name);
    assert.match(r.stdout, /--port UINT=3000/);
  });

  it("prints the version of CMakeLists.txt and its git commit with --version, and /health says the same", async () => {
    const cmake = readFileSync(new URL("../../../CMakeLists.txt", import.meta.url), "utf8");
    const version = cmake.match(/project\(switchboard VERSION (\d+\.\d+\.\d+)/)[1];
    const r = spawnSync(path.join(buildDir, "switchboard"), ["--version"], { encoding: "utf8" });
    assert.equal(r.status, 0);
    const [, printed, commit] = r.stdout.match(/^switchboard (\S+) \(commit ([0-9a-f]{7,}|unknown)\)\n$/) ?? [];
    assert.equal(printed, version, r.stdout);
    const server = await startServer("switchboard", []);
    try {
      const health = await (await fetch(`${server.url}/health`)).json();
      assert.equal(health.version, version);
      assert.equal(health.commit, commit);
    } finally {
      await server.stop();
    }
  });

  it("refuses a bad [[route]] table, naming the file, the rule and the key", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sb-routes-"));
    const file = path.join(dir, "routes.toml");
    writeFileSync(file, '[[route]]\nevent = "x"\nto = ["user:{userId}"]\nfrobnicate = true\n');
    const r = spawnSync(path.join(buildDir, "switchboard"), ["--rabbitmq-routes-file", file], { encoding: "utf8" });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /routes\.toml: \[\[route\]\] #1: unknown key 'frobnicate'/);
    const url = spawnSync(path.join(buildDir, "switchboard"), ["--rabbitmq-url", "http://x"], { encoding: "utf8" });
    assert.equal(url.status, 2);
    assert.match(url.stderr, /RABBITMQ_URL/);
  });
});

describe("switchboard logs and shutdown", () => {
  it("logs connections, disconnections and refusals as JSON lines, never the token", async () => {
    const secret = "log-secret";
    const server = await startServer("switchboard", ["--jwt-secret", secret, "--log-format", "json"]);
    const good = jwt.sign({ sub: "logger" }, secret);
    const bad = jwt.sign({ sub: "x" }, "wrong-secret");
    try {
      const socket = io(server.url, { forceNew: true, reconnection: false, auth: { token: good }, transports: ["websocket"] });
      await connected(socket);
      socket.disconnect();
      const refused = io(server.url, { forceNew: true, reconnection: false, auth: { token: bad } });
      await once(refused, "connect_error");
      await server.output(/"event":"refused"/);
      await server.output(/"event":"disconnect"/);
      const lines = server.stdout().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
      const connect = lines.find((l) => l.log.event === "connect");
      assert.deepEqual([connect.log.user, connect.log.transport], ["logger", "websocket"]);
      assert.equal(connect.level, "info");
      const disconnect = lines.find((l) => l.log.event === "disconnect");
      assert.equal(disconnect.log.reason, "client namespace disconnect");
      const refusal = lines.find((l) => l.log.event === "refused");
      assert.equal(refusal.log.reason, "invalid signature");
      assert.equal(refusal.log.address, "127.0.0.1");
      assert.ok(!server.stdout().includes(good) && !server.stdout().includes(bad), "no token in the logs");
    } finally {
      await server.stop();
    }
  });

  it("exits 0 after SHUTDOWN_TIMEOUT when a client does not take its close, and at once on a second signal", async () => {
    for (const second of [false, true]) {
      const server = await startServer("switchboard", [], { env: { SHUTDOWN_TIMEOUT: "1" } });
      // A polling session with no GET waiting: its close waits for a GET that never comes.
      await handshake(server.url, {}, "/socket.io/");
      const started = Date.now();
      const exited = new Promise((r) => server.child.once("exit", (code) => r(code)));
      server.child.kill("SIGTERM");
      if (second) {
        await sleep(200);
        server.child.kill("SIGTERM");
      }
      const code = await exited;
      const elapsed = Date.now() - started;
      if (second) {
        assert.equal(code, 1);
        assert.ok(elapsed < 900, `second signal: exited after ${elapsed} ms`);
      } else {
        assert.equal(code, 0);
        assert.ok(elapsed >= 900 && elapsed < 3000, `drain bounded by SHUTDOWN_TIMEOUT: ${elapsed} ms`);
      }
      await server.stop();
    }
  });

  it("answers /ready with 503 while draining", async () => {
    const server = await startServer("switchboard", [], { env: { SHUTDOWN_TIMEOUT: "2" } });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const ready = () =>
      new Promise((resolve, reject) => {
        http.get(`${server.url}/ready`, { agent }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode));
        }).on("error", reject);
      });
    try {
      assert.equal(await ready(), 200);
      await handshake(server.url, {}, "/socket.io/"); // keeps the drain going
      server.child.kill("SIGTERM");
      await server.output(/phase=draining/);
      assert.equal(await ready(), 503, "the kept-alive connection sees the drain");
    } finally {
      agent.destroy();
      await server.stop();
    }
  });

  it("disconnects every client on SIGTERM and exits 0", async () => {
    const server = await startServer("switchboard", ["--shutdown-timeout", "5"]);
    const sockets = [];
    for (const transports of [["websocket"], ["polling"]]) {
      const s = io(server.url, { forceNew: true, reconnection: false, transports });
      await connected(s);
      sockets.push(s);
    }
    const reasons = Promise.all(sockets.map((s) => once(s, "disconnect", 5000)));
    const started = Date.now();
    assert.equal(await server.stop(), 0);
    assert.deepEqual((await reasons).map(([r]) => r), ["transport close", "transport close"]);
    assert.ok(Date.now() - started < 5000);
    await server.output(/shutdown phase=done/);
  });

  it("keeps listening while it drains: a new handshake gets 503, a closing session's next GET its close", async () => {
    const server = await startServer("switchboard", ["--shutdown-timeout", "5"]);
    const url = eioUrl(server.url, { EIO: "4", transport: "polling" }, "/socket.io/");
    // No GET is waiting: the session's close waits for its next one, which
    // comes on a new connection (fetch opens one per request here).
    const sids = [(await handshake(server.url, {}, "/socket.io/")).open.sid];
    const started = Date.now();
    const stopped = server.stop();
    await server.output(/phase=draining/);
    let refused;
    await until(async () => {
      const res = await fetch(url, { headers: { connection: "close" } });
      if (res.status === 200) sids.push(JSON.parse((await res.text()).slice(1)).sid); // before the drain began
      else refused = { status: res.status, retry: res.headers.get("retry-after"), body: await res.json() };
      return refused;
    }, 3000, "a refused handshake");
    assert.deepEqual(refused, {
      status: 503,
      retry: "1",
      body: { code: "SERVER_SHUTTING_DOWN", message: "Server shutting down" },
    });
    for (const sid of sids) {
      const res = await fetch(eioUrl(server.url, { EIO: "4", transport: "polling", sid }, "/socket.io/"), {
        headers: { connection: "close" },
      });
      assert.equal(await res.text(), `6${RS}1`, "a noop, then the close packet, as Node sends them");
    }
    assert.equal(await stopped, 0);
    assert.ok(Date.now() - started < 4000, "the drain ended with its last session, not at the timeout");
  });
});
