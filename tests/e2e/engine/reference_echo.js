// The reference for the Engine.IO tests: Node's engine.io 6.6 (the one
// socket.io 4.8 uses) with the hooks of examples/engine_echo.cpp: every
// message is echoed, "close-me" makes the server close the session, a
// handshake with deny=1 is refused, and "open <sid> <transport>" /
// "close <sid> <reason>" lines go to stdout.
// Usage: node reference_echo.js [--port N] [--ping-interval MS] [--ping-timeout MS]
//        [--max-http-buffer-size B]
import { createServer } from "node:http";
import { Server } from "engine.io";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};

const http = createServer();
const engine = new Server({
  pingInterval: Number(arg("--ping-interval", 25000)),
  pingTimeout: Number(arg("--ping-timeout", 20000)),
  maxHttpBufferSize: Number(arg("--max-http-buffer-size", 1e6)),
  allowRequest: (req, fn) => fn(req.url.includes("deny=1") ? "Denied by allow_request" : null, !req.url.includes("deny=1")),
});
engine.attach(http, { path: "/engine.io/" });
engine.on("connection", (socket) => {
  console.log(`open ${socket.id} ${socket.transport.name}`);
  socket.on("message", (data) => {
    if (data === "close-me") return socket.close();
    socket.send(data);
  });
  socket.on("close", (reason) => console.log(`close ${socket.id} ${reason}`));
});
http.listen(Number(arg("--port", 0)), "127.0.0.1", () => console.log(`listening on 127.0.0.1:${http.address().port}`));
