// The servers every Socket.IO e2e test runs against: Switchboard with 1 and
// with 2 shards, the reference Node socket.io 4.8 server, and a cluster of
// two Switchboard nodes on one Redis (each test's clients alternate between
// them). The tests check the protocol, so they must pass on all of them.
import { io } from "socket.io-client";
import { startServer, startReference, shardCounts, once } from "./server.js";
import { startRedis } from "./redis.js";

// Two Switchboard nodes (1 and 2 shards) on a private redis-server. Raw
// requests (server.url) go to the first; client() alternates.
async function startCluster(args = []) {
  const redis = await startRedis();
  const node = (shards) =>
    startServer("socketio-test-server", ["--threads", String(shards), "--adapter", "redis", "--redis-url", redis.url, ...args]);
  const nodes = await Promise.all([node(1), node(2)]);
  let next = 0;
  return {
    ...nodes[0],
    nodes,
    cluster: true,
    nextUrl: () => nodes[next++ % nodes.length].url,
    stderr: () => nodes.map((n) => n.stderr()).join(""),
    async stop() {
      const results = await Promise.all(nodes.map((n) => n.stop()));
      await redis.stop();
      return results[0];
    },
  };
}

const only = process.env.SWITCHBOARD_TARGETS; // e.g. "switchboard-1,reference"

export const targets = [
  ...shardCounts.map((n) => ({
    name: `switchboard-${n}`,
    start: (args = []) => startServer("socketio-test-server", ["--threads", String(n), ...args]),
  })),
  { name: "reference", start: (args = []) => startReference(args) },
  { name: "cluster", cluster: true, start: (args = []) => startCluster(args) },
].filter((t) => !only || only.split(",").includes(t.name));

// A socket.io-client socket that the test closes at the end.
// Why a test does not run on the cluster target: what it checks is one node's own.
export const perNode = (target, why) => (target.cluster ? why : false);

export function client(server, nsp = "/", opts = {}) {
  const url = server.nextUrl ? server.nextUrl() : server.url;
  return io(url + nsp, { forceNew: true, reconnection: false, ...opts });
}

// Resolves once `socket` is connected; rejects with its connect_error or
// after 5 s. No timer outlives the wait (it would hold the test process).
export function connected(socket) {
  if (socket.connected) return Promise.resolve(socket);
  return new Promise((resolve, reject) => {
    const done = (err) => {
      clearTimeout(timer);
      socket.off("connect", onConnect);
      socket.off("connect_error", done);
      err ? reject(err) : resolve(socket);
    };
    const onConnect = () => done(null);
    const timer = setTimeout(() => done(new Error("timed out waiting for \"connect\"")), 5000);
    socket.on("connect", onConnect);
    socket.on("connect_error", done);
  });
}

// Emits with an ack and resolves with the ack's arguments.
export function request(socket, event, ...args) {
  return socket.timeout(3000).emitWithAck(event, ...args);
}

// Collects every `event` a socket receives.
export function collect(socket, event) {
  const got = [];
  socket.on(event, (...args) => got.push(args));
  return got;
}

// Starts `target` before the enclosing describe's tests and stops it after;
// ctx.open() makes a client that is disconnected at the end.
export function withServer(hooks, target, args = []) {
  const ctx = { server: null, sockets: [] };
  hooks.before(async () => (ctx.server = await target.start(args)));
  hooks.after(async () => {
    for (const s of ctx.sockets) s.disconnect();
    await ctx.server.stop();
  });
  ctx.open = (nsp, opts) => {
    const s = client(ctx.server, nsp, opts);
    ctx.sockets.push(s);
    return s;
  };
  return ctx;
}
