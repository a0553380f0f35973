// A mixed cluster over one private redis-server: two Switchboard nodes
// (socketio-test-server --adapter redis, 1 and 2 shards) and one Node.js
// node (socket.io 4.8 + @socket.io/redis-adapter 8.3), a client on each, in
// the classic protocol (createAdapter, with the stock
// @socket.io/redis-emitter) and the sharded one (createShardedAdapter,
// dynamic subscriptions). Every operation goes from each kind of node to the
// others.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startRedis } from "../lib/redis.js";
import { createEmitter } from "../lib/emitter.js";
import { startServer, startNodeClusterNode, once, sleep, until } from "../lib/server.js";
import { client, connected, request } from "../lib/targets.js";

const connectTo = (node, nsp = "/", auth = {}) => connected(client(node, nsp, { auth }));

// Resolves with the args of `event` on each socket, or fails after `ms`.
const all = (sockets, event, ms = 3000) => Promise.all(sockets.map((s) => once(s, event, ms)));
// Resolves true if `socket` got `event` within `ms`.
const gets = (socket, event, ms = 300) => once(socket, event, ms).then(() => true, () => false);

const startSwitchboardNode = (redisUrl, shards, mode) =>
  startServer("socketio-test-server", ["--threads", String(shards), "--adapter", "redis", "--redis-url", redisUrl, "--redis-mode", mode]);

