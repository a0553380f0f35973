// The mixed-cluster harness itself: a private redis-server, real Node
// socket.io nodes with @socket.io/redis-adapter (classic and sharded), their
// control channel, the redis-emitter, and a Redis crash and restart.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startRedis } from "../lib/redis.js";
import { createEmitter } from "../lib/emitter.js";
import { startNodeClusterNode, once, sleep, until } from "../lib/server.js";
import { client, connected, request } from "../lib/targets.js";

// A connected socket.io-client socket on `node`.
const connectTo = (node) => connected(client(node));

describe("Node cluster harness", () => {
  let redis;
  before(async () => (redis = await startRedis()));
  after(() => redis?.stop());

  // Two nodes and a client on each, for the enclosing describe.
  function cluster(args) {
    const ctx = { nodes: [], sockets: [] };
    before(async () => {
      ctx.nodes = await Promise.all([0, 1].map(() => startNodeClusterNode(["--redis", redis.url, ...args])));
      ctx.sockets = await Promise.all(ctx.nodes.map(connectTo));
    });
    after(async () => {
      for (const s of ctx.sockets) s.disconnect();
      await Promise.all(ctx.nodes.map((n) => n.stop()));
    });
    return ctx;
  }

  // A broadcast from node A's control reaches the clients of A and B.
  async function broadcastFlows({ nodes: [a], sockets }, event) {
    const got = sockets.map((s) => once(s, event, 3000));
    await a.control({ op: "emit", event, args: [1, { two: 2 }] });
    for (const g of got) assert.deepEqual(await g, [1, { two: 2 }]);
  }

  // Kills Redis, checks the nodes see it, restarts it, waits until both nodes
  // are subscribed again.
  async function crashAndRestart({ nodes }) {
    await redis.kill();
    await until(async () => (await nodes[0].control({ op: "redisStatus" })).sub !== "ready", 3000, "the node to see Redis go");
    await redis.restart();
    for (const n of nodes) {
      await until(async () => {
        const s = await n.control({ op: "redisStatus" });
        return s.pub === "ready" && s.sub === "ready";
      }, 5000, "the node to reconnect");
    }
    await until(async () => (await nodes[0].control({ op: "serverCount" })) === 2, 5000, "both nodes to resubscribe");
  }

  describe("classic adapter", () => {
    const ctx = cluster(["--mode", "classic", "--key", "smoke-classic", "--requests-timeout", "1000"]);

    it("counts two servers and fetches the sockets of both", async () => {
      const [a] = ctx.nodes;
      assert.equal(await a.control({ op: "serverCount" }), 2);
      await request(ctx.sockets[1], "set-data", { on: "b" });
      const found = await a.control({ op: "fetchSockets" });
      assert.deepEqual(found.map((s) => s.id), ctx.sockets.map((s) => s.id).sort());
      const remote = found.find((s) => s.id === ctx.sockets[1].id);
      assert.equal(remote.local, false);
      assert.deepEqual(remote.data, { on: "b" });
    });

    it("carries a broadcast from one node to the other", () => broadcastFlows(ctx, "classic-hello"));

    it("joins remote sockets to a room and emits to it", async () => {
      const [a, b] = ctx.nodes;
      await a.control({ op: "socketsJoin", rooms: ["smoke"], settle: 100 });
      assert.deepEqual((await b.control({ op: "rooms" })).smoke, [ctx.sockets[1].id]);
      assert.deepEqual(await a.control({ op: "allRooms" }), [...ctx.sockets.map((s) => s.id), "smoke"].sort());
      const got = once(ctx.sockets[0], "in-room", 3000);
      await b.control({ op: "emit", to: ["smoke"], except: [ctx.sockets[1].id], event: "in-room", args: ["x"] });
      assert.deepEqual(await got, ["x"]);
    });

    it("acks a serverSideEmit from the other node", async () => {
      const answer = await ctx.nodes[0].control({ op: "serverSideEmit", event: "ping", args: [7], ack: true });
      assert.deepEqual(answer, { err: null, responses: ["pong"] });
      const seen = await ctx.nodes[1].control({ op: "serverSideEvents", clear: true });
      assert.deepEqual(seen, [{ nsp: "/", event: "ping", args: [7], ack: true }]);
    });

    it("delivers the redis-emitter's broadcast to both nodes", async () => {
      const emitter = createEmitter(redis.url, { key: "smoke-classic" });
      try {
        const got = ctx.sockets.map((s) => once(s, "from-emitter", 3000));
        emitter.emit("from-emitter", "e", { n: 2 });
        for (const g of got) assert.deepEqual(await g, ["e", { n: 2 }]);
      } finally {
        await emitter.close();
      }
    });

    it("broadcasts again after Redis is killed and restarted", async () => {
      await crashAndRestart(ctx);
      await broadcastFlows(ctx, "classic-after-restart");
    });
  });

  describe("sharded adapter", () => {
    const ctx = cluster(["--mode", "sharded", "--subscription-mode", "dynamic", "--key", "smoke-sharded"]);

    it("counts two servers", async () => {
      assert.equal(await ctx.nodes[0].control({ op: "serverCount" }), 2);
    });

    it("carries a broadcast from one node to the other", () => broadcastFlows(ctx, "sharded-hello"));

    it("emits to a room subscribed dynamically on the other node", async () => {
      const [a, b] = ctx.nodes;
      await request(ctx.sockets[1], "join", "dyn-room");
      await b.control({ op: "sync" }); // B's SSUBSCRIBE of the room channel is in force
      const got = once(ctx.sockets[1], "in-room", 3000);
      await a.control({ op: "emit", to: ["dyn-room"], event: "in-room", args: [{ $binary: Buffer.from("hi").toString("base64") }] });
      const [payload] = await got;
      assert.equal(Buffer.from(payload).toString(), "hi");
    });

    it("broadcasts again after Redis is killed and restarted", async () => {
      await crashAndRestart(ctx);
      await broadcastFlows(ctx, "sharded-after-restart");
    });
  });
});
