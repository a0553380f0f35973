// RabbitMQ ingestion (issue 14), faults: the broker killed and restarted
// (later messages delivered, no busy loop while it is away); the daemon
// SIGKILLed while it holds unacked messages (the next consumer gets them);
// two daemons on one Redis as competing consumers (each message reaches each
// tab once). One private rabbitmq-server for the file; each test has its own
// queue.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import jwt from "jsonwebtoken";
import { io } from "socket.io-client";
import { startServer, until, sleep } from "../lib/server.js";
import { connected } from "../lib/targets.js";
import { startRabbit } from "../lib/rabbitmq.js";
import { startRedis } from "../lib/redis.js";

const SECRET = "ingest-faults-secret";
const token = (claims) => jwt.sign(claims, SECRET, { algorithm: "HS256", expiresIn: "1h" });

const health = async (server) => (await (await fetch(`${server.url}/health`)).json()).ingest;

// Whether every thread of a process is stopped (SIGSTOP). kill() only starts
// a group stop: the threads stop as each is next scheduled, and on a loaded
// machine a thread woken by the network may still run (and ack) meanwhile.
function stopped(pid) {
  return fs.readdirSync(`/proc/${pid}/task`).every((tid) => statFields(`/proc/${pid}/task/${tid}/stat`)[0] === "T");
}

// utime + stime of a process, in clock ticks (usually 10 ms).
function cpuTicks(pid) {
  const fields = statFields(`/proc/${pid}/stat`);
  return Number(fields[11]) + Number(fields[12]);
}

