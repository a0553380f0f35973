// Chat rooms with history on the Redis store: two daemons on one private
// redis-server (WS_ADAPTER=redis) share rooms and history, a message sent on
// one node is in the history read on the other, and it all survives a
// restart of both nodes.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import jwt from "jsonwebtoken";
import { io } from "socket.io-client";
import { startServer, once, until } from "../lib/server.js";
import { connected } from "../lib/targets.js";
import { startRedis } from "../lib/redis.js";
import { api as apiWith, attempt } from "../lib/rooms.js";

const SECRET = "rooms-redis-secret";
const KEY = "rooms-api-key";
const api = (server, method, path, body) => apiWith(server, method, path, body, KEY);

describe("chat rooms and history, Redis store, two nodes", () => {
  let redis;
  let nodes = [];
  const sockets = [];
  const env = () => ({ WS_ADAPTER: "redis", REDIS_URL: redis.url, HISTORY_MAX_MESSAGES: "4", CLIENT_ROOMS: "lobby" });
  const startNodes = async () => {
    nodes = await Promise.all([1, 2].map((threads) =>
      startServer("switchboard", ["--threads", String(threads), "--jwt-secret", SECRET, "--api-key", KEY], { env: env() })));
    for (const n of nodes) await until(async () => (await fetch(`${n.url}/ready`)).status === 200, 5000, "ready");
  };
  const open = (node, sub) => {
    const s = io(node.url, { forceNew: true, reconnection: false, transports: ["websocket"], auth: { token: jwt.sign({ sub, name: `Name ${sub}` }, SECRET) } });
    sockets.push(s);
    return connected(s);
  };
  before(async () => {
    redis = await startRedis();
    await startNodes();
  });
  after(async () => {
    sockets.forEach((s) => s.close());
    await Promise.all(nodes.map((n) => n.stop()));
    await redis.stop();
  });

  it("shares rooms and history between the nodes, keeps the retention bound, and survives a restart of both", async () => {
    const [a, b] = nodes;
    const room = (await api(a, "POST", "/rooms", { name: "shared", namespace: "chat", metadata: { x: 1 } })).body.data;
    const seen = (await api(b, "GET", `/rooms/${room.id}`)).body.data;
    assert.deepEqual({ ...seen, memberCount: 0 }, { ...room, memberCount: 0 }, "node b sees the room node a made");
    assert.deepEqual((await api(b, "GET", "/rooms?namespace=chat")).body.data.map((r) => r.id), [room.id]);

    const onA = await open(a, "ann");
    const onB = await open(b, "bob");
    assert.ok((await attempt(onB, "room:join", { roomId: room.id })).ack, "a registry room of another node is joinable");
    assert.ok((await attempt(onA, "room:join", { roomId: room.id })).ack);
    const atB = once(onB, "message");
    const { ack } = await attempt(onA, "message", { roomId: room.id, content: "sent on a" });
    assert.deepEqual((await atB)[0], ack, "delivered on the other node");
    const history = async (node, q = "") =>
      (await api(node, "GET", `/rooms/${room.id}/messages${q}`)).body.data.messages.map((m) => m.content);
    assert.deepEqual(await history(b), ["sent on a"], "in the history read on the other node");
    const [stored] = (await api(b, "GET", `/rooms/${room.id}/messages`)).body.data.messages;
    assert.deepEqual(stored, ack);

    for (let i = 1; i <= 5; i++) await api(i % 2 ? a : b, "POST", `/rooms/${room.id}/messages`, { content: `s${i}` });
    assert.deepEqual(await history(a), ["s2", "s3", "s4", "s5"], "HISTORY_MAX_MESSAGES=4 holds in Redis");
    assert.deepEqual(await history(b, "?limit=2"), ["s4", "s5"]);
    assert.deepEqual(await history(b, "?limit=2&offset=2"), ["s2", "s3"]);
    assert.deepEqual(await history(b, "?limit=2&offset=4"), []);
    const stats = (await api(a, "GET", `/rooms/${room.id}/stats`)).body.data;
    assert.equal(stats.messageCount, 4);
    assert.equal(stats.createdAt, room.createdAt);
    assert.ok(stats.lastActivity >= ack.timestamp);

    sockets.forEach((s) => s.close());
    await Promise.all(nodes.map((n) => n.stop()));
    await startNodes();
    for (const n of nodes) {
      assert.equal((await api(n, "GET", `/rooms/${room.id}`)).body.data.name, "shared", "the room survived");
      assert.deepEqual(await history(n), ["s2", "s3", "s4", "s5"], "the history survived");
    }

    const other = (await api(nodes[1], "POST", "/rooms", { name: "gone" })).body.data;
    await api(nodes[1], "POST", `/rooms/${other.id}/messages`, { content: "x" });
    assert.equal((await api(nodes[0], "DELETE", `/rooms/${other.id}`)).status, 200);
    assert.equal((await api(nodes[1], "GET", `/rooms/${other.id}`)).status, 404);
    assert.equal((await api(nodes[1], "GET", `/rooms/${other.id}/messages`)).status, 404);
    assert.equal((await api(nodes[1], "POST", `/rooms/${other.id}/messages`, { content: "late" })).status, 404);
  });

  it("keeps direct messages in Redis: delivered across the nodes, one conversation read from either, bounded and expiring", async () => {
    const [a, b] = nodes;
    const [ann, annOnB, bob] = await Promise.all([open(a, "dm-ann"), open(b, "dm-ann"), open(b, "dm-bob")]);
    const atBob = once(bob, "newDirectMessage");
    const atOtherTab = once(annOnB, "newDirectMessage");
    const first = await ann.timeout(3000).emitWithAck("sendDirectMessage", { toUserId: "dm-bob", content: "m1" });
    assert.deepEqual((await atBob)[0], first, "to the recipient on the other node");
    assert.deepEqual((await atOtherTab)[0], first, "to the sender's tab on the other node");
    for (let i = 2; i <= 5; i++) await bob.timeout(3000).emitWithAck("sendDirectMessage", { toUserId: "dm-ann", content: `m${i}` });
    const read = async (node, x, y, q = "") =>
      (await api(node, "GET", `/users/${x}/direct-messages/${y}${q}`)).body.data.messages.map((m) => `${m.userId}>${m.toUserId}:${m.content}`);
    const last4 = ["dm-bob>dm-ann:m2", "dm-bob>dm-ann:m3", "dm-bob>dm-ann:m4", "dm-bob>dm-ann:m5"];
    assert.deepEqual(await read(a, "dm-ann", "dm-bob"), last4, "HISTORY_MAX_MESSAGES=4 holds for a conversation");
    assert.deepEqual(await read(b, "dm-bob", "dm-ann", "?limit=1&offset=1"), ["dm-bob>dm-ann:m4"]);
    const r = redis.client();
    const keys = await r.keys("*dm:*");
    assert.equal(keys.length, 1, `one conversation: ${keys}`);
    const ttl = await r.pttl(keys[0]);
    assert.ok(ttl > 0 && ttl <= 7 * 24 * 3600 * 1000, `expires with HISTORY_MAX_AGE: ${ttl}`);
  });
});
