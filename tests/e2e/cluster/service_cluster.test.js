// RealtimeService embedded in two C++ programs on one Redis
// (tests/fixtures/service_driver.cpp with --redis-url): the cluster-wide
// queries of the C++ API (get_connected_users, is_user_online,
// get_user_sockets and get_cluster_stats with callbacks) answer for the
// sockets of both nodes, and the plain calls for this node alone.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import jwt from "jsonwebtoken";
import { io } from "socket.io-client";
import { startRedis } from "../lib/redis.js";
import { startServer, until } from "../lib/server.js";
import { connected } from "../lib/targets.js";

describe("the C++ API's cluster queries, two embedded nodes", () => {
  let redis, a, b, adminA, adminB;
  const sockets = [];
  const open = async (node, sub) => {
    const auth = sub ? { token: jwt.sign({ sub, name: `Name ${sub}` }, "driver-secret") } : {};
    const s = io(node.url, { forceNew: true, reconnection: false, transports: ["websocket"], auth });
    sockets.push(s);
    return connected(s);
  };
  const call = (admin, method, args = {}) => admin.timeout(7000).emitWithAck("call", { method, ...args });
  before(async () => {
    redis = await startRedis();
    const args = (shards) => ["--threads", String(shards), "--redis-url", redis.url, "--presence-ttl", "3"];
    [a, b] = await Promise.all([startServer("service-driver", args(1)), startServer("service-driver", args(2))]);
    [adminA, adminB] = await Promise.all([open(a, null), open(b, null)]);
  });
  after(async () => {
    for (const s of sockets) s.disconnect();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it("answers who is connected, online and with which sockets, for both nodes", async () => {
    const ann = await open(a, "ann");
    const ben = await open(b, "ben");
    const ben2 = await open(a, "ben");
    await until(async () => (await call(adminA, "getConnectedUsersCluster")).length === 3, 5000, "three sockets of users");
    const users = await call(adminA, "getConnectedUsersCluster");
    const byId = Object.fromEntries(users.map((u) => [u.socketId, u]));
    assert.equal(byId[ann.id].userId, "ann");
    assert.equal(byId[ben.id].userId, "ben");
    assert.equal(byId[ben.id].username, "Name ben");
    assert.ok(byId[ben.id].rooms.includes("user:ben"));
    assert.ok(byId[ben.id].connectedAt > 0);
    // The plain call is this node's.
    assert.deepEqual((await call(adminA, "getConnectedUsers")).map((u) => u.socketId).sort(), [ann.id, ben2.id].sort());

    assert.equal(await call(adminA, "isUserOnline", { user: "ann" }), true);
    assert.equal(await call(adminB, "isUserOnline", { user: "ann" }), false, "node B alone has no ann");
    await until(async () => (await call(adminB, "isUserOnlineCluster", { user: "ann" })) === true, 3000, "ann online for B");
    assert.equal(await call(adminB, "isUserOnlineCluster", { user: "nobody" }), false);
    assert.deepEqual((await call(adminB, "getUserSocketsCluster", { user: "ben" })).sort(), [ben.id, ben2.id].sort());
    assert.deepEqual(await call(adminB, "getUserSockets", { user: "ben" }), [ben.id]);

    ann.disconnect();
    await until(async () => (await call(adminB, "isUserOnlineCluster", { user: "ann" })) === false, 3000, "ann offline for B");
    assert.deepEqual(await call(adminB, "getUserSocketsCluster", { user: "ann" }), []);
  });

  it("gives this node's stats and the cluster's", async () => {
    const carl = await open(b, "carl");
    await until(async () => (await call(adminA, "getClusterStats")).activeConnections === sockets.filter((s) => s.connected).length,
      5000, "every connected socket counted");
    const cluster = await call(adminA, "getClusterStats");
    const nodeA = await call(adminA, "getStats");
    const nodeB = await call(adminB, "getStats");
    assert.equal(cluster.nodes, 2);
    assert.equal(cluster.complete, true);
    assert.equal(cluster.activeConnections, nodeA.activeConnections + nodeB.activeConnections);
    assert.ok(nodeA.activeConnections < cluster.activeConnections && nodeB.activeConnections < cluster.activeConnections);
    assert.ok(cluster.totalConnections >= cluster.activeConnections);
    // Distinct users anywhere: ben has a tab on each node.
    assert.equal(cluster.connectedUsers, 2, "ben and carl");
    assert.ok(carl.connected);
  });
});
