// Starts a server binary from the build on a free port and stops it after the test.
import { spawn } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const buildDir = process.env.SWITCHBOARD_BUILD_DIR
  ? path.resolve(process.env.SWITCHBOARD_BUILD_DIR)
  : path.resolve(here, "../../../build");

// The shard counts every e2e test runs with (DESIGN.md: 1 and 2).
export const shardCounts = (process.env.SWITCHBOARD_SHARDS || "1,2").split(",").map(Number);

export async function startServer(binary, args = [], { cwd, env } = {}) {
  const child = spawn(path.join(buildDir, binary), ["--host", "127.0.0.1", "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    cwd,
    env: env ? { ...process.env, ...env } : process.env,
  });
  return watch(binary, child);
}

// The Node socket.io reference server with the same handlers.
export async function startReference(args = []) {
  const script = path.resolve(here, "../socketio/reference_server.js");
  const child = spawn(process.execPath, [script, "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  return watch("reference", child);
}

// A real Node socket.io cluster member with @socket.io/redis-adapter
// (../cluster/node_server.js; args: --redis URL, --mode, --key, ...). It exits
// by itself if the test process dies. node.control({op, ...}) runs a
// server-side operation on it and resolves with the result (the protocol is
// at the top of node_server.js); it throws if the node answered an error.
export async function startNodeClusterNode(args = []) {
  const script = path.resolve(here, "../cluster/node_server.js");
  const child = spawn(process.execPath, [script, "--port", "0", "--exit-on-stdin-eof", ...args], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  // A forgotten node must not keep the test process alive: it exits when its stdin closes.
  for (const h of [child, child.stdin, child.stdout, child.stderr]) h.unref();
  const node = await watch("cluster-node", child);
  node.control = async (body) => {
    const answer = await postJson(node.port, "/control", body);
    if (!answer.ok) throw new Error(`control ${body.op}: ${answer.error}`);
    return answer.result;
  };
  return node;
}

function postJson(port, urlPath, body) {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, path: urlPath, method: "POST", agent: false,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(text) } },
      (res) => {
        let data = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (data += d));
        res.on("end", () => {
          try {
            resolve(JSON.parse(data));
          } catch {
            reject(new Error(`POST ${urlPath}: HTTP ${res.statusCode}: ${data}`));
          }
        });
      },
    );
    req.on("error", reject);
    req.end(text);
  });
}

// Node's engine.io with the hooks of examples/engine_echo.cpp.
export async function startEngineReference(args = []) {
  const script = path.resolve(here, "../engine/reference_echo.js");
  const child = spawn(process.execPath, [script, "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  return watch("engine-reference", child);
}

async function watch(binary, child) {
  let stderr = "";
  let stdout = "";
  const watchers = new Set();
  child.stderr.on("data", (d) => (stderr += d));
  child.stdout.on("data", (d) => {
    stdout += d;
    for (const w of watchers) w();
  });
  const port = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${binary} did not start: ${stderr}`)), 10000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on [^:]+:(\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${binary} exited with ${code}: ${stderr}`));
    });
  });
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    stderr: () => stderr,
    stdout: () => stdout,
    // Resolves with the match once the server's stdout matches `regex`.
    output(regex, ms = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = stdout.match(regex);
          if (!m) return false;
          watchers.delete(check);
          clearTimeout(timer);
          resolve(m);
          return true;
        };
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`server never printed ${regex}; it printed:\n${stdout}`));
        }, ms);
        if (!check()) watchers.add(check);
      });
    },
    // The reason the server gave when it closed session `sid`.
    async closeReason(sid, ms) {
      return (await this.output(new RegExp(`close ${sid.replace(/[-]/g, "\\-")} (.+)\\n`), ms))[1];
    },
    // Stops the server; fails if a sanitizer reported anything on the way.
    async stop() {
      let result = child.exitCode ?? child.signalCode; // a process killed by a signal has no exit code
      if (result === null) {
        const exited = new Promise((r) => child.once("exit", (code, signal) => r(code ?? signal)));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        result = await exited;
        clearTimeout(timer);
      }
      if (/Sanitizer|runtime error:/.test(stderr)) throw new Error(`${binary} sanitizer report:\n${stderr}`);
      return result;
    },
  };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Resolves once `check()` resolves truthy (a throw counts as not yet); fails
// after `ms`. `what` names the condition; a function is called at the failure,
// so that the message can say what was seen instead.
export async function until(check, ms = 5000, what = "condition") {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if (await check()) return;
    } catch {}
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${typeof what === "function" ? await what() : what}`);
    await sleep(50);
  }
}

// Resolves with the arguments of the next `event` on `emitter`, or fails after `ms`.
export function once(emitter, event, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for "${event}"`)), ms);
    const on = emitter.once ? emitter.once.bind(emitter) : emitter.on.bind(emitter);
    on(event, (...args) => {
      clearTimeout(timer);
      resolve(args);
    });
  });
}
