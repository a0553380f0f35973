// GET /metrics: Prometheus' own parser (promtool, Debian's prometheus
// package) accepts a real scrape, and the figures move as clients connect,
// emit, are refused and disconnect and as the HTTP API is called. Also the
// API key, METRICS_PUBLIC and METRICS_PORT.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import jwt from "jsonwebtoken";
import { io } from "socket.io-client";
import { startServer, once, until } from "../lib/server.js";
import { connected } from "../lib/targets.js";
import { scrape as scrapeWith, value, assertPromtoolAccepts } from "../lib/metrics.js";
import { startRedis } from "../lib/redis.js";

const SECRET = "metrics-test-secret";
const KEY = "metrics-test-key";
const token = (sub) => jwt.sign({ sub }, SECRET, { algorithm: "HS256", expiresIn: "1h" });

// A port nobody listens on now (the kernel's pick, released).
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const scrape = (port, key = KEY) => scrapeWith(port, key);

describe("GET /metrics", () => {
  let server, metricsPort;
  const sockets = [];
  before(async () => {
    metricsPort = await freePort();
    server = await startServer("switchboard", [
      "--threads", "2", "--jwt-secret", SECRET, "--api-key", KEY, "--metrics-port", String(metricsPort),
    ]);
  });
  after(async () => {
    for (const s of sockets) s.disconnect();
    await server.stop();
  });
  const open = (opts) => {
    const s = io(server.url, { forceNew: true, reconnection: false, transports: ["websocket"], ...opts });
    sockets.push(s);
    return s;
  };

  it("is in the text format promtool accepts, every metric with HELP and TYPE", async () => {
    const { status, type, text } = await scrape(server.port);
    assert.equal(status, 200);
    assert.match(type, /^text\/plain; version=0\.0\.4/);
    assertPromtoolAccepts(text);
    for (const name of ["switchboard_socketio_connects_total", "switchboard_event_loop_lag_seconds",
                        "process_resident_memory_bytes", "process_open_fds", "switchboard_rooms"])
      assert.match(text, new RegExp(`^# HELP ${name} \\S`, "m"), name);
    // Both shards ran their loop-lag probe (every 250 ms) by now or shortly.
    await until(async () => value((await scrape(server.port)).text, 'switchboard_event_loop_lag_seconds_count{shard="1"}') > 0,
                3000, "shard 1's loop-lag samples");
  });

  it("needs the API key unless METRICS_PUBLIC, and counts the refusal", async () => {
    assert.equal((await scrape(server.port, null)).status, 401);
    assert.equal((await scrape(server.port, "wrong")).status, 401);
    const { text } = await scrape(server.port);
    assert.ok(value(text, 'switchboard_http_api_requests_total{route="metrics",code="401"}') >= 2);
  });

  it("moves as a client connects, emits, is emitted to, and disconnects", async () => {
    const before = (await scrape(server.port)).text;
    const socket = open({ auth: { token: token("metrics-user") } });
    await connected(socket);
    socket.emit("hello", { n: 1 });
    // A server-side emit through the HTTP API reaches the client as a broadcast delivery.
    const got = once(socket, "notice");
    const res = await fetch(`${server.url}/emit`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ event: "notice", data: { ok: true }, to: { users: ["metrics-user"] } }),
    });
    assert.equal(res.status, 202);
    await got;
    await until(async () => {
      const t = (await scrape(server.port)).text;
      return value(t, "switchboard_socketio_events_received_total") > value(before, "switchboard_socketio_events_received_total");
    }, 2000, "the event to be counted");
    const during = (await scrape(server.port)).text;
    const grew = (series, by = 1) =>
      assert.ok(value(during, series) - (value(before, series) ?? 0) >= by, `${series}: ${value(before, series)} -> ${value(during, series)}`);
    grew("switchboard_socketio_connects_total");
    grew('switchboard_engine_handshakes_total{transport="websocket"}');
    grew("switchboard_socketio_events_received_total");
    grew("switchboard_broadcasts_total");
    grew("switchboard_broadcast_deliveries_total");
    grew("switchboard_socketio_events_emitted_total");
    grew("switchboard_socketio_packets_received_total", 2); // CONNECT and the event
    grew("switchboard_socketio_packets_sent_total", 2); // CONNECT's answer and the delivery
    grew("switchboard_socketio_received_bytes_total", 10);
    grew("switchboard_socketio_sent_bytes_total", 10);
    grew('switchboard_http_api_requests_total{route="emit",code="202"}');
    assert.equal(value(during, 'switchboard_socketio_sockets{namespace="/"}'), 1);
    assert.equal(value(during, 'switchboard_engine_sessions{transport="websocket"}'), 1);
    assert.equal(value(during, "switchboard_connected_users"), 1);
    assert.ok(value(during, "switchboard_rooms") >= 1); // the user's room
    const perShard = [0, 1].map((s) => value(during, `switchboard_shard_sockets{shard="${s}"}`));
    assert.equal(perShard[0] + perShard[1], 1);

    const gone = once(socket, "disconnect");
    socket.disconnect();
    await gone;
    await until(async () => value((await scrape(server.port)).text, 'switchboard_socketio_sockets{namespace="/"}') === 0,
                2000, "the socket gauge to fall to 0");
    const after = (await scrape(server.port)).text;
    assert.equal(
      value(after, 'switchboard_socketio_disconnects_total{reason="client namespace disconnect"}') -
        value(before, 'switchboard_socketio_disconnects_total{reason="client namespace disconnect"}'), 1);
    await until(async () => value((await scrape(server.port)).text, 'switchboard_engine_sessions{transport="websocket"}') === 0,
                2000, "the session gauge to fall to 0");
  });

  it("counts a refused token as an auth refusal", async () => {
    const before = value((await scrape(server.port)).text, 'switchboard_refused_connections_total{cause="auth"}');
    const err = await connected(open({ auth: { token: jwt.sign({ sub: "x" }, "wrong-secret") } })).then(() => null, (e) => e);
    assert.ok(err, "the connection must be refused");
    const after = value((await scrape(server.port)).text, 'switchboard_refused_connections_total{cause="auth"}');
    assert.equal(after - before, 1);
  });

  it("counts HTTP API requests by route and status", async () => {
    const before = (await scrape(server.port)).text;
    assert.equal((await fetch(`${server.url}/stats`, { headers: { authorization: `Bearer ${KEY}` } })).status, 200);
    assert.equal((await fetch(`${server.url}/user-status/x`)).status, 401);
    const after = (await scrape(server.port)).text;
    const delta = (series) => value(after, series) - (value(before, series) ?? 0);
    assert.equal(delta('switchboard_http_api_requests_total{route="stats",code="200"}'), 1);
    assert.equal(delta('switchboard_http_api_requests_total{route="user-status",code="401"}'), 1);
  });

  it("is served on METRICS_PORT too, and nothing else there", async () => {
    const { status, text } = await scrape(metricsPort);
    assert.equal(status, 200);
    assertPromtoolAccepts(text);
    assert.equal((await scrape(metricsPort, null)).status, 401);
    assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/health`)).status, 404);
  });
});

describe("GET /metrics with METRICS_PUBLIC=true", () => {
  it("answers without the API key; the rest of the API still needs it", async () => {
    const server = await startServer("switchboard", ["--threads", "1", "--api-key", KEY], { env: { METRICS_PUBLIC: "true" } });
    try {
      const { status, text } = await scrape(server.port, null);
      assert.equal(status, 200);
      assert.match(text, /^switchboard_info\{version="[^"]+",commit="[^"]+"\} 1$/m);
      assert.equal((await fetch(`${server.url}/stats`)).status, 401);
    } finally {
      await server.stop();
    }
  });
});

describe("GET /metrics with the Redis adapter", () => {
  it("has the adapter's state and counts its publishes", async () => {
    const redis = await startRedis();
    const server = await startServer("switchboard", ["--threads", "1", "--api-key", KEY, "--adapter", "redis", "--redis-url", redis.url]);
    try {
      await until(async () => value((await scrape(server.port)).text, 'switchboard_redis_adapter_state{state="ready"}') === 1,
                  5000, "the adapter to be ready");
      const before = value((await scrape(server.port)).text, "switchboard_redis_adapter_published_total");
      const res = await fetch(`${server.url}/emit`, {
        method: "POST",
        headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ event: "notice", data: 1, to: { all: true } }),
      });
      assert.equal(res.status, 202);
      await until(async () => value((await scrape(server.port)).text, "switchboard_redis_adapter_published_total") > before,
                  3000, "the publish to be counted");
      const { text } = await scrape(server.port);
      assertPromtoolAccepts(text);
      assert.equal(value(text, 'switchboard_redis_adapter_state{state="down"}'), 0);
      assert.equal(value(text, "switchboard_redis_adapter_decode_errors_total"), 0);
    } finally {
      await server.stop();
      await redis.stop();
    }
  });
});
