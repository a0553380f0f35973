// @socket.io/redis-emitter 5.1.0 on its own ioredis connection: what a
// back end without a Socket.IO server uses to reach a (classic) cluster.
//
//   const emitter = createEmitter(redis.url, { key: "my-prefix" });
//   after(() => emitter.close());
//   emitter.to("room").except("other").emit("event", 1, 2);
//   emitter.of("/custom").socketsJoin("r");
//   emitter.serverSideEmit("hello");
//
// The Emitter's own methods are all there (to, in, except, of, emit,
// socketsJoin, socketsLeave, disconnectSockets, serverSideEmit); the helper
// adds `redis` (the ioredis client) and `close()`. PUBLISHes wait in ioredis'
// queue while Redis is down and go out once it is back.
import { Emitter } from "@socket.io/redis-emitter";
import Redis from "ioredis";

// key: the channel prefix (default "socket.io"); nsp: the namespace (default "/").
export function createEmitter(url, { key = "socket.io", nsp = "/" } = {}) {
  const redis = new Redis(url, { retryStrategy: (n) => Math.min(n * 50, 500), maxRetriesPerRequest: null });
  redis.on("error", () => {}); // refused connections while redis is down: ioredis retries
  const emitter = new Emitter(redis, { key }, nsp);
  emitter.redis = redis;
  emitter.close = async () => {
    // Sends what is queued if Redis is up, else gives up at once.
    if (redis.status === "ready") await redis.quit().catch(() => redis.disconnect());
    else redis.disconnect();
  };
  return emitter;
}
