// The soak (bench/README.md, "Soak"): the switchboard daemon with JWT auth on,
// one shard, and build/soak running connect-and-disconnect cycles against it:
// a warm-up of 1,000 cycles (what the server makes once: the shard's poller,
// its timers), then --cycles. Prints the server's RSS and descriptors every
// --sample-every cycles, then compares the RSS at 10k cycles with the end,
// the descriptors by kind after the warm-up with the end, and reads /metrics
// (sessions and sockets left open, the counters). Usage:
//   node bench/soak.mjs [--cycles 1000000] [--concurrency 64] [--threads 1]
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { readdirSync, readlinkSync } from "node:fs";
import http from "node:http";
import { cpus } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { startListening } from "./listening.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const cycles = Number(option("--cycles", 1_000_000));
const concurrency = Number(option("--concurrency", 64));
const threads = Number(option("--threads", 1));
const sampleEvery = Number(option("--sample-every", 10_000));
const build = resolve(root, process.env.SWITCHBOARD_BUILD_DIR || "build");
const pinned = cpus().length >= 2;
const taskset = (core, command) => (pinned ? ["taskset", "-c", String(core), ...command] : command);

const SECRET = "soak-secret";
const API_KEY = "soak-key";
const b64url = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
const unsigned = `${b64url({ alg: "HS256", typ: "JWT" })}.${b64url({ sub: "soak-user", exp: Math.floor(Date.now() / 1000) + 86400 })}`;
const token = `${unsigned}.${createHmac("sha256", SECRET).update(unsigned).digest("base64url")}`;

const { child: server, port } = await startListening(
  taskset(0, [join(build, "switchboard"), "--host", "127.0.0.1", "--port", "0", "--threads", threads,
    "--jwt-secret", SECRET, "--api-key", API_KEY, "--log-level", "error"]), "switchboard");

// One scrape on a connection of its own that closes after it (no keep-alive
// socket left to count among the server's descriptors).
async function metrics() {
  const text = await new Promise((ok, fail) => {
    http.get({ host: "127.0.0.1", port, path: "/metrics", agent: false, headers: { authorization: `Bearer ${API_KEY}` } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => ok(body));
    }).on("error", fail);
  });
  const value = (series) => {
    const line = text.split("\n").find((l) => l.startsWith(series + " "));
    return line ? Number(line.slice(series.length + 1)) : undefined;
  };
  return { text, value };
}
// The server's descriptors by kind (socket, timerfd, eventfd, epoll, ...).
function fdKinds(pid) {
  const kinds = {};
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let link;
    try {
      link = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    const kind = link.replace(/^anon_inode:\[?([^\]]+)\]?$/, "$1").replace(/:\[\d+\]$/, "").replace(/^\/.*/, "file");
    kinds[kind] = (kinds[kind] || 0) + 1;
  }
  return kinds;
}

// Runs build/soak for `n` cycles; resolves with its exit code and its samples.
async function run(n, every) {
  const [lcmd, ...lrest] = taskset(1, [join(build, "soak"), "--port", port, "--server-pid", server.pid, "--token", token,
    "--cycles", n, "--concurrency", concurrency, "--sample-every", every].map(String));
  const soak = spawn(lcmd, lrest, { stdio: ["ignore", "pipe", "inherit"] });
  const samples = [];
  let buffered = "";
  soak.stdout.setEncoding("utf8");
  soak.stdout.on("data", (d) => {
    buffered += d;
    let nl;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      console.log(line);
      samples.push(JSON.parse(line));
    }
  });
  const [code] = await once(soak, "exit");
  await sleep(2000); // the server finishes the last closes
  return { code, samples };
}

const warm = await run(1000, 1000);
if (warm.code !== 0) throw new Error("the warm-up failed");
await metrics(); // what a scrape makes once, too
const fdsBefore = fdKinds(server.pid);
const started = Date.now();
const { code, samples } = await run(cycles, sampleEvery);
const m = await metrics();
const fdsAfter = fdKinds(server.pid);
const rssNow = Number(/^process_resident_memory_bytes (\S+)$/m.exec(m.text)?.[1]) / 1024;
server.kill("SIGTERM");
await once(server, "exit");

const done = samples.filter((s) => s.rss_kb);
const at10k = done.find((s) => s.cycles >= 10_000) ?? done[0];
const last = done[done.length - 1];
const seconds = (Date.now() - started) / 1000;
const summary = {
  status: code === 0 ? "ok" : `soak exited ${code}: ${samples.find((s) => s.error)?.error}`,
  cycles: last?.cycles,
  seconds: Math.round(seconds),
  cycles_per_second: Math.round((last?.cycles ?? 0) / (last?.seconds || 1)),
  rss_kb_at_start: done[0]?.rss_kb,
  rss_kb_at_10k: at10k?.rss_kb,
  rss_kb_at_end: last?.rss_kb,
  rss_kb_after_settling: Math.round(rssNow),
  rss_change_percent: at10k && last ? Number((((last.rss_kb - at10k.rss_kb) / at10k.rss_kb) * 100).toFixed(2)) : undefined,
  fds_after_warmup: fdsBefore,
  fds_after: fdsAfter,
  sessions_left: (m.value('switchboard_engine_sessions{transport="websocket"}') ?? 0) +
    (m.value('switchboard_engine_sessions{transport="polling"}') ?? 0),
  sockets_left: m.value('switchboard_socketio_sockets{namespace="/"}'),
  connects_total: m.value("switchboard_socketio_connects_total"),
  disconnects_transport_close: m.value('switchboard_socketio_disconnects_total{reason="transport close"}'),
  refused_auth: m.value('switchboard_refused_connections_total{cause="auth"}'),
};
console.log(JSON.stringify(summary, null, 2));
process.exit(code === 0 ? 0 : 1);
