// The reference: Node socket.io 4.8 with the same handlers as
// examples/socketio_test_server.cpp. The e2e tests run against both.
// Usage: node reference_server.js [--port N] [--recovery]
// Imported (by ../cluster/node_server.js), it only exports serverOptions()
// and installHandlers(io), and starts nothing.
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Server } from "socket.io";

// The Server options of every reference server.
export function serverOptions({ recovery = false } = {}) {
  return {
    pingInterval: 300,
    pingTimeout: 200,
    connectTimeout: 1000,
    ...(recovery ? { connectionStateRecovery: { maxDisconnectionDuration: 2000, skipMiddlewares: true } } : {}),
  };
}

function operator(nsp, spec, socket) {
  let op = spec.fromSocket && socket ? socket.broadcast : nsp;
  for (const room of spec.to || []) op = op.to(room);
  for (const room of spec.except || []) op = op.except(room);
  if (spec.volatile) op = op.volatile;
  if (spec.local) op = op.local;
  if (spec.timeout) op = op.timeout(spec.timeout);
  return op;
}

function setup(nsp, lastDisconnect) {
  nsp.on("connection", (socket) => {
    socket.emit("auth", socket.handshake.auth);
    socket.use(([event], next) => (event === "forbidden-event" ? next(new Error("forbidden")) : next()));
    socket.on("error", (err) => socket.emit("middleware-error", err.message));
    socket.onAny((event) => event === "any-probe" && socket.emit("any-seen", event));
    let lastOutgoing = null;
    socket.onAnyOutgoing((event) => (lastOutgoing = event));
    socket.on("last-outgoing", (ack) => ack(lastOutgoing));
    socket.on("handshake", (ack) => ack({ query: socket.handshake.query, url: socket.handshake.url }));
    socket.on("forbidden-event", () => socket.emit("should-not-happen"));
    socket.on("message", (...a) => socket.emit("message-back", ...a));
    socket.on("message-with-ack", (...a) => {
      const ack = a.pop();
      ack(...a);
    });
    socket.on("join", (rooms, ack) => {
      socket.join(rooms);
      ack?.();
    });
    socket.on("leave", (room, ack) => {
      socket.leave(room);
      ack?.();
    });
    socket.on("rooms", (ack) => ack([...socket.rooms].sort()));
    socket.on("set-data", (value, ack) => {
      socket.data = value;
      ack?.();
    });
    socket.on("emit", (spec, ack) => {
      operator(nsp, spec, socket).emit(spec.event, ...(spec.args || []));
      ack?.();
    });
    // Several operations in one handler, so in one loop turn.
    socket.on("steps", (steps, ack) => {
      for (const step of steps) {
        if (step.emit) operator(nsp, step.emit, socket).emit(step.emit.event, ...(step.emit.args || []));
        if (step.direct) socket.emit(step.direct.event, ...(step.direct.args || []));
        if (step.join) socket.join(step.join);
        if (step.leave) socket.leave(step.leave);
      }
      ack?.();
    });
    socket.on("emit-reserved", (ack) => {
      try {
        socket.emit("disconnecting", 1);
        ack({ refused: false });
      } catch {
        ack({ refused: true });
      }
    });
    socket.on("emit-with-ack", (spec, ack) => {
      socket.timeout(spec.timeout).emit(spec.event, ...(spec.args || []), (err, ...response) => {
        ack({ err: err ? err.message : null, response });
      });
    });
    socket.on("broadcast-with-ack", (spec, ack) => {
      operator(nsp, spec, socket).emit(spec.event, ...(spec.args || []), (err, responses) => {
        ack({ err: err ? err.message : null, responses });
      });
    });
    socket.on("fetch-sockets", async (spec, ack) => {
      const sockets = await operator(nsp, spec).fetchSockets();
      ack(sockets.map((s) => ({ id: s.id, rooms: [...s.rooms].sort(), data: s.data ?? null, auth: s.handshake.auth })).sort((a, b) => (a.id < b.id ? -1 : 1)));
    });
    socket.on("sockets-join", (spec, ack) => {
      operator(nsp, spec).socketsJoin(spec.rooms);
      setTimeout(() => ack?.(), 20);
    });
    socket.on("sockets-leave", (spec, ack) => {
      operator(nsp, spec).socketsLeave(spec.rooms);
      setTimeout(() => ack?.(), 20);
    });
    socket.on("disconnect-sockets", (spec) => operator(nsp, spec).disconnectSockets(spec.close));
    socket.on("remote-op", async (spec, ack) => {
      const sockets = await operator(nsp, spec).fetchSockets();
      for (const s of sockets) {
        if (spec.op === "join") s.join(spec.room);
        if (spec.op === "leave") s.leave(spec.room);
        if (spec.op === "disconnect") s.disconnect(spec.close);
      }
      setTimeout(() => ack?.(sockets.length), 20);
    });
    socket.on("remote-emit", async (spec, ack) => {
      const sockets = await operator(nsp, spec).fetchSockets();
      for (const s of sockets) s.emit(spec.event, ...(spec.args || []));
      ack?.(sockets.length);
    });
    socket.on("disconnect-me", (close) => socket.disconnect(close));
    socket.on("last-disconnect", (id, ack) => ack(lastDisconnect.get(id) ?? null));
    socket.on("server-side-emit", (ack) => {
      nsp.serverSideEmit("ping", (err, responses) => ack({ err: err ? err.message : null, responses }));
    });
    socket.on("recovered", (ack) => ack(socket.recovered));
    socket.on("data", (ack) => ack(socket.data ?? null));
    let rooms = [];
    socket.on("disconnecting", () => (rooms = [...socket.rooms].sort()));
    socket.on("disconnect", (reason) => lastDisconnect.set(socket.id, { reason, rooms }));
  });
}

// Installs the handlers on io: "/", "/custom" and "/mw" (the full set),
// /dyn-<n> and /fn-* (dynamic namespaces that only say their name).
export function installHandlers(io) {
  const lastDisconnect = new Map(); // socket id -> {reason, roomsWhileDisconnecting}
  setup(io.of("/"), lastDisconnect);
  setup(io.of("/custom"), lastDisconnect);
  const mw = io.of("/mw");
  mw.use((socket, next) => {
    if (socket.handshake.auth.token === "ok") return next();
    const err = new Error("not authorized");
    err.data = { reason: "bad token" };
    next(err);
  });
  setup(mw, lastDisconnect);
  const dynamic = io.of(/^\/dyn-\d+$/);
  dynamic.on("connection", (socket) => socket.emit("nsp", socket.nsp.name));
  const byPredicate = io.of((name, auth, next) => next(null, name.startsWith("/fn-") && auth.allow === true));
  byPredicate.on("connection", (socket) => socket.emit("nsp", socket.nsp.name));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const port = Number(args[args.indexOf("--port") + 1] || 0) || 0;
  const httpServer = createServer();
  const io = new Server(httpServer, serverOptions({ recovery: args.includes("--recovery") }));
  installHandlers(io);
  httpServer.listen(port, "127.0.0.1", () => {
    console.log(`reference listening on 127.0.0.1:${httpServer.address().port}`);
  });
  process.on("SIGTERM", () => {
    io.close();
    process.exit(0);
  });
}
