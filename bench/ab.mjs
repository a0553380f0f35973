// Two builds of bench-server, interleaved: A, B, A, B, ... on the fan-out
// scenarios and the connect storm, with the same load generator, so that the
// machine's drift (20-30 % here over minutes) hits both alike. Prints the
// median server CPU µs per delivery (per connection for the storm) of each
// and B's change. Usage:
//   node bench/ab.mjs A/bench-server B/bench-server [--reps 7] [--only NAME] [--messages-factor N] [--loadgen build/loadgen]
// --only keeps the scenarios whose name contains NAME; --messages-factor
// multiplies their messages (longer runs: less weight on /proc's 10 ms ticks).
import { spawn } from "node:child_process";
import { cpus } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { once } from "node:events";
import { startListening } from "./listening.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const [a, b] = args.filter((x, i) => !x.startsWith("--") && !(i > 0 && args[i - 1].startsWith("--")));
if (!a || !b) {
  console.error("usage: node bench/ab.mjs A/bench-server B/bench-server [--reps N] [--loadgen PATH]");
  process.exit(2);
}
const reps = Number(option("--reps", 7));
const only = option("--only", "");
const factor = Number(option("--messages-factor", 1));
const loadgen = resolve(option("--loadgen", resolve(root, "build/loadgen")));
const pinned = cpus().length >= 2;
const taskset = (core, command) => (pinned ? ["taskset", "-c", String(core), ...command] : command);

const perDelivery = (r) => r.server_cpu_us / r.received;
const fanout = (connections, burst, messages) => ["--scenario", "fanout", "--connections", connections, "--burst", burst,
  "--messages", messages];
const scenarios = [
  { name: "fan-out room 1k, 1 message per turn", args: fanout(1000, 1, 200), value: perDelivery },
  { name: "fan-out room 1k, bursts of 8", args: fanout(1000, 8, 100), value: perDelivery },
  { name: "fan-out room 10k, bursts of 8", args: fanout(10000, 8, 20), value: perDelivery },
  // As bench/run.mjs's storm (paced at 11,000/s); --messages-factor leaves it be.
  { name: "connect storm 10k (µs per connection)",
    args: ["--scenario", "connect", "--connections", 10000, "--handshakes-in-flight", 128, "--connect-rate", 11000],
    value: (r) => r.connect_server_cpu_us / r.connections },
];

async function once_(binary, scenario) {
  const { child: server, port } = await startListening(
    taskset(0, [binary, "--host", "127.0.0.1", "--port", "0", "--threads", "1"]), binary);
  const [lcmd, ...lrest] = taskset(1, [loadgen, "--port", port, "--server-pid", server.pid, ...scenario.args].map(String));
  const gen = spawn(lcmd, lrest, { stdio: ["ignore", "pipe", "inherit"] });
  let result = "";
  gen.stdout.on("data", (d) => (result += d));
  await once(gen, "exit");
  server.kill("SIGTERM");
  await once(server, "exit");
  const r = JSON.parse(result.trim().split("\n").pop());
  if (r.status !== "ok") throw new Error(`${binary}: ${r.status} ${r.error}`);
  return scenario.value(r);
}

const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
console.log(`| Scenario | A µs | B µs | B vs A | runs |`);
console.log(`|---|---:|---:|---:|---:|`);
for (const scenario of scenarios.filter((s) => s.name.includes(only))) {
  const at = scenario.args.indexOf("--messages");
  if (at >= 0) scenario.args[at + 1] *= factor;
  const runs = { a: [], b: [] };
  for (let i = 0; i < reps; ++i) {
    // Alternate who goes first, too.
    const order = i % 2 ? ["b", "a"] : ["a", "b"];
    for (const k of order) runs[k].push(await once_(k === "a" ? a : b, scenario));
  }
  const ma = median(runs.a), mb = median(runs.b);
  console.log(`| ${scenario.name} | ${ma.toFixed(3)} | ${mb.toFixed(3)} | ${(((mb - ma) / ma) * 100).toFixed(1)} % | ${reps} each |`);
  console.error(JSON.stringify({ scenario: scenario.name, a: runs.a.map((x) => +x.toFixed(3)), b: runs.b.map((x) => +x.toFixed(3)) }));
}