// The fields of a /proc stat file after the command name (which may hold
// blanks and parentheses): the state first, then utime at 11 and stime at 12.
function statFields(file) {
  const stat = fs.readFileSync(file, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

describe("RabbitMQ ingestion: faults", () => {
  let rmq, ch;
  const cleanup = [];

  const daemon = (queue, env = {}) =>
    startServer("switchboard", ["--threads", "2"], {
      env: { JWT_SECRET: SECRET, RABBITMQ_URL: rmq.url, RABBITMQ_QUEUE: queue, ...env },
    }).then((s) => {
      cleanup.push(() => s.stop());
      return s;
    });

  const tab = async (server, user) => {
    const s = io(server.url, { forceNew: true, reconnection: false, transports: ["websocket"], auth: { token: token({ sub: user }) } });
    cleanup.push(() => s.disconnect());
    const got = [];
    s.on("notification:new", (p) => got.push(p.n));
    await connected(s);
    return got;
  };

  const notify = (user, n) =>
    ch.publish("events", "notification.created", Buffer.from(JSON.stringify({ userId: user, n })), { persistent: true });

  before(async () => {
    rmq = await startRabbit();
    console.log(`# rabbitmq-server started in ${rmq.startupMs} ms`);
    ch = await rmq.channel();
    await ch.assertExchange("events", "topic", { durable: true });
  });

  after(async () => {
    for (const f of cleanup.reverse()) await f();
    if (rmq) await rmq.stop();
  });

  it("the broker killed and restarted: the node keeps serving, reconnects, and later messages arrive", async () => {
    const server = await daemon("q.restart");
    await until(async () => (await health(server)).state === "consuming", 10000, "consuming");
    const got = await tab(server, "u1");
    notify("u1", 1);
    await until(() => got.length === 1, 5000, "message 1");

    await rmq.kill();
    await until(async () => (await health(server)).state !== "consuming", 5000, "the consumer to notice");
    const h = await health(server);
    assert.ok(h.lastError, "the error is shown");
    // Away for 2 s: the backoff waits (100 ms doubling to 5 s), no busy loop.
    const ticks = cpuTicks(server.child.pid);
    await sleep(2000);
    const used = (cpuTicks(server.child.pid) - ticks) * 10;
    assert.ok(used < 300, `the daemon used ${used} ms of CPU in 2 s without a broker`);
    // Clients are still served.
    const other = await tab(server, "u2");
    assert.equal(other.length, 0);

    const restartedAt = Date.now();
    await rmq.restart();
    console.log(`# rabbitmq-server restarted in ${rmq.startupMs} ms`);
    ch = await rmq.channel();
    await until(async () => (await health(server)).state === "consuming", 15000, "consuming again");
    console.log(`# consuming again ${Date.now() - restartedAt} ms after the restart began`);
    notify("u1", 2);
    notify("u2", 3);
    await until(() => got.length === 2 && other.length === 1, 5000, "messages after the restart");
    assert.deepEqual(got, [1, 2]);
    assert.deepEqual(other, [3]);
    await server.output(/ingest.*disconnected/);
    // Once per state change: the broker's absence is logged once, not once per
    // attempt. A broker still booting may take the TCP connection and drop the
    // login, which is a change (connecting, then disconnected) and logged again.
    const states = server.stdout().split("\n").filter((l) => /ingest state=/.test(l))
      .map((l) => l.match(/state=(\w+)/)[1]);
    assert.ok(states.includes("disconnected"), states.join(","));
    for (let i = 1; i < states.length; i++) assert.notEqual(states[i], states[i - 1], states.join(","));
  });

  it("a daemon SIGKILLed with unacked messages: the next consumer gets them", async () => {
    const queue = "q.kill";
    const first = await daemon(queue, { RABBITMQ_PREFETCH: "5" });
    await until(async () => (await health(first)).state === "consuming", 10000, "consuming");
    // Frozen, it cannot ack: the broker hands it its prefetch (5) and waits.
    first.child.kill("SIGSTOP");
    await until(() => stopped(first.child.pid), 5000, "the first node's threads to stop");
    for (let n = 1; n <= 5; n++) notify("u7", n);
    await until(async () => (await ch.checkQueue(queue)).messageCount === 0, 5000, "5 deliveries to the frozen node");

    const second = await daemon(queue);
    await until(async () => (await health(second)).state === "consuming", 10000, "the second consumer");
    const got = await tab(second, "u7");
    for (let n = 6; n <= 10; n++) notify("u7", n);
    await until(() => got.length === 5, 15000, async () =>
      `the second node's own messages: the tab has ${got}; ${JSON.stringify(await health(second))}`);
    assert.deepEqual([...got].sort((a, b) => a - b), [6, 7, 8, 9, 10], "the frozen node's messages stay unacked");

    first.child.kill("SIGKILL");
    await until(() => got.length === 10, 10000, async () =>
      `the dead node's unacked messages: the tab has ${got}; ${JSON.stringify(await health(second))}`);
    assert.deepEqual([...got].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const h = await health(second);
    assert.equal(h.redelivered, 5);
    await sleep(300);
    assert.equal(got.length, 10, "nothing twice");
  });

  it("two nodes on one Redis, one queue: each message reaches each tab once", async () => {
    const redis = await startRedis();
    cleanup.push(() => redis.stop());
    const queue = "q.cluster";
    const env = { WS_ADAPTER: "redis", REDIS_URL: redis.url, RABBITMQ_PREFETCH: "1" };
    const a = await daemon(queue, env);
    const b = await daemon(queue, env);
    for (const s of [a, b]) await until(async () => (await health(s)).state === "consuming", 10000, "consuming");
    const onA = await tab(a, "u9");
    const onB = await tab(b, "u9");
    await sleep(300); // the Redis subscriptions of the user's room
    const count = 40;
    for (let n = 1; n <= count; n++) notify("u9", n);
    const all = Array.from({ length: count }, (_, i) => i + 1);
    await until(() => onA.length >= count && onB.length >= count, 10000, "every message on both tabs");
    await sleep(300);
    assert.deepEqual([...onA].sort((x, y) => x - y), all, "the tab on node a: each message once");
    assert.deepEqual([...onB].sort((x, y) => x - y), all, "the tab on node b: each message once");
    const [ha, hb] = [await health(a), await health(b)];
    assert.equal(ha.routed + hb.routed, count, "each message consumed by one node");
    assert.ok(ha.routed > 0 && hb.routed > 0, `competing consumers: a ${ha.routed}, b ${hb.routed}`);
  });
});
