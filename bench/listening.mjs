// Starts a server command and resolves, once it printed "listening on
// HOST:PORT", with { child, port } (what the bench runners share).
import { spawn } from "node:child_process";

export function startListening(command, what = command[0]) {
  const [cmd, ...rest] = command;
  const child = spawn(cmd, rest.map(String), { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.setEncoding("utf8");
  return new Promise((ok, fail) => {
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on [\d.]+:(\d+)/);
      if (m) ok({ child, port: Number(m[1]) });
    });
    child.on("exit", (code) => fail(new Error(`${what} exited (${code}): ${out}`)));
  });
}
