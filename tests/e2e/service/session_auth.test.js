// Session-cookie authentication (seed 000) against the real thing: an Express
// app with express-session and connect-redis logs users in on a private
// redis-server; its cookie goes to the real socket.io-client (extraHeaders),
// and Switchboard reads the session from the same Redis.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import express from "express";
import session from "express-session";
import RedisStore from "connect-redis";
import Redis from "ioredis";
import jwt from "jsonwebtoken";
import { io } from "socket.io-client";
import { startServer, once, sleep } from "../lib/server.js";
import { connected } from "../lib/targets.js";
import { startRedis } from "../lib/redis.js";

const JWT_SECRET = "session-test-jwt";

// An Express app like seed 000's: POST /login?user=ID&ttl=ms, POST /logout.
async function startApp(redisUrl, secrets) {
  const client = new Redis(redisUrl);
  const app = express();
  app.use(session({ store: new RedisStore({ client, prefix: "sess:" }), secret: secrets, resave: false, saveUninitialized: false }));
  app.post("/login", (req, res) => {
    req.session.userId = req.query.user;
    req.session.username = `Name ${req.query.user}`;
    if (req.query.ttl) req.session.cookie.maxAge = Number(req.query.ttl);
    req.session.save(() => res.send("ok"));
  });
  app.post("/logout", (req, res) => req.session.destroy(() => res.send("bye")));
  const server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    async login(user, ttl) {
      const res = await fetch(`${url}/login?user=${user}${ttl ? `&ttl=${ttl}` : ""}`, { method: "POST" });
      assert.equal(res.status, 200);
      return res.headers.get("set-cookie").split(";")[0]; // connect.sid=s%3A...
    },
    async logout(cookie) {
      assert.equal((await fetch(`${url}/logout`, { method: "POST", headers: { cookie } })).status, 200);
    },
    async stop() {
      server.closeAllConnections();
      server.close();
      await client.quit();
    },
  };
}

describe("session-cookie authentication with express-session and connect-redis", () => {
  let redis, oldApp, newApp, rotated, retired;
  const sockets = [];
  const open = (server, cookie, opts = {}) => {
    const s = io(server.url, { forceNew: true, reconnection: false, extraHeaders: cookie ? { cookie } : {}, ...opts });
    sockets.push(s);
    return s;
  };
  const refusal = async (server, cookie, opts) => {
    const err = await connected(open(server, cookie, opts)).then(() => null, (e) => e);
    assert.ok(err, "the connection must be refused");
    return { message: err.message, code: err.data?.code };
  };
  const welcome = async (server, cookie, opts) => {
    const s = open(server, cookie, opts);
    const hello = once(s, "connected");
    await connected(s);
    return (await hello)[0];
  };
  before(async () => {
    redis = await startRedis();
    oldApp = await startApp(redis.url, ["old-secret"]);
    newApp = await startApp(redis.url, ["new-secret", "old-secret"]);
    const env = (secrets) => ({ SESSION_SECRET: secrets, REDIS_URL: redis.url, JWT_SECRET });
    [rotated, retired] = await Promise.all([
      startServer("switchboard", ["--threads", "2"], { env: env("new-secret,old-secret") }),
      startServer("switchboard", [], { env: env("new-secret") }),
    ]);
  });
  after(async () => {
    sockets.forEach((s) => s.close());
    await Promise.all([rotated.stop(), retired.stop(), oldApp.stop(), newApp.stop()]);
    await redis.stop();
  });

  it("connects a logged-in user: connected names the session's user, who is in user:{id}", async () => {
    const cookie = await newApp.login("42");
    assert.match(cookie, /^connect\.sid=s%3A[^.]+\.[A-Za-z0-9%]+$/);
    const hello = await welcome(rotated, cookie);
    assert.equal(hello.userId, "42");
    const polling = await welcome(retired, cookie, { transports: ["polling"] });
    assert.equal(polling.userId, "42", "over long polling too");
    const res = await fetch(`${rotated.url}/user-status/42`);
    assert.equal((await res.json()).data.isConnected, true);
  });

  it("refuses a missing cookie, a tampered signature and an unknown sid with the JWT refusal shapes", async () => {
    assert.deepEqual(await refusal(rotated, null), { message: "Authentication required", code: "AUTH_REQUIRED" });
    const cookie = await newApp.login("7");
    const [name, value] = cookie.split("=");
    const tampered = `${name}=${value.slice(0, -2)}${value.endsWith("AA") ? "BB" : "AA"}`;
    assert.deepEqual(await refusal(rotated, tampered), { message: "Invalid or expired session", code: "INVALID_SESSION" });
    const otherSid = value.replace(/^s%3A[^.]+/, "s%3Aunknown-sid");
    assert.deepEqual(await refusal(rotated, `${name}=${otherSid}`), { message: "Invalid or expired session", code: "INVALID_SESSION" }, "the old signature does not cover another sid");
    // A correctly signed cookie for a sid that has no session.
    const { createHmac } = await import("node:crypto");
    const sign = (sid) => `s:${sid}.${createHmac("sha256", "new-secret").update(sid).digest("base64").replace(/=+$/, "")}`;
    assert.deepEqual(await refusal(rotated, `connect.sid=${encodeURIComponent(sign("no-such-session"))}`), { message: "Invalid or expired session", code: "INVALID_SESSION" });
    assert.deepEqual(await refusal(rotated, "connect.sid=not-signed"), { message: "Invalid or expired session", code: "INVALID_SESSION" });
  });

  it("refuses a destroyed session and an expired one", async () => {
    const cookie = await newApp.login("8");
    assert.equal((await welcome(rotated, cookie)).userId, "8");
    await newApp.logout(cookie);
    assert.deepEqual(await refusal(rotated, cookie), { message: "Invalid or expired session", code: "INVALID_SESSION" });
    const short = await newApp.login("9", 800);
    assert.equal((await welcome(rotated, short)).userId, "9");
    await sleep(1100);
    assert.deepEqual(await refusal(rotated, short), { message: "Invalid or expired session", code: "INVALID_SESSION" });
  });

  it("accepts a cookie signed with the old secret while it is listed, and refuses it once retired", async () => {
    const cookie = await oldApp.login("10");
    assert.equal((await welcome(rotated, cookie)).userId, "10", "SESSION_SECRET=new,old verifies an old cookie");
    assert.deepEqual(await refusal(retired, cookie), { message: "Invalid or expired session", code: "INVALID_SESSION" });
  });

  it("tries a JWT first: a token decides alone, whatever the cookie", async () => {
    const cookie = await newApp.login("11");
    const token = jwt.sign({ sub: "jwt-user" }, JWT_SECRET);
    assert.equal((await welcome(rotated, cookie, { auth: { token } })).userId, "jwt-user");
    const bad = jwt.sign({ sub: "x" }, "wrong");
    assert.deepEqual(await refusal(rotated, cookie, { auth: { token: bad } }), { message: "Invalid or expired token", code: "INVALID_TOKEN" });
  });
});
