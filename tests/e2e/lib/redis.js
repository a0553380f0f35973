// A private redis-server for one test file: a free loopback port, no
// persistence, its own temporary --dir. The system's redis service is never
// touched.
//
//   const redis = await startRedis();
//   after(() => redis.stop());
//   redis.url                 // "redis://127.0.0.1:<port>"
//   const r = redis.client(); // an ioredis client, closed by stop()
//   await redis.kill();       // SIGKILL (the fault test)
//   await redis.restart();    // the same port again, empty (nothing is saved)
//
// The process cannot outlive the test: it is started with setpriv
// --pdeathsig KILL (the kernel kills it when the test process dies, even by
// SIGKILL), and the test process also kills every instance (and removes its
// directory) on exit, SIGINT and SIGTERM.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import Redis from "ioredis";

const live = new Set(); // child processes still running
const dirs = new Set(); // --dir of every instance not stopped yet
let hooked = false;
const hasSetpriv = spawnSync("setpriv", ["--help"], { stdio: "ignore" }).status === 0;

function killAll() {
  for (const child of live) {
    try {
      child.kill("SIGKILL");
    } catch {}
  }
  live.clear();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

function hookExit() {
  if (hooked) return;
  hooked = true;
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal); // the default action, now that our listener is gone
    });
  }
}

// A port that was free a moment ago (lib/rabbitmq.js uses it too).
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// Resolves true if a PING on 127.0.0.1:port is answered with +PONG.
function ping(port, ms = 500) {
  return new Promise((resolve) => {
    const sock = net.connect(port, "127.0.0.1");
    let got = "";
    const done = (ok) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), ms);
    sock.on("connect", () => sock.write("PING\r\n"));
    sock.on("data", (d) => {
      got += d;
      if (got.includes("\r\n")) done(got.startsWith("+PONG"));
    });
    sock.on("error", () => done(false));
    sock.on("close", () => done(false));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Options: port (default: a free one), args (more redis-server arguments),
// timeout (ms to wait for PING, default 5000).
export async function startRedis({ port, args = [], timeout = 5000 } = {}) {
  hookExit();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-redis-"));
  dirs.add(dir);
  const clients = new Set();
  let child = null;
  let log = "";
  let stopped = false;

  async function launch(p) {
    const argv = ["--port", String(p), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
      "--dir", dir, "--daemonize", "no", ...args];
    const c = hasSetpriv
      ? spawn("setpriv", ["--pdeathsig", "KILL", "redis-server", ...argv], { stdio: ["ignore", "pipe", "pipe"] })
      : spawn("redis-server", argv, { stdio: ["ignore", "pipe", "pipe"] });
    live.add(c);
    // A forgotten instance must not keep the test process alive: the exit
    // handlers and --pdeathsig end it.
    c.unref();
    c.stdout.unref();
    c.stderr.unref();
    c.exited = new Promise((resolve) => c.once("exit", (code, signal) => resolve(code ?? signal)));
    c.exited.then(() => live.delete(c));
    c.on("error", (err) => (log += `spawn error: ${err.message}\n`));
    c.stdout.on("data", (d) => (log += d));
    c.stderr.on("data", (d) => (log += d));
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
      if (c.exitCode !== null || c.signalCode !== null) break;
      if (await ping(p)) return c;
      await sleep(20);
    }
    c.kill("SIGKILL");
    await c.exited;
    const err = new Error(`redis-server on port ${p} did not answer PING:\n${log}`);
    err.addressInUse = /Address already in use/i.test(log);
    throw err;
  }

  async function kill(signal = "SIGKILL") {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    c.kill(signal);
    const timer = setTimeout(() => c.kill("SIGKILL"), 3000);
    await c.exited;
    clearTimeout(timer);
  }

  // A free port, retried if another process takes it between the check and the bind.
  let chosen = port;
  for (let attempt = 0; ; attempt++) {
    const p = chosen ?? (await freePort());
    try {
      child = await launch(p);
      chosen = p;
      break;
    } catch (err) {
      if (port !== undefined || !err.addressInUse || attempt >= 4) {
        fs.rmSync(dir, { recursive: true, force: true });
        dirs.delete(dir);
        throw err;
      }
    }
  }

  return {
    port: chosen,
    host: "127.0.0.1",
    url: `redis://127.0.0.1:${chosen}`,
    dir,
    // The redis-server process now running (null after kill()).
    get child() {
      return child;
    },
    // Everything the instances printed so far.
    log: () => log,
    // Whether an instance is running now.
    running: () => child !== null,
    // An ioredis client to this instance (options are ioredis'); it reconnects
    // after a restart and is disconnected by stop().
    client(options = {}) {
      const r = new Redis(chosen, "127.0.0.1", {
        retryStrategy: (n) => Math.min(n * 50, 500),
        maxRetriesPerRequest: null,
        ...options,
      });
      r.on("error", () => {}); // refused connections while redis is down: ioredis retries
      clients.add(r);
      r.once("end", () => clients.delete(r));
      return r;
    },
    // SIGKILL: the crash. Resolves once the process is gone.
    kill: () => kill("SIGKILL"),
    // Starts redis-server again on the same port (killing the running one
    // first, if any); resolves once it answers PING. The data set is empty.
    async restart() {
      if (stopped) throw new Error("redis was stopped");
      await kill("SIGKILL");
      child = await launch(chosen);
    },
    // Stops the instance (SIGTERM, SIGKILL after 3 s), disconnects the
    // clients, removes the directory. Idempotent; safe after kill().
    async stop() {
      stopped = true;
      for (const r of clients) r.disconnect();
      clients.clear();
      await kill("SIGTERM");
      fs.rmSync(dir, { recursive: true, force: true });
      dirs.delete(dir);
    },
  };
}
