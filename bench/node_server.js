// The reference side of the benchmarks: Node socket.io 4.8 with bufferutil
// and utf-8-validate, perMessageDeflate off, and the handlers of
// bench/bench_server.cpp. Usage: node node_server.js --port N
import { createServer } from "node:http";
import { Server } from "socket.io";

const args = process.argv.slice(2);
const port = Number(args[args.indexOf("--port") + 1] || 0) || 0;
const httpServer = createServer();
const io = new Server(httpServer, { perMessageDeflate: false, transports: ["websocket", "polling"] });
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