for (const mode of ["classic", "sharded"]) {
const classicOnly = mode === "sharded" && "the sharded protocol has no emitter and no allRooms request";
describe(`mixed cluster: two Switchboard nodes and a Node node on one Redis (${mode})`, () => {
  let redis, emitter;
  const nodes = {};
  const sockets = {};
  before(async () => {
    redis = await startRedis();
    [nodes.a, nodes.b, nodes.n] = await Promise.all([
      startSwitchboardNode(redis.url, 1, mode),
      startSwitchboardNode(redis.url, 2, mode),
      startNodeClusterNode(["--redis", redis.url, "--mode", mode]),
    ]);
    await until(async () => (await nodes.n.control({ op: "serverCount" })) === 3, 5000, "three subscribed servers");
    for (const k of ["a", "b", "n"]) {
      sockets[k] = await connectTo(nodes[k], "/", { who: k });
      await request(sockets[k], "join", ["room-" + k, "all"]);
      await request(sockets[k], "set-data", { who: k });
      sockets[k].on("ask", (n, cb) => cb({ who: k, n }));
    }
    await nodes.n.control({ op: "sync" }); // the Node node's room subscriptions are in force
    await sleep(100); // and the Switchboard nodes' (dynamic mode)
    emitter = createEmitter(redis.url);
  });
  after(async () => {
    for (const s of Object.values(sockets)) s.disconnect();
    await emitter?.close();
    await Promise.all(Object.values(nodes).map((n) => n.stop()));
    await redis?.stop();
  });
  const everyone = () => [sockets.a, sockets.b, sockets.n];

  it("a Switchboard node's broadcast reaches every node's clients, binary at any depth included", async () => {
    const got = all(everyone(), "hello");
    await request(sockets.a, "emit", { event: "hello", args: ["world", 42, { a: [1.5, null, true] }] });
    for (const args of await got) assert.deepEqual(args, ["world", 42, { a: [1.5, null, true] }]);
    const bins = all(everyone(), "bin");
    await request(sockets.b, "emit-binary", {});
    for (const [top, { nested }] of await bins) {
      assert.deepEqual([...top], [1, 2, 3]);
      assert.equal(Buffer.from(nested).toString(), "hi");
    }
  });

  it("rooms and except go across: to one room, to several, except a room", async () => {
    const onlyB = once(sockets.b, "one-room");
    const notA = gets(sockets.a, "one-room");
    await request(sockets.n, "emit", { event: "one-room", args: [1], to: ["room-b"] });
    assert.deepEqual(await onlyB, [1]);
    assert.equal(await notA, false);

    const got = all([sockets.b, sockets.n], "several");
    const notA2 = gets(sockets.a, "several");
    await request(sockets.a, "emit", { event: "several", args: [2], to: ["room-b", "room-n"] });
    await got;
    assert.equal(await notA2, false);

    const rest = all([sockets.a, sockets.n], "except");
    const notB = gets(sockets.b, "except");
    await request(sockets.b, "emit", { event: "except", args: [3], to: ["all"], except: ["room-b"] });
    await rest;
    assert.equal(await notB, false);
  });

  it("the Node node's broadcasts, binary at any depth, reach Switchboard clients", async () => {
    const got = all([sockets.a, sockets.b], "bin");
    await nodes.n.control({ op: "emit", event: "bin", args: [{ $binary: "AQID" }, { nested: { $binary: "aGk=" } }] });
    for (const [top, { nested }] of await got) {
      assert.deepEqual([...top], [1, 2, 3]);
      assert.equal(Buffer.from(nested).toString(), "hi");
    }
  });

  it("a broadcast with local goes to this node's clients only", async () => {
    const here = once(sockets.b, "local-only");
    const elsewhere = [gets(sockets.a, "local-only"), gets(sockets.n, "local-only")];
    await request(sockets.b, "emit", { event: "local-only", args: [], local: true });
    await here;
    assert.deepEqual(await Promise.all(elsewhere), [false, false]);
  });

  it("the stock emitter reaches Switchboard clients: rooms, except, binary, another namespace", { skip: classicOnly }, async () => {
    const got = all([sockets.a, sockets.b], "from-emitter");
    emitter.emit("from-emitter", "x", Buffer.from([7, 8]));
    for (const [x, bin] of await got) {
      assert.equal(x, "x");
      assert.deepEqual([...bin], [7, 8]);
    }
    const onlyA = once(sockets.a, "emitter-room");
    const notB = gets(sockets.b, "emitter-room");
    emitter.to("all").except("room-b").emit("emitter-room", { k: "v" });
    assert.deepEqual(await onlyA, [{ k: "v" }]);
    assert.equal(await notB, false);

    const custom = await connectTo(nodes.b, "/custom");
    const inCustom = once(custom, "custom-evt");
    const notRoot = gets(sockets.b, "custom-evt");
    const customEmitter = createEmitter(redis.url, { nsp: "/custom" });
    customEmitter.emit("custom-evt", 1);
    assert.deepEqual(await inCustom, [1]);
    assert.equal(await notRoot, false);
    custom.disconnect();
    await customEmitter.close();
  });

  it("broadcast with ack from a Switchboard node collects every node's clients' answers", async () => {
    const { err, responses } = await request(sockets.a, "broadcast-with-ack", { event: "ask", args: [7], timeout: 2000 });
    assert.equal(err, null);
    assert.deepEqual(responses.map((r) => r.who).sort(), ["a", "b", "n"]);
  });

  it("broadcast with ack from the Node node collects Switchboard clients' answers", async () => {
    const { err, responses } = await nodes.n.control({ op: "emitWithAck", event: "ask", args: [8], timeout: 2000 });
    assert.equal(err, null);
    assert.deepEqual(responses.map((r) => r.who).sort(), ["a", "b", "n"]);
  });

  it("fetchSockets from each kind of node sees every node's sockets, with rooms and data", async () => {
    const ids = Object.fromEntries(Object.entries(sockets).map(([k, s]) => [k, s.id]));
    const fromA = await request(sockets.a, "fetch-sockets", { to: ["all"] });
    assert.deepEqual(fromA.map((s) => s.id).sort(), Object.values(ids).sort());
    const b = fromA.find((s) => s.id === ids.b);
    assert.deepEqual(b.data, { who: "b" });
    assert.ok(b.rooms.includes("room-b") && b.rooms.includes(ids.b));
    const fromN = await nodes.n.control({ op: "fetchSockets", to: ["room-a"] });
    assert.deepEqual(fromN.map((s) => s.id), [ids.a]);
    assert.deepEqual(fromN[0].data, { who: "a" });
  });

  it("socketsJoin, socketsLeave and disconnectSockets act on every node", async () => {
    await request(sockets.a, "sockets-join", { to: ["all"], rooms: ["joined"] });
    await until(async () => (await request(sockets.n, "rooms")).includes("joined"), 2000, "the Node socket to join");
    await until(async () => (await request(sockets.b, "rooms")).includes("joined"), 2000, "b to join");
    await nodes.n.control({ op: "socketsLeave", to: ["joined"], rooms: "joined", settle: 100 });
    for (const k of ["a", "b", "n"])
      await until(async () => !(await request(sockets[k], "rooms")).includes("joined"), 2000, `${k} to leave`);

    const victim = await connectTo(nodes.b);
    await request(victim, "join", "doomed");
    const gone = once(victim, "disconnect");
    await nodes.n.control({ op: "disconnectSockets", to: ["doomed"] });
    assert.equal((await gone)[0], "io server disconnect");
    const victim2 = await connectTo(nodes.n);
    await request(victim2, "join", "doomed2");
    const gone2 = once(victim2, "disconnect");
    sockets.a.emit("disconnect-sockets", { to: ["doomed2"] }); // no ack: the handler sends none
    assert.equal((await gone2)[0], "io server disconnect");
  });

  it("serverSideEmit with ack: each node answers the others", async () => {
    const fromA = await request(sockets.a, "server-side-emit");
    assert.equal(fromA.err, null);
    assert.deepEqual(fromA.responses, ["pong", "pong"]);
    const fromN = await nodes.n.control({ op: "serverSideEmit", event: "ping", args: [], ack: true });
    assert.equal(fromN.err, null);
    assert.deepEqual(fromN.responses, ["pong", "pong"]);
  });

  it("allRooms gathers every node's rooms", { skip: classicOnly }, async () => {
    const fromA = await request(sockets.a, "all-rooms");
    for (const room of ["room-a", "room-b", "room-n", sockets.n.id]) assert.ok(fromA.includes(room), room);
    const fromN = await nodes.n.control({ op: "allRooms" });
    for (const room of ["room-a", "room-b", sockets.a.id]) assert.ok(fromN.includes(room), room);
  });

  it("Redis killed and restarted: delivery across nodes is back within 5 s", async () => {
    await redis.kill();
    await sleep(300);
    await redis.restart();
    const started = Date.now();
    await until(async () => {
      const got = once(sockets.b, "after-restart", 400);
      await request(sockets.a, "emit", { event: "after-restart", args: [] });
      await got;
      return true;
    }, 5000, "delivery after the restart");
    assert.ok(Date.now() - started < 5000);
  });
});
}
