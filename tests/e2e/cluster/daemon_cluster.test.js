// The switchboard daemon as a cluster (WS_ADAPTER=redis): the HTTP API of
// one node acts on users connected to another, presence is the cluster's
// (user:status once, a killed node's users offline within the TTL),
// /health and /ready report the adapter, malformed messages on Redis are
// dropped and counted, and a Redis outage turns /ready to 503 and back.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import jwt from "jsonwebtoken";
import { io } from "socket.io-client";
import { startRedis } from "../lib/redis.js";
import { startServer, once, sleep, until } from "../lib/server.js";
import { connected } from "../lib/targets.js";

const SECRET = "cluster-secret";
const token = (sub) => jwt.sign({ sub }, SECRET, { expiresIn: "1h" });

const post = (node, path, body) =>
  fetch(`${node.url}${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
const health = async (node) => (await fetch(`${node.url}/health`)).json();

describe("switchboard daemons in one cluster", () => {
  let redis, a, b, nodeArgs;
  const sockets = [];
  const user = async (node, id) => {
    const s = io(node.url, { forceNew: true, reconnection: false, transports: ["websocket"], auth: { token: token(id) } });
    sockets.push(s);
    return connected(s);
  };
  before(async () => {
    redis = await startRedis();
    const args = (shards) => ["--threads", String(shards), "--jwt-secret", SECRET, "--adapter", "redis", "--redis-url", redis.url,
      "--presence", "all", "--presence-ttl", "3"];
    nodeArgs = args;
    [a, b] = await Promise.all([startServer("switchboard", args(1)), startServer("switchboard", args(2))]);
    for (const n of [a, b]) await until(async () => (await health(n)).adapter.state === "ready", 5000, "the adapter");
  });
  after(async () => {
    for (const s of sockets) s.disconnect();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it("reports the adapter in /health and is ready", async () => {
    const h = await health(a);
    assert.equal(h.adapter.type, "redis");
    assert.equal(h.adapter.state, "ready");
    assert.equal((await fetch(`${a.url}/ready`)).status, 200);
  });

  it("POST /emit on one node reaches a user connected to the other", async () => {
    const alice = await user(a, "alice");
    const got = once(alice, "order:status_updated");
    const res = await post(b, "/emit", { event: "order:status_updated", data: { orderId: 7 }, to: { users: ["alice"] } });
    assert.equal(res.status, 202);
    assert.deepEqual(await got, [{ orderId: 7 }]);
  });

  it("room changes and disconnects by the HTTP API act on the other node's sockets", async () => {
    const bob = await user(b, "bob");
    assert.equal((await post(a, "/users/bob/rooms", { room: "vip" })).status < 300, true);
    await sleep(100);
    const inRoom = once(bob, "vip-news");
    await post(a, "/emit", { event: "vip-news", data: 1, to: { rooms: ["vip"] } });
    assert.deepEqual(await inRoom, [1]);
    const gone = once(bob, "disconnect");
    assert.equal((await post(a, "/users/bob/disconnect", {})).status < 300, true);
    assert.equal((await gone)[0], "io server disconnect");
  });

  it("presence is the cluster's: online once for the first tab anywhere, offline once for the last", async () => {
    const watcher = await user(b, "watcher");
    const seen = [];
    watcher.on("user:status", (s) => s.userId === "multi" && seen.push(s.status));
    const tab1 = await user(a, "multi");
    await until(async () => seen.length === 1, 3000, "online");
    const tab2 = await user(b, "multi");
    // Each node writes its own sockets to Redis as they come: wait for both.
    await until(async () => (await (await fetch(`${a.url}/user-status/multi`)).json()).data.socketCount === 2, 3000, "two sockets");
    const status = await (await fetch(`${a.url}/user-status/multi`)).json();
    assert.deepEqual(status.data, { userId: "multi", isConnected: true, socketCount: 2 });
    const users = (await (await fetch(`${b.url}/connected-users`)).json()).data.users;
    assert.ok(users.includes("multi") && users.includes("watcher"), JSON.stringify(users));
    tab1.disconnect();
    await sleep(300);
    assert.deepEqual(seen, ["online"], "a tab left, another stays: still online");
    tab2.disconnect();
    await until(async () => seen.length === 2, 3000, "offline");
    assert.deepEqual(seen, ["online", "offline"]);
    assert.equal((await (await fetch(`${a.url}/user-status/multi`)).json()).data.isConnected, false);
  });

  it("GET /stats gives this node's figures and the cluster's, each marked", async () => {
    const stats = async (n) => (await (await fetch(`${n.url}/stats`)).json()).data;
    const local = sockets.filter((s) => s.connected).length;
    await user(a, "stats-a");
    await user(b, "stats-b");
    await until(async () => (await stats(a)).cluster.activeConnections === local + 2, 5000, "both nodes' sockets");
    const [sa, sb] = [await stats(a), await stats(b)];
    assert.equal(sa.scope, "node");
    assert.equal(sa.cluster.scope, "cluster");
    assert.equal(sa.cluster.nodes, 2);
    assert.equal(sa.cluster.complete, true);
    assert.equal(sa.cluster.activeConnections, sa.activeConnections + sb.activeConnections);
    assert.ok(sa.activeConnections < sa.cluster.activeConnections);
    assert.ok(sa.cluster.connectedUsers >= 2);
  });

  it("a killed node's users are offline on the others within the TTL", async () => {
    const c = await startServer("switchboard", nodeArgs(1));
    const watcher = await user(a, "watcher2");
    const seen = [];
    watcher.on("user:status", (s) => s.userId === "doomed" && seen.push(s.status));
    await user(c, "doomed");
    await until(async () => seen.includes("online"), 3000, "online");
    const exited = new Promise((r) => c.child.once("exit", r));
    c.child.kill("SIGKILL"); // no goodbye: its Redis entries stay until the others take them out
    await exited;
    const killed = Date.now();
    await until(async () => seen.includes("offline"), 8000, "offline after the kill");
    assert.ok(Date.now() - killed < 8000);
    assert.equal((await (await fetch(`${b.url}/user-status/doomed`)).json()).data.isConnected, false);
  });

  it("drops and counts malformed messages on Redis, and keeps delivering", async () => {
    const raw = redis.client();
    for (const channel of ["socket.io#/#", "socket.io#/#user:alice#", "socket.io-request#/#", "socket.io-response#/#"])
      for (const payload of ["{not json", Buffer.from([0x93, 0xc1]), Buffer.from([0x91, 0xa1]), '{"type":5}', Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff])])
        await raw.publish(channel, payload);
    await until(async () => (await health(a)).adapter.decodeErrors > 0, 2000, "decode errors to be counted");
    const carol = await user(a, "carol");
    const got = once(carol, "still-here");
    await post(b, "/emit", { event: "still-here", data: true, to: { users: ["carol"] } });
    assert.deepEqual(await got, [true]);
  });

  it("Redis lost: /ready is 503 and the nodes serve their own clients; back within 5 s of Redis returning", async () => {
    const dave = await user(a, "dave");
    await redis.kill();
    await until(async () => (await fetch(`${a.url}/ready`)).status === 503, 5000, "/ready to turn 503");
    assert.equal((await health(a)).adapter.state, "down");
    const local = once(dave, "local");
    await post(a, "/emit", { event: "local", data: 1, to: { users: ["dave"] } });
    assert.deepEqual(await local, [1]);
    await redis.restart();
    const back = Date.now();
    await until(async () => (await fetch(`${a.url}/ready`)).status === 200, 5000, "/ready to turn 200");
    await until(async () => {
      const got = once(dave, "cross", 300);
      await post(b, "/emit", { event: "cross", data: 2, to: { users: ["dave"] } });
      await got;
      return true;
    }, 5000, "cross-node delivery");
    assert.ok(Date.now() - back < 5000);
    assert.ok((await health(b)).adapter.publishFailures >= 0);
  });

  it("refuses a Redis URL that asks for TLS, Sentinel or Cluster, and says so", async () => {
    for (const url of ["rediss://127.0.0.1:6379", "redis+sentinel://127.0.0.1:26379/mymaster"]) {
      await assert.rejects(startServer("switchboard", ["--adapter", "redis", "--redis-url", url]), /exited with 2/);
    }
  });
});

describe("switchboard daemons started while Redis is down", () => {
  it("start and serve their own clients, then form the cluster when Redis comes", async () => {
    const redis = await startRedis();
    await redis.kill();
    const args = ["--threads", "1", "--jwt-secret", SECRET, "--adapter", "redis", "--redis-url", redis.url];
    const [a, b] = await Promise.all([startServer("switchboard", args), startServer("switchboard", args)]);
    const sockets = [];
    try {
      assert.equal((await fetch(`${a.url}/ready`)).status, 503);
      const erin = io(a.url, { forceNew: true, reconnection: false, transports: ["websocket"], auth: { token: token("erin") } });
      sockets.push(erin);
      await connected(erin);
      const alone = once(erin, "alone");
      await post(a, "/emit", { event: "alone", data: 1, to: { users: ["erin"] } });
      assert.deepEqual(await alone, [1]);
      await redis.restart();
      await until(async () => (await fetch(`${a.url}/ready`)).status === 200, 6000, "/ready once Redis is up");
      await until(async () => {
        const got = once(erin, "together", 300);
        await post(b, "/emit", { event: "together", data: 2, to: { users: ["erin"] } });
        await got;
        return true;
      }, 6000, "cross-node delivery");
    } finally {
      for (const s of sockets) s.disconnect();
      await Promise.all([a.stop(), b.stop()]);
      await redis.stop();
    }
  });
});
