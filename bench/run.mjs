// The benchmark runner: every scenario, Switchboard against Node socket.io
// and the raw epoll baseline, alternating servers, median of the valid runs,
// one table. The cross-node scenarios run two servers of one kind on a
// private redis-server. See bench/README.md. Usage:
//   node bench/run.mjs [--quick] [--reps N] [--only NAME[,NAME]] [--no-record]
// A full run appends its table to bench/results.md; --quick (tiny sizes, one
// repetition, for CI) only checks that every message arrived.
import { spawn, execFileSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg, release, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const quick = flag("--quick");
const reps = Number(option("--reps", quick ? 1 : 3));
const only = option("--only", "").split(",").filter(Boolean);
const build = resolve(root, process.env.SWITCHBOARD_BUILD_DIR || "build");
const pinned = cpus().length >= 2;

const servers = {
  switchboard: { command: [join(build, "bench-server"), "--host", "127.0.0.1", "--port", "0", "--threads", "1"] },
  node: { command: [process.execPath, join(root, "bench/node_server.js"), "--port", "0"] },
  raw: { command: [join(build, "raw-server"), "--port", "0"] },
};

// size(full, quick)
const sz = (full, small) => (quick ? small : full);

// Each scenario: loadgen arguments, which servers, and the figures it yields
// from one loadgen result (`better` says which way is good).
const perDelivery = (r) => r.server_cpu_us / r.received;
const fanoutMetrics = [
  { name: "server CPU µs per delivery", value: perDelivery, better: "lower", raw: true },
  { name: "deliveries per CPU-second", value: (r) => 1e6 / perDelivery(r), better: "higher", raw: true },
  { name: "deliveries per second (wall)", value: (r) => r.received / (r.wall_us / 1e6), better: "higher" },
];
// Cross-node: the receivers on node B, the trigger on node A (the
// publisher's node), both on one redis-server.
const perPublish = (r) => r.publisher_cpu_us / (r.messages * r.burst);
// (A's CPU per publish is left out here: a few hundred publishes are a few
// 10 ms clock ticks of /proc CPU time. The publish-rate scenario gives it.)
const crossMetrics = [
  { name: "receiving node CPU µs per delivery", value: perDelivery, better: "lower" },
  { name: "deliveries per CPU-second (receiving node)", value: (r) => 1e6 / perDelivery(r), better: "higher" },
  { name: "deliveries per second (wall)", value: (r) => r.received / (r.wall_us / 1e6), better: "higher" },
];
const connectPace = 11000; // connections per second in the connect storm
const scenarios = [
  ...[1000, 5000, 10000, 18000].map((n) => ({
    name: `idle ${n / 1000}k`,
    // A few clients come and go first, so that what every server does once
    // (code paged in, JIT, first heap growth) is not charged to the N clients.
    warmup: ["--scenario", "idle", "--connections", 16, "--idle-ms", 0],
    loadgen: ["--scenario", "idle", "--connections", sz(n, n / 100), "--idle-ms", sz(2000, 200)],
    metrics: [
      { name: "RSS KiB per connection", value: (r) => (r.rss_after_kb - r.rss_before_kb) / r.connections, better: "lower", raw: true },
      { name: "PSS KiB per connection", value: (r) => (r.pss_after_kb - r.pss_before_kb) / r.connections, better: "lower", raw: true },
    ],
  })),
  {
    name: "connect storm 10k",
    // Paced at 11,000/s: unpaced, the load generator's own side of the TCP
    // handshakes (kernel work on its core) passes 80 % of a core before the
    // server is busy, and every run would be invalid. A run that held the
    // pace was not limited by the load generator, however busy it was.
    pace: connectPace,
    loadgen: ["--scenario", "connect", "--connections", sz(10000, 100), "--handshakes-in-flight", 128, "--connect-rate", connectPace],
    metrics: [
      { name: "server CPU µs per connection", value: (r) => r.connect_server_cpu_us / r.connections, better: "lower", raw: true },
      { name: "connections per CPU-second", value: (r) => (1e6 * r.connections) / r.connect_server_cpu_us, better: "higher", raw: true },
      { name: "connections per second (wall)", value: (r) => r.connections / (r.connect_ms / 1000), better: "higher" },
    ],
  },
  ...[
    [1000, 1, 300],
    [10000, 1, 30],
    [1000, 8, 60],
    [1000, 32, 20],
    [10000, 8, 6],
  ].map(([n, burst, messages]) => ({
    name: `fan-out room ${n / 1000}k, ${burst === 1 ? "1 message per turn" : `bursts of ${burst}`}`,
    loadgen: ["--scenario", "fanout", "--connections", sz(n, 20), "--burst", burst, "--messages", sz(messages, 5)],
    metrics: fanoutMetrics,
  })),
  {
    name: "echo with ack, 10k messages/s",
    loadgen: ["--scenario", "echo", "--connections", sz(1000, 20), "--rate", sz(10000, 1000), "--duration-ms", sz(5000, 300)],
    metrics: [
      { name: "round trip p50 µs", value: (r) => r.p50_us, better: "lower", raw: true },
      { name: "round trip p99 µs", value: (r) => r.p99_us, better: "lower", raw: true },
      { name: "round trip p99.9 µs", value: (r) => r.p999_us, better: "lower", raw: true },
      { name: "server CPU µs per echo", value: (r) => r.server_cpu_us / r.received, better: "lower", raw: true },
    ],
  },
  {
    name: "long-polling 1k, broadcast",
    servers: ["switchboard", "node"], // the raw baseline speaks WebSocket only
    loadgen: ["--scenario", "polling", "--connections", sz(1000, 20), "--messages", sz(50, 5)],
    metrics: fanoutMetrics,
  },
  ...[
    [1000, 1, 300],
    [1000, 8, 60],
    [10000, 8, 6],
  ].map(([n, burst, messages]) => ({
    name: `cross-node fan-out room ${n / 1000}k, ${burst === 1 ? "1 message per turn" : `bursts of ${burst}`}`,
    cluster: true,
    loadgen: ["--scenario", "fanout", "--connections", sz(n, 20), "--burst", burst, "--messages", sz(messages, 5)],
    metrics: crossMetrics,
  })),
  {
    // One receiver on each node, the publisher paced: the same messages
    // arrive locally and through Redis, so their difference is what the
    // cluster adds.
    name: "cross-node latency, 10k messages/s",
    cluster: true,
    loadgen: ["--scenario", "latency", "--connections", 1, "--rate", sz(10000, 1000), "--duration-ms", sz(5000, 300)],
    metrics: [
      { name: "local delivery p50 µs", value: (r) => r.local_p50_us, better: "lower" },
      { name: "local delivery p99 µs", value: (r) => r.local_p99_us, better: "lower" },
      { name: "cross-node delivery p50 µs", value: (r) => r.remote_p50_us, better: "lower" },
      { name: "cross-node delivery p99 µs", value: (r) => r.remote_p99_us, better: "lower" },
      // A difference of two percentiles: below zero, the noise of the run
      // was larger than what the cluster adds, and it prints as "—".
      { name: "added p50 µs", value: (r) => r.remote_p50_us - r.local_p50_us, better: "lower", positive: true },
      { name: "added p99 µs", value: (r) => r.remote_p99_us - r.local_p99_us, better: "lower", positive: true },
      { name: "sending node CPU µs per publish", value: (r) => r.publisher_cpu_us / (r.received / 2), better: "lower" },
      { name: "receiving node CPU µs per delivery", value: (r) => r.server_cpu_us / (r.received / 2), better: "lower" },
    ],
  },
  {
    // Bursts of 1,000 emits in one loop turn to a room with one member on
    // node B, 2 bursts asked for ahead: what one node publishes per second
    // when its publishes can be pipelined, counted as they arrive at B's
    // client (end to end: A, Redis and B all keep up).
    name: "cross-node publish rate, bursts of 1000",
    cluster: true,
    layout: { a: 0, b: 1, redis: 1, loadgen: 1 },
    loadgen: ["--scenario", "fanout", "--connections", 1, "--burst", sz(1000, 20), "--messages", sz(200, 5), "--rounds-in-flight", 2],
    metrics: [
      { name: "publishes per second (wall)", value: (r) => r.received / (r.wall_us / 1e6), better: "higher" },
      { name: "sending node CPU µs per publish", value: perPublish, better: "lower" },
      { name: "publishes per CPU-second (sending node)", value: (r) => 1e6 / perPublish(r), better: "higher" },
      { name: "Redis CPU µs per publish", value: (r) => r.redis_cpu_us / (r.messages * r.burst), better: "lower" },
      { name: "receiving node CPU µs per delivery", value: perDelivery, better: "lower" },
    ],
  },
].filter((s) => only.length === 0 || only.some((o) => s.name.startsWith(o)));

function taskset(core, command) {
  return pinned ? ["taskset", "-c", String(core), ...command] : command;
}

// Which core each process runs on. One node: server 0, load generator 1.
// Cross-node (the default): node B, the one whose CPU per delivery is the
// main figure, alone on core 0; node A, redis-server and the load generator
// share core 1.
const singleLayout = { server: 0, loadgen: 1 };
const crossLayout = { b: 0, a: 1, redis: 1, loadgen: 1 };

async function startServer(kind, core = 0, extra = []) {
  const [cmd, ...rest] = taskset(core, [...servers[kind].command, ...extra]);
  const child = spawn(cmd, rest, { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.setEncoding("utf8");
  const port = await new Promise((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} server did not start: ${out}`)), 10000);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/listening on [\d.]+:(\d+)/);
      if (m) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    });
    child.on("exit", (code) => reject(new Error(`${kind} server exited (${code}): ${out}`)));
  });
  return { child, port };
}

async function stopServer(server) {
  if (server.child.exitCode !== null) return;
  server.child.kill("SIGTERM");
  await once(server.child, "exit");
}

// A private redis-server on a free loopback port: its own directory, no
// persistence, killed by the kernel if the runner dies (setpriv --pdeathsig).
const hasSetpriv = (() => {
  try {
    execFileSync("setpriv", ["--help"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

async function freePort() {
  const srv = createServer().listen(0, "127.0.0.1");
  await once(srv, "listening");
  const { port } = srv.address();
  srv.close();
  await once(srv, "close");
  return port;
}

async function startRedis(core) {
  const dir = mkdtempSync(join(tmpdir(), "switchboard-bench-redis-"));
  const port = await freePort();
  const argv = taskset(core, ["redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir]).map(String);
  const [cmd, ...rest] = hasSetpriv ? ["setpriv", "--pdeathsig", "KILL", ...argv] : argv;
  const child = spawn(cmd, rest, { stdio: ["ignore", "ignore", "inherit"] });
  // Refused until redis-server listens: ioredis retries every 20 ms and
  // holds the commands until then.
  const client = new Redis(port, "127.0.0.1", { retryStrategy: () => 20, maxRetriesPerRequest: null });
  client.on("error", () => {});
  const stop = async () => {
    client.disconnect();
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([client.ping(), sleep(5000).then(() => Promise.reject(new Error("redis-server did not start")))]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, pid: child.pid, url: `redis://127.0.0.1:${port}`, client, stop };
}

// Both nodes subscribed (the pattern of "/" and its request channel) and
// both publishers connected: a message published now reaches the other node.
// (PUBSUB NUMPAT counts distinct patterns, not subscribers: CLIENT LIST does.)
async function waitForCluster(redis, nodes) {
  const deadline = Date.now() + 10000;
  while (Date.now() < deadline) {
    const [, requests] = await redis.client.pubsub("NUMSUB", "socket.io-request#/#");
    const list = (await redis.client.client("LIST")).trim().split("\n");
    const patterns = list.filter((c) => / psub=[1-9]/.test(c)).length;
    if (patterns >= nodes && requests >= nodes && list.length >= 2 * nodes + 1) return; // + this client
    await sleep(20);
  }
  throw new Error("the cluster did not form within 10 s");
}

// One run: returns the load generator's result.
async function runOnce(scenario, kind) {
  if (scenario.cluster) return runCluster(scenario, kind);
  const server = await startServer(kind, singleLayout.server);
  const warm = scenario.warmup ? await runLoadgen(server.port, server.child.pid, scenario.warmup) : { status: "ok" };
  if (scenario.warmup) await sleep(500); // the server sees the closes
  const r = warm.status === "ok"
    ? await runLoadgen(server.port, server.child.pid, scenario.loadgen)
    : { ...warm, status: `warm-up: ${warm.status}` };
  await stopServer(server);
  return r;
}

async function runCluster(scenario, kind) {
  const layout = scenario.layout ?? crossLayout;
  const redis = await startRedis(layout.redis);
  const nodes = [];
  try {
    const a = await startServer(kind, layout.a, ["--redis-url", redis.url]);
    nodes.push(a);
    const b = await startServer(kind, layout.b, ["--redis-url", redis.url]);
    nodes.push(b);
    await waitForCluster(redis, 2);
    redis.client.disconnect(); // nothing of the runner's on Redis during the run
    return await runLoadgen(b.port, b.child.pid, scenario.loadgen, layout.loadgen,
      ["--publisher-port", a.port, "--publisher-pid", a.child.pid, "--redis-pid", redis.pid]);
  } catch (err) {
    return { status: `cluster: ${err.message}` };
  } finally {
    for (const node of nodes) await stopServer(node);
    await redis.stop();
  }
}

async function runLoadgen(port, pid, loadgenArgs, core = singleLayout.loadgen, extra = []) {
  const [cmd, ...rest] = taskset(core, [join(build, "loadgen"), "--port", port, "--server-pid", pid, ...extra, ...loadgenArgs].map(String));
  const child = spawn(cmd, rest, { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk) => (out += chunk));
  await once(child, "exit");
  const line = out.trim().split("\n").pop();
  try {
    return JSON.parse(line);
  } catch {
    return { status: `loadgen printed no result: ${out.slice(0, 200)}` };
  }
}

// Why a run cannot be reported, or null.
function invalidity(r, scenario) {
  if (r.status !== "ok") return `${r.status}${r.error ? ` (${r.error})` : ""}, ${r.received}/${r.expected} received`;
  if (r.scenario === "idle") return null; // memory: how busy the load generator was does not matter
  const phaseUs = r.scenario === "connect" ? r.connect_ms * 1000 : r.wall_us;
  if (scenario.pace && r.connections / (phaseUs / 1e6) >= 0.95 * scenario.pace) return null; // the pace held
  const share = r.loadgen_cpu_us / phaseUs;
  if (!quick && share > 0.8) return `load generator at ${Math.round(share * 100)} % CPU`;
  return null;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const load = () => loadavg().map((x) => x.toFixed(2)).join(", ");
const loadAtStart = load();
const results = []; // { scenario, kind, r, invalid }
let failures = 0;
for (const scenario of scenarios) {
  const kinds = scenario.servers ?? (scenario.cluster ? ["switchboard", "node"] : ["switchboard", "node", "raw"]);
  for (let rep = 0; rep < reps; rep++) {
    for (const kind of kinds) {
      const r = await runOnce(scenario, kind);
      const invalid = invalidity(r, scenario);
      if (invalid) failures++;
      results.push({ scenario: scenario.name, kind, r, invalid });
      const note = invalid ? `INVALID: ${invalid}` : `${r.received ?? 0}/${r.expected ?? 0} received`;
      console.error(`[${scenario.name}] ${kind} #${rep + 1}: ${note}`);
    }
  }
}

const fmt = (v) => (!Number.isFinite(v) ? "—" : v >= 100 ? Math.round(v).toLocaleString("en-US") : v.toFixed(v >= 10 ? 1 : 2));
const lines = [];
const commit = (() => {
  try {
    return execFileSync("git", ["-C", root, "rev-parse", "--short", "HEAD"]).toString().trim();
  } catch {
    return "unknown";
  }
})();
const machine = `${cpus()[0]?.model ?? "cpu"}, ${cpus().length} cores, Linux ${release()}, Node ${process.version}`;
lines.push(`## ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC · commit ${commit}${quick ? " · quick" : ""}`);
lines.push("");
lines.push(`${machine}. Server on core 0, load generator on core 1; median of ${reps} alternating run(s) per server.`);
if (scenarios.some((s) => s.cluster))
  lines.push("Cross-node: node B (receivers) on core 0, node A (publisher), redis-server and the load generator on core 1; the publish rate swaps A and B.");
lines.push(`Load average (1, 5, 15 min) at the start: ${loadAtStart}; at the end: ${load()}.`);
lines.push("Ratio: how many times better Switchboard is than Node. Share of raw: raw baseline ÷ Switchboard (100 % = the raw limit).");
if (quick) lines.push("Quick mode: sizes too small for the figures to mean anything; it checks that every message arrives.");
lines.push("");
lines.push("| Scenario | Figure | Switchboard | Node | Ratio | Raw | Share of raw |");
lines.push("|---|---|---:|---:|---:|---:|---:|");
for (const scenario of scenarios) {
  const valid = (kind) => results.filter((x) => x.scenario === scenario.name && x.kind === kind && !x.invalid);
  for (const metric of scenario.metrics) {
    const m = (kind) => {
      const v = median(valid(kind).map((x) => metric.value(x.r)));
      return metric.positive && !(v > 0) ? NaN : v;
    };
    const sb = m("switchboard"), node = m("node"), raw = metric.raw ? m("raw") : NaN; // NaN prints as —
    const ratio = metric.better === "lower" ? node / sb : sb / node;
    const share = metric.better === "lower" ? raw / sb : sb / raw;
    lines.push(`| ${scenario.name} | ${metric.name} | ${fmt(sb)} | ${fmt(node)} | ${Number.isFinite(ratio) ? ratio.toFixed(1) + "×" : "—"} | ${fmt(raw)} | ${Number.isFinite(share) ? Math.round(share * 100) + " %" : "—"} |`);
  }
}
const invalidRuns = results.filter((x) => x.invalid);
lines.push("");
lines.push(invalidRuns.length === 0
  ? "Every run was valid (no message lost, load generator under 80 % CPU or the pace held)."
  : `Invalid runs, left out of the medians: ${invalidRuns.map((x) => `${x.scenario} / ${x.kind}: ${x.invalid}`).join("; ")}.`);
lines.push("");
const table = lines.join("\n");
console.log(table);
if (!quick && !flag("--no-record")) {
  const file = join(root, "bench/results.md");
  if (!existsSync(file)) appendFileSync(file, "# Benchmark results\n\nAppended by `bench/run` (see bench/README.md); newest last.\n\n");
  appendFileSync(file, table + "\n");
  console.error(`appended to ${file}`);
}
if (quick && failures > 0) {
  console.error(`${failures} run(s) failed`);
  process.exit(1);
}
