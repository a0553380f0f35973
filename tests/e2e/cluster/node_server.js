// A real Node.js cluster member for mixed-cluster tests: socket.io 4.8 with
// @socket.io/redis-adapter 8.3 on ioredis, and the handlers of the reference
// server (../socketio/reference_server.js, installHandlers) on "/", "/custom",
// "/mw", /dyn-<n> and /fn-*.
//
// Usage: node node_server.js --redis redis://127.0.0.1:P [--port 0]
//          [--mode classic|sharded]         createAdapter (default) or createShardedAdapter
//          [--subscription-mode static|dynamic|dynamic-private]   sharded only (default dynamic)
//          [--key PREFIX]                   classic `key`, sharded `channelPrefix` (default socket.io)
//          [--requests-timeout MS]          classic `requestsTimeout` (default 5000)
//          [--publish-on-specific-response-channel]              classic only
//          [--exit-on-stdin-eof]            exit when stdin closes (the test process died)
// It prints "cluster-node listening on 127.0.0.1:<port>" once it listens and
// its Redis subscriptions for the three namespaces above are in place.
// SIGTERM closes it.
//
// Control channel: POST /control on the same port, a JSON object in, a JSON
// object out: {"ok": true, "result": ...} (HTTP 200) or {"ok": false,
// "error": "message"} (HTTP 400 for a bad request, 500 if the operation
// threw). Binary values travel as {"$binary": "<base64>"} both ways (a Buffer
// for socket.io). Fields common to every operation:
//   nsp      namespace, default "/"
//   settle   ms to wait after the operation before answering (for the
//            fire-and-forget ones: socketsJoin, socketsLeave, disconnectSockets,
//            emit), default 0
// The broadcast operator, for the operations marked [op]: `io.of(nsp)` then
//   to: [rooms]  except: [rooms]  volatile: bool  compress: bool
//   local: bool (io.local)  timeout: ms (io.timeout)
//
// op                  other fields               does / result
// "emit"         [op] event, args=[]             op.emit(event, ...args) / null
//                                                (local: true is io.local.emit)
// "emitWithAck"  [op] event, args=[],            op.timeout(timeout).emit(event, ...args, cb)
//                     timeout (default 2000)     / {err: message|null, responses: [...]}
//                                                (responses as they came, partial on timeout)
// "fetchSockets" [op]                            op.fetchSockets() / [{id, rooms (sorted),
//                                                data (null if unset), auth, local (socket of
//                                                this node)}] sorted by id
// "socketsJoin"  [op] rooms (string or array)    op.socketsJoin(rooms) / null
// "socketsLeave" [op] rooms                      op.socketsLeave(rooms) / null
// "disconnectSockets" [op] close=false           op.disconnectSockets(close) / null
// "serverSideEmit"    event, args=[], ack=false  io.of(nsp).serverSideEmit(event, ...args[, cb])
//                                                / null, or with ack {err, responses}; the ack
//                                                timeout is the adapter's (classic:
//                                                --requests-timeout, sharded: 5000 ms)
// "allRooms"                                     [...await adapter.allRooms()] sorted (classic
//                                                only: the sharded adapter has none, error)
// "serverCount"                                  await adapter.serverCount()
// "rooms"                                        this node's room index: {room: [sids sorted]}
//                                                (socket-id rooms included)
// "listen"            event, reply               from now on, serverSideEmit `event` on nsp is
//                                                recorded and, if it carries an ack and `reply`
//                                                is an array, acked with ...reply (no reply:
//                                                never acked) / null. Installed at start:
//                                                "ping" on "/", "/custom", "/mw", reply ["pong"]
// "serverSideEvents"  clear=false                every recorded serverSideEmit received:
//                                                [{nsp, event, args, ack: bool}] (nsp filters
//                                                only if given); clear empties the record
// "sync"                                         resolves once both Redis connections answered
//                                                a PING, i.e. every (un)subscription issued
//                                                before is in force / null
// "redisStatus"                                  {pub, sub}: ioredis' status ("ready" when connected)
// "info"                                         {pid, port, mode, subscriptionMode, key,
//                                                uids: {nsp: adapter uid}}
import { createServer } from "node:http";
import { Server } from "socket.io";
import { createAdapter, createShardedAdapter } from "@socket.io/redis-adapter";
import Redis from "ioredis";
import { installHandlers, serverOptions } from "../socketio/reference_server.js";

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
};
const port = Number(option("--port", "0")) || 0;
const redisUrl = option("--redis", "redis://127.0.0.1:6379");
const mode = option("--mode", "classic");
const subscriptionMode = option("--subscription-mode", "dynamic");
const key = option("--key", "socket.io");
const requestsTimeout = Number(option("--requests-timeout", "5000"));
if (!["classic", "sharded"].includes(mode)) throw new Error(`--mode ${mode}: classic or sharded`);
if (!["static", "dynamic", "dynamic-private"].includes(subscriptionMode))
  throw new Error(`--subscription-mode ${subscriptionMode}: static, dynamic or dynamic-private`);

