// The daemon's per-user and per-socket limits (issue 12, part 2): sockets per
// user (MAX_CONNECTIONS_PER_USER), events per second per socket
// (EVENT_RATE_LIMIT), and one abusive client never slowing the others.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { Worker } from "node:worker_threads";
import jwt from "jsonwebtoken";
import { io } from "socket.io-client";
import { startServer, buildDir, once, sleep } from "../lib/server.js";
import { connected } from "../lib/targets.js";

const SECRET = "limits-secret";
const token = (sub) => jwt.sign({ sub }, SECRET);
const open = (server, opts = {}) => io(server.url, { forceNew: true, reconnection: false, transports: ["websocket"], ...opts });
const refusal = (socket) => once(socket, "connect_error").then(([err]) => ({ message: err.message, data: err.data }));

describe("the daemon's limits", () => {
  it("lists every limit with its environment name in --help", () => {
    const r = spawnSync(path.join(buildDir, "switchboard"), ["--help"], { encoding: "utf8" });
    assert.equal(r.status, 0);
    for (const name of ["HTTP_HEADERS_TIMEOUT", "HTTP_MAX_HEADER_SIZE", "HTTP_KEEP_ALIVE_TIMEOUT", "HTTP_BODY_TIMEOUT",
      "MAX_CONNECTIONS", "TRUST_PROXY", "MAX_CONNECTIONS_PER_IP", "CONNECTION_RATE_PER_IP", "CONNECTION_RATE_BURST",
      "MAX_CONNECTIONS_PER_USER", "EVENT_RATE_LIMIT", "EVENT_RATE_BURST"])
      assert.match(r.stdout, new RegExp(`Env:${name}\\b`), name);
    assert.match(r.stdout, /--headers-timeout UINT=10000/);
    assert.match(r.stdout, /--max-header-size UINT=16384/);
  });

  it("refuses a user's socket past MAX_CONNECTIONS_PER_USER with CONNECT_ERROR CONNECTION_LIMIT, until one leaves", async () => {
    const server = await startServer("switchboard", ["--jwt-secret", SECRET], { env: { MAX_CONNECTIONS_PER_USER: "2" } });
    const sockets = [];
    const client = (sub) => {
      const s = open(server, { auth: { token: token(sub) } });
      sockets.push(s);
      return s;
    };
    try {
      const first = await connected(client("alice"));
      await connected(client("alice"));
      assert.deepEqual(await refusal(client("alice")), { message: "Too many connections", data: { code: "CONNECTION_LIMIT" } });
      await connected(client("bob")); // another user is not affected
      first.disconnect();
      await sleep(100);
      await connected(client("alice"));
      assert.deepEqual((await refusal(client("alice"))).data, { code: "CONNECTION_LIMIT" });
      // At once, from many sockets (on both shards): never more than the limit.
      const burst = Array.from({ length: 6 }, () => client("carol"));
      const outcomes = await Promise.all(burst.map((s) => connected(s).then(() => "in", () => "out")));
      assert.equal(outcomes.filter((o) => o === "in").length, 2);
    } finally {
      for (const s of sockets) s.disconnect();
      await server.stop();
    }
  });

  it("drops events over EVENT_RATE_LIMIT with an error event, and disconnects a socket that keeps flooding", async () => {
    const server = await startServer("switchboard", [], { env: { EVENT_RATE_LIMIT: "5", EVENT_RATE_BURST: "5" } });
    try {
      const socket = await connected(open(server));
      const errors = [];
      socket.on("error", (e) => errors.push(e));
      for (let i = 0; i < 15; i++) socket.emit("hello", i);
      // Within the rate an event is handled (acked), past it dropped (no ack) with an error event.
      const ack = socket.timeout(500).emitWithAck("join_room", "lobby");
      await assert.rejects(ack, /timed out/);
      assert.equal(errors.length, 11);
      assert.deepEqual(errors[0], { message: "Rate limit exceeded", event: "hello" });
      assert.deepEqual(errors[10], { message: "Rate limit exceeded", event: "join_room" });
      await sleep(400); // two tokens back
      assert.deepEqual(await socket.timeout(1000).emitWithAck("join_room", "lobby"), { success: true, room: "lobby" });
      // A flood far over the rate: disconnected by the server, not reconnecting.
      const closed = once(socket, "disconnect");
      for (let i = 0; i < 2000; i++) socket.emit("hello", i);
      assert.equal((await closed)[0], "io server disconnect");
      await server.output(/flood/);
    } finally {
      await server.stop();
    }
  });
});

