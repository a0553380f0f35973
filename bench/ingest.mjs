// RabbitMQ ingestion throughput: messages per second from the broker to
// connected clients, and the daemon's CPU per message, for two scenarios:
// one target user per message (100 users, round robin) and a company room of
// 1k sockets. A private rabbitmq-server (tests/e2e/lib/rabbitmq.js), the
// daemon from the build, real socket.io-client sockets in this process.
//
//   node bench/ingest.mjs [--messages N] [--room N]    (SWITCHBOARD_BUILD_DIR, default build/)
//
// Prints a Markdown table (append it to bench/results.md by hand).
import { createRequire } from "node:module";
import fs from "node:fs";
import { startRabbit } from "../tests/e2e/lib/rabbitmq.js";
import { startServer, until } from "../tests/e2e/lib/server.js";

const require = createRequire(new URL("../tests/e2e/package.json", import.meta.url));
const { io } = require("socket.io-client");
const jwt = require("jsonwebtoken");

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const MESSAGES = arg("--messages", 20000);
const ROOM = arg("--room", 1000);
const ROOM_MESSAGES = arg("--room-messages", 500);
const SECRET = "bench-secret";

function cpuMs(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
}

async function connect(url, claims) {
  const s = io(url, { forceNew: true, reconnection: false, transports: ["websocket"], auth: { token: jwt.sign(claims, SECRET) } });
  await new Promise((resolve, reject) => {
    s.once("connect", resolve);
    s.once("connect_error", reject);
  });
  return s;
}

async function scenario(name, rmq, ch, server, publishAll, expected, counter) {
  const cpu0 = cpuMs(server.child.pid);
  const t0 = process.hrtime.bigint();
  await publishAll();
  await until(() => counter.n >= expected, 120000, name);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = cpuMs(server.child.pid) - cpu0;
  return { name, wall, cpu, deliveries: counter.n };
}

const rmq = await startRabbit();
console.error(`rabbitmq-server started in ${rmq.startupMs} ms`);
const ch = await rmq.channel();
await ch.assertExchange("events", "topic", { durable: true });
const server = await startServer("switchboard", ["--threads", "2", "--log-level", "warn"], {
  env: { JWT_SECRET: SECRET, RABBITMQ_URL: rmq.url, RABBITMQ_PREFETCH: "200", ROOM_TEMPLATES: "company:{companyId}" },
});
await until(async () => (await (await fetch(`${server.url}/health`)).json()).ingest.state === "consuming", 15000);

const rows = [];
const sockets = [];
try {
  // 1. One target per message: notification.created to user u<i % 100>.
  const users = 100;
  const one = { n: 0 };
  for (let u = 0; u < users; u++) {
    const s = await connect(server.url, { sub: `u${u}` });
    s.on("notification:new", () => one.n++);
    sockets.push(s);
  }
  const publishUsers = async () => {
    for (let i = 0; i < MESSAGES; i++) {
      const body = Buffer.from(JSON.stringify({ userId: `u${i % users}`, type: "info", content: `message ${i}` }));
      if (!ch.publish("events", "notification.created", body)) await new Promise((r) => ch.once("drain", r));
    }
  };
  const r1 = await scenario("one user per message", rmq, ch, server, publishUsers, MESSAGES, one);
  rows.push({ ...r1, messages: MESSAGES });

  // 2. A room of ROOM sockets: inventory.updated to company:big.
  for (const s of sockets) s.disconnect();
  sockets.length = 0;
  const room = { n: 0 };
  for (let i = 0; i < ROOM; i++) {
    const s = await connect(server.url, { sub: `r${i}`, companyId: "big" });
    s.on("inventory:updated", () => room.n++);
    sockets.push(s);
  }
  const publishRoom = async () => {
    for (let i = 0; i < ROOM_MESSAGES; i++) {
      const body = Buffer.from(JSON.stringify({ productId: "p1", quantity: i + 1, companyId: "big" }));
      if (!ch.publish("events", "inventory.updated", body)) await new Promise((r) => ch.once("drain", r));
    }
  };
  const r2 = await scenario(`company room of ${ROOM}`, rmq, ch, server, publishRoom, ROOM * ROOM_MESSAGES, room);
  rows.push({ ...r2, messages: ROOM_MESSAGES });
} finally {
  for (const s of sockets) s.disconnect();
  await server.stop();
  await rmq.stop();
}

console.log("| scenario | messages | deliveries | messages/s (wall) | deliveries/s (wall) | server CPU µs per message | server CPU µs per delivery |");
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const r of rows)
  console.log(
    `| ${r.name} | ${r.messages} | ${r.deliveries} | ${Math.round(r.messages / r.wall).toLocaleString("en")} | ` +
      `${Math.round(r.deliveries / r.wall).toLocaleString("en")} | ${((r.cpu * 1000) / r.messages).toFixed(1)} | ` +
      `${((r.cpu * 1000) / r.deliveries).toFixed(2)} |`,
  );
