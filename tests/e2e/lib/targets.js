// The servers every Socket.IO e2e test runs against: Switchboard with 1 and
// with 2 shards, and the reference Node socket.io 4.8 server. The tests check
// the protocol, so they must pass on all of them.
import { io } from "socket.io-client";
import { startServer, startReference, shardCounts, once } from "./server.js";

const only = process.env.SWITCHBOARD_TARGETS; // e.g. "switchboard-1,reference"

export const targets = [
  ...shardCounts.map((n) => ({
    name: `switchboard-${n}`,
    start: (args = []) => startServer("socketio-test-server", ["--threads", String(n), ...args]),
  })),
  { name: "reference", start: (args = []) => startReference(args) },
].filter((t) => !only || only.split(",").includes(t.name));

// A socket.io-client socket that the test closes at the end.
export function client(server, nsp = "/", opts = {}) {
  return io(server.url + nsp, { forceNew: true, reconnection: false, ...opts });
}

export async function connected(socket) {
  if (socket.connected) return socket;
  const result = await Promise.race([
    once(socket, "connect").then(() => null),
    once(socket, "connect_error").then(([err]) => err),
  ]);
  if (result) throw result;
  return socket;
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
