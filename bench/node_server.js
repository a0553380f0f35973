// The reference side of the benchmarks: Node socket.io 4.8 with bufferutil
// and utf-8-validate, perMessageDeflate off, and the handlers of
// bench/bench_server.cpp. Usage: node node_server.js --port N [--redis-url URL]
// With --redis-url it is a cluster node: @socket.io/redis-adapter 8.3
// (createAdapter, the classic protocol) over ioredis, with its defaults.
import { createServer } from "node:http";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";

const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const port = Number(option("--port") || 0) || 0;
const redisUrl = option("--redis-url");
const httpServer = createServer();
const io = new Server(httpServer, { perMessageDeflate: false, transports: ["websocket", "polling"] });
if (redisUrl) {
  const pub = new Redis(redisUrl);
  const sub = pub.duplicate();
  io.adapter(createAdapter(pub, sub));
}
io.on("connection", (socket) => {
  socket.on("join", (room, ack) => {
    socket.join(room);
    ack?.();
  });
  socket.on("burst", (room, count, ts) => {
    const op = io.to(room);
    for (let i = 0; i < count; i++) op.emit("msg", i, ts);
  });
  socket.on("echo", (payload, ack) => ack?.(payload));
});
httpServer.listen(port, "127.0.0.1", () => console.log(`node-server listening on 127.0.0.1:${httpServer.address().port}`));
process.on("SIGTERM", () => process.exit(0));