// The flood runs in a worker thread, so that its own work does not delay the
// test's event loop and show up as the good clients' latency.
const flooder = `
const { parentPort, workerData } = require("node:worker_threads");
const WebSocket = require(workerData.ws);
const net = require("node:net");
let sent = 0, connections = 0, stop = false;
const bad = '42["join_room",""]';
function flood() {
  if (stop) return;
  const ws = new WebSocket(workerData.url + "/socket.io/?EIO=4&transport=websocket");
  connections++;
  let timer;
  ws.on("open", () => {
    ws.send("40");
    // 10,000 packets a second, 100 every 10 ms.
    timer = setInterval(() => { for (let i = 0; i < 100; i++) ws.send(bad); sent += 100; }, 10);
  });
  ws.on("message", () => {});
  ws.on("error", () => {});
  ws.on("close", () => { clearInterval(timer); setTimeout(flood, 10); });
  parentPort.once("message", () => { stop = true; clearInterval(timer); ws.terminate(); });
}
// And a few slowloris connections, trickling a header byte every 200 ms.
const slow = [];
for (let i = 0; i < 20; i++) {
  const s = net.connect(workerData.port, "127.0.0.1", () => s.write("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\\r\\n"));
  s.on("error", () => {});
  slow.push(s);
}
const trickle = setInterval(() => { for (const s of slow) if (s.writable) s.write("X"); }, 200);
flood();
parentPort.once("message", () => {
  clearInterval(trickle);
  for (const s of slow) s.destroy();
  setTimeout(() => parentPort.postMessage({ sent, connections }), 50);
});
`;

function p99(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];
}

describe("one abusive client", () => {
  it("never slows the others: 1,000 clients keep their latency and lose nothing while one floods", async () => {
    const server = await startServer("switchboard", ["--event-rate-limit", "50", "--event-rate-burst", "100"]);
    const clients = [];
    try {
      for (let i = 0; i < 1000; i += 100)
        clients.push(...(await Promise.all(Array.from({ length: 100 }, () => connected(open(server))))));
      let lost = 0;
      let disconnected = 0;
      for (const c of clients) c.on("disconnect", () => disconnected++);
      // Each client asks for an ack once a second, the clients spread over the second.
      const measure = async (ms) => {
        const latencies = [];
        const end = Date.now() + ms;
        await Promise.all(clients.map(async (c, i) => {
          await sleep(i % 1000);
          while (Date.now() < end) {
            const start = performance.now();
            try {
              await c.timeout(2000).emitWithAck("join_room", "lobby");
              latencies.push(performance.now() - start);
            } catch {
              lost++;
            }
            await sleep(1000);
          }
        }));
        return latencies;
      };
      const calm = await measure(1500);
      const worker = new Worker(flooder, {
        eval: true,
        workerData: { url: server.url.replace("http", "ws"), port: server.port, ws: path.resolve("node_modules/ws") },
      });
      await sleep(300); // the flood is under way
      const stormy = await measure(2500);
      worker.postMessage("stop");
      const [{ sent, connections }] = await once(worker, "message");
      await worker.terminate();
      const report = `calm p99 ${p99(calm).toFixed(1)} ms (${calm.length}), during the flood p99 ${p99(stormy).toFixed(1)} ms ` +
        `(${stormy.length}); the flood sent ${sent} packets over ${connections} connections`;
      console.log(report);
      assert.ok(sent >= 15000, report);
      assert.equal(lost, 0, `acks lost; ${report}`);
      assert.equal(disconnected, 0, "no good client was disconnected");
      assert.ok(stormy.length >= 2000, report);
      // A sanitizer build (Debug, ASan or TSan) runs the server several times
      // slower, and there the latency measures the sanitizer: only the
      // release build checks it. Loss and disconnects are checked on all.
      if (!process.env.SWITCHBOARD_SANITIZED) assert.ok(p99(stormy) < 200, report);
      assert.match(server.stdout(), /flood/, "the flooder was disconnected");
    } finally {
      for (const c of clients) c.disconnect();
      await server.stop();
    }
  });
});
