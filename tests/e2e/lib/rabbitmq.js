// A private rabbitmq-server for one test file: its own node name
// (sbtest-<port>@localhost), AMQP, distribution and epmd ports on loopback,
// data, logs, config and an empty plugin list (no management plugin) in a
// temporary directory. The system's broker (if any) is never touched.
//
//   const rmq = await startRabbit();
//   after(() => rmq.stop());
//   rmq.url                       // "amqp://guest:guest@127.0.0.1:<port>"
//   const ch = await rmq.channel(); // an amqplib channel, closed by stop()
//   await rmq.kill();             // SIGKILL of the whole process group (the fault test)
//   await rmq.restart();          // the same ports and data again (durable queues survive)
//   rmq.startupMs                 // how long the last start took
//
// A broker start costs seconds (12 s on a loaded 2-core machine): start one
// per test file. The broker runs in its own process group; stop() and the
// exit hooks kill that group and its private epmd, and remove the directory.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import amqp from "amqplib";
import { freePort } from "./redis.js";

const live = new Set(); // brokers not stopped yet
let hooked = false;
const server = fs.existsSync("/usr/lib/rabbitmq/bin/rabbitmq-server")
  ? "/usr/lib/rabbitmq/bin/rabbitmq-server" // runs as the caller (the /usr/sbin wrapper switches to the rabbitmq user)
  : "rabbitmq-server";

function killBroker(b) {
  if (b.child && b.child.exitCode === null && b.child.signalCode === null) {
    try {
      process.kill(-b.child.pid, "SIGKILL");
    } catch {}
  }
  // epmd daemonizes out of the group: stop the private one by its port.
  spawnSync("epmd", ["-kill"], { env: { ...process.env, ERL_EPMD_PORT: String(b.epmdPort) }, stdio: "ignore" });
}

function hookExit() {
  if (hooked) return;
  hooked = true;
  process.on("exit", () => {
    for (const b of live) {
      killBroker(b);
      fs.rmSync(b.dir, { recursive: true, force: true });
    }
  });
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      process.exit(128 + os.constants.signals[signal]);
    });
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function canConnect(url) {
  try {
    const c = await amqp.connect(url, { timeout: 1000 });
    await c.close();
    return true;
  } catch {
    return false;
  }
}

export async function startRabbit({ timeout = 60000 } = {}) {
  hookExit();
  const port = await freePort();
  const distPort = await freePort();
  const epmdPort = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sb-rabbitmq-"));
  fs.writeFileSync(path.join(dir, "enabled_plugins"), "[].\n");
  fs.writeFileSync(
    path.join(dir, "rabbitmq.conf"),
    [`listeners.tcp.default = 127.0.0.1:${port}`, "loopback_users = none", "log.console = false", ""].join("\n"),
  );
  const b = { dir, port, epmdPort, child: null, connections: [], startupMs: 0 };
  const env = {
    ...process.env,
    HOME: dir, // the Erlang cookie
    RABBITMQ_NODENAME: `sbtest-${port}@localhost`,
    RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: path.join(dir, "mnesia"),
    RABBITMQ_LOG_BASE: path.join(dir, "log"),
    RABBITMQ_CONFIG_FILE: path.join(dir, "rabbitmq"),
    RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, "enabled_plugins"),
    RABBITMQ_PID_FILE: path.join(dir, "pid"),
    ERL_EPMD_PORT: String(epmdPort),
    // The epmd the broker starts inherits this: "epmd -kill" then works even
    // while the killed node is still registered.
    ERL_EPMD_RELAXED_COMMAND_CHECK: "1",
  };
  const url = `amqp://guest:guest@127.0.0.1:${port}`;
  let output = "";
  const launch = async () => {
    const started = Date.now();
    const child = spawn(server, [], { env, cwd: dir, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (d) => (output = (output + d).slice(-4000)));
    child.stderr.on("data", (d) => (output = (output + d).slice(-4000)));
    b.child = child;
    const deadline = started + timeout;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`rabbitmq-server exited with ${child.exitCode}:\n${output}`);
      if (await canConnect(url)) break;
      if (Date.now() > deadline) {
        killBroker(b);
        throw new Error(`rabbitmq-server did not start in ${timeout} ms:\n${output}`);
      }
      await sleep(200);
    }
    b.startupMs = Date.now() - started;
  };
  live.add(b);
  await launch();

  const waitExit = () =>
    b.child.exitCode !== null || b.child.signalCode !== null
      ? Promise.resolve()
      : new Promise((r) => b.child.once("exit", r));

  return {
    url,
    port,
    get startupMs() {
      return b.startupMs;
    },
    async connection() {
      const c = await amqp.connect(url);
      c.on("error", () => {});
      b.connections.push(c);
      return c;
    },
    async channel() {
      const c = await this.connection();
      const ch = await c.createChannel();
      ch.on("error", () => {});
      return ch;
    },
    async kill() {
      const exited = waitExit();
      try {
        process.kill(-b.child.pid, "SIGKILL");
      } catch {}
      await exited;
      b.connections = [];
    },
    async restart() {
      await launch();
    },
    async stop() {
      for (const c of b.connections) await c.close().catch(() => {});
      b.connections = [];
      const exited = waitExit();
      killBroker(b);
      await exited;
      live.delete(b);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