// Reconnects quickly after a Redis restart; commands wait for the connection
// instead of failing (a failed PUBLISH would be an unhandled rejection).
const redisOptions = { retryStrategy: (n) => Math.min(n * 50, 500), maxRetriesPerRequest: null };
const pub = new Redis(redisUrl, redisOptions);
const sub = pub.duplicate();
for (const [name, c] of [["pub", pub], ["sub", sub]]) {
  c.on("error", (err) => process.stderr.write(`redis ${name}: ${err.message}\n`));
}

const adapter =
  mode === "classic"
    ? createAdapter(pub, sub, {
        key,
        requestsTimeout,
        publishOnSpecificResponseChannel: flag("--publish-on-specific-response-channel"),
      })
    : createShardedAdapter(pub, sub, { channelPrefix: key, subscriptionMode });

const control = { handle: null }; // set below; the request listener runs only after listen()
const httpServer = createServer((req, res) => control.handle(req, res));
const io = new Server(httpServer, { ...serverOptions(), adapter });
installHandlers(io);

// Recorded serverSideEmit events and the listeners that record them.
const received = [];
const listening = new Map(); // `${nsp}\n${event}` -> {reply}
function listen(nspName, event, reply) {
  const id = `${nspName}\n${event}`;
  if (listening.has(id)) {
    listening.get(id).reply = reply;
    return;
  }
  const entry = { reply };
  listening.set(id, entry);
  io.of(nspName).on(event, (...args) => {
    const ack = typeof args[args.length - 1] === "function" ? args.pop() : null;
    received.push({ nsp: nspName, event, args: toJson(args), ack: ack !== null });
    if (ack && Array.isArray(entry.reply)) ack(...fromJson(entry.reply));
  });
}
for (const name of ["/", "/custom", "/mw"]) listen(name, "ping", ["pong"]);

// {"$binary": base64} <-> Buffer.
function fromJson(v) {
  if (Array.isArray(v)) return v.map(fromJson);
  if (v && typeof v === "object") {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === "$binary" && typeof v.$binary === "string") return Buffer.from(v.$binary, "base64");
    return Object.fromEntries(keys.map((k) => [k, fromJson(v[k])]));
  }
  return v;
}
function toJson(v) {
  if (Buffer.isBuffer(v)) return { $binary: v.toString("base64") };
  if (v instanceof ArrayBuffer) return { $binary: Buffer.from(v).toString("base64") };
  if (ArrayBuffer.isView(v)) return { $binary: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") };
  if (Array.isArray(v)) return v.map(toJson);
  if (v instanceof Set) return [...v].map(toJson);
  if (v instanceof Error) return { error: v.message };
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
  return v;
}

const asArray = (x) => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

function operator(spec) {
  let op = io.of(spec.nsp ?? "/");
  for (const room of asArray(spec.to)) op = op.to(room);
  for (const room of asArray(spec.except)) op = op.except(room);
  if (spec.volatile) op = op.volatile;
  if (spec.compress !== undefined) op = op.compress(spec.compress);
  if (spec.local) op = op.local;
  if (spec.timeout !== undefined) op = op.timeout(spec.timeout);
  return op;
}

const ops = {
  emit(spec) {
    operator(spec).emit(spec.event, ...fromJson(spec.args ?? []));
    return null;
  },
  emitWithAck(spec) {
    return new Promise((resolve) => {
      operator({ ...spec, timeout: spec.timeout ?? 2000 }).emit(spec.event, ...fromJson(spec.args ?? []), (err, responses) =>
        resolve({ err: err ? err.message : null, responses: toJson(responses ?? []) }),
      );
    });
  },
  async fetchSockets(spec) {
    const nsp = io.of(spec.nsp ?? "/");
    const sockets = await operator(spec).fetchSockets();
    return sockets
      .map((s) => ({
        id: s.id,
        rooms: [...s.rooms].sort(),
        data: toJson(s.data ?? null),
        auth: toJson(s.handshake.auth),
        local: nsp.sockets.has(s.id),
      }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  },
  socketsJoin(spec) {
    operator(spec).socketsJoin(spec.rooms);
    return null;
  },
  socketsLeave(spec) {
    operator(spec).socketsLeave(spec.rooms);
    return null;
  },
  disconnectSockets(spec) {
    operator(spec).disconnectSockets(spec.close === true);
    return null;
  },
  serverSideEmit(spec) {
    const nsp = io.of(spec.nsp ?? "/");
    const args = fromJson(spec.args ?? []);
    if (!spec.ack) {
      nsp.serverSideEmit(spec.event, ...args);
      return null;
    }
    return new Promise((resolve) => {
      nsp.serverSideEmit(spec.event, ...args, (err, responses) =>
        resolve({ err: err ? err.message : null, responses: toJson(responses ?? []) }),
      );
    });
  },
  async allRooms(spec) {
    const a = io.of(spec.nsp ?? "/").adapter;
    if (typeof a.allRooms !== "function") throw new Error(`allRooms: the ${mode} adapter has no allRooms()`);
    return [...(await a.allRooms())].sort();
  },
  serverCount(spec) {
    return io.of(spec.nsp ?? "/").adapter.serverCount();
  },
  rooms(spec) {
    const result = {};
    for (const [room, sids] of io.of(spec.nsp ?? "/").adapter.rooms) result[room] = [...sids].sort();
    return result;
  },
  listen(spec) {
    if (typeof spec.event !== "string") throw new Error("listen: event is required");
    listen(spec.nsp ?? "/", spec.event, spec.reply);
    return null;
  },
  serverSideEvents(spec) {
    const result = received.filter((r) => spec.nsp === undefined || r.nsp === spec.nsp);
    if (spec.clear) received.length = 0;
    return result;
  },
  async sync() {
    await Promise.all([pub.ping(), sub.ping()]);
    return null;
  },
  redisStatus() {
    return { pub: pub.status, sub: sub.status };
  },
  info() {
    const uids = {};
    for (const [name, nsp] of io._nsps) uids[name] = nsp.adapter.uid ?? null;
    return { pid: process.pid, port: httpServer.address().port, mode, subscriptionMode, key, uids };
  },
};

function answer(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

control.handle = (req, res) => {
  if (req.url !== "/control" || req.method !== "POST") return answer(res, 404, { ok: false, error: "not found" });
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (d) => (body += d));
  req.on("end", async () => {
    let spec;
    try {
      spec = JSON.parse(body);
    } catch (err) {
      return answer(res, 400, { ok: false, error: `bad JSON: ${err.message}` });
    }
    if (!spec || typeof spec !== "object" || !Object.hasOwn(ops, spec.op))
      return answer(res, 400, { ok: false, error: `unknown op ${JSON.stringify(spec?.op)}` });
    try {
      const result = await ops[spec.op](spec);
      if (spec.settle) await new Promise((r) => setTimeout(r, spec.settle));
      answer(res, 200, { ok: true, result: result ?? null });
    } catch (err) {
      answer(res, 500, { ok: false, error: err.message });
    }
  });
};

let closing = false;
async function shutdown() {
  if (closing) return;
  closing = true;
  await Promise.race([io.close(), new Promise((r) => setTimeout(r, 500))]);
  pub.disconnect();
  sub.disconnect();
  process.exit(0);
}
process.on("SIGTERM", shutdown);
if (flag("--exit-on-stdin-eof")) {
  process.stdin.on("end", shutdown);
  process.stdin.on("error", shutdown);
  process.stdin.resume();
}

// The subscriptions of "/", "/custom" and "/mw" were issued when installHandlers
// created them; a PING on each connection answers after them.
await Promise.all([pub.ping(), sub.ping()]);
httpServer.listen(port, "127.0.0.1", () => {
  console.log(`cluster-node listening on 127.0.0.1:${httpServer.address().port}`);
});
