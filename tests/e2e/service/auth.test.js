// The switchboard daemon: JWT authentication, user and claim rooms, connected, presence.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import jwt from "jsonwebtoken";
import { io } from "socket.io-client";
import { startServer, shardCounts, once, sleep } from "../lib/server.js";
import { connected } from "../lib/targets.js";

const SECRET = "test-secret-please-change";
const dir = mkdtempSync(path.join(tmpdir(), "switchboard-keys-"));
execFileSync("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path.join(dir, "private.pem")]);
execFileSync("openssl", ["pkey", "-in", path.join(dir, "private.pem"), "-pubout", "-out", path.join(dir, "public.pem")]);
execFileSync("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path.join(dir, "other.pem")]);
const privateKey = readFileSync(path.join(dir, "private.pem"));
const otherKey = readFileSync(path.join(dir, "other.pem"));

const hs = (claims, opts = {}) => jwt.sign(claims, SECRET, { algorithm: "HS256", expiresIn: "1h", ...opts });
const rs = (claims, key = privateKey) => jwt.sign(claims, key, { algorithm: "RS256", expiresIn: "1h" });
const b64url = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");

for (const shards of shardCounts) {
  describe(`switchboard authentication and rooms, ${shards} shard(s)`, () => {
    let server;
    const sockets = [];
    const open = (opts = {}) => {
      const s = io(server.url, { forceNew: true, reconnection: false, ...opts });
      sockets.push(s);
      return s;
    };
    before(async () => {
      server = await startServer("switchboard", [
        "--threads", String(shards), "--jwt-secret", SECRET, "--jwt-public-key-file", path.join(dir, "public.pem"),
        "--room-templates", "company:{companyId},shop:{shopIds},{role}", "--presence", "room",
      ]);
    });
    after(async () => {
      for (const s of sockets) s.disconnect();
      await server.stop();
    });

    const refusal = async (opts) => {
      const err = await connected(open(opts)).then(() => null, (e) => e);
      assert.ok(err, "the connection must be refused");
      return { message: err.message, code: err.data?.code };
    };

    it("refuses a connection without a token", async () => {
      assert.deepEqual(await refusal({}), { message: "Authentication required", code: "AUTH_REQUIRED" });
    });

    it("refuses alg none, a wrong key, an expired token and a tampered payload", async () => {
      const none = `${b64url({ alg: "none", typ: "JWT" })}.${b64url({ sub: "1" })}.`;
      assert.deepEqual(await refusal({ auth: { token: none } }), { message: "Invalid or expired token", code: "INVALID_TOKEN" });
      assert.equal((await refusal({ auth: { token: jwt.sign({ sub: "1" }, "wrong-secret") } })).code, "INVALID_TOKEN");
      assert.equal((await refusal({ auth: { token: rs({ sub: "1" }, otherKey) } })).code, "INVALID_TOKEN");
      const expired = jwt.sign({ sub: "1", exp: Math.floor(Date.now() / 1000) - 3600 }, SECRET, { algorithm: "HS256" });
      assert.deepEqual(await refusal({ auth: { token: expired } }), { message: "Invalid or expired token", code: "TOKEN_EXPIRED" });
      const [h, , s] = hs({ sub: "1", role: "user" }).split(".");
      const tampered = `${h}.${b64url({ sub: "1", role: "super_admin" })}.${s}`;
      assert.equal((await refusal({ auth: { token: tampered } })).code, "INVALID_TOKEN");
      // An HS256 token whose HMAC key is the RSA public key must not pass.
      const unsigned = `${b64url({ alg: "HS256", typ: "JWT" })}.${b64url({ sub: "1" })}`;
      const mac = createHmac("sha256", readFileSync(path.join(dir, "public.pem"))).update(unsigned).digest("base64url");
      assert.equal((await refusal({ auth: { token: `${unsigned}.${mac}` } })).code, "INVALID_TOKEN");
    });

    it("accepts HS256 and RS256 tokens and says connected", async () => {
      for (const token of [hs({ sub: "u1" }), rs({ sub: "u1" })]) {
        const socket = open({ auth: { token } });
        const hello = once(socket, "connected");
        await connected(socket);
        const [data] = await hello;
        assert.equal(data.socketId, socket.id);
        assert.equal(data.userId, "u1");
        assert.equal(typeof data.message, "string");
      }
    });

    it("takes the token from the Authorization header, the token cookie and the query", async () => {
      const token = hs({ sub: "u2" });
      for (const opts of [
        { extraHeaders: { Authorization: `Bearer ${token}` }, transports: ["polling"] },
        { extraHeaders: { Cookie: `theme=dark; token=${token}` }, transports: ["polling"] },
        { query: { token } },
      ]) {
        const socket = open(opts);
        const hello = once(socket, "connected");
        await connected(socket);
        assert.equal((await hello)[0].userId, "u2");
      }
    });

    it("puts every socket of a user in user:{id} and the claim rooms", async () => {
      const token = hs({ sub: "u3", companyId: 7, shopIds: ["a", "b"], role: "super_admin" });
      const tab1 = await connected(open({ auth: { token } }));
      const tab2 = await connected(open({ auth: { token } }));
      const got = [tab1, tab2].map((s) => {
        const events = [];
        s.onAny((e, d) => events.push([e, d]));
        return events;
      });
      const res = await fetch(`${server.url}/emit`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ event: "order:status_updated", data: { orderId: 1 }, to: { users: ["u3"] } }),
      });
      assert.equal(res.status, 202);
      for (const room of ["company:7", "shop:a", "shop:b", "super_admin"]) {
        await fetch(`${server.url}/emit`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ event: "to-room", data: room, to: { rooms: [room] } }),
        });
      }
      await sleep(150);
      for (const events of got) {
        assert.deepEqual(events.filter(([e]) => e === "order:status_updated"), [["order:status_updated", { orderId: 1 }]]);
        assert.deepEqual(events.filter(([e]) => e === "to-room").map(([, d]) => d).sort(), ["company:7", "shop:a", "shop:b", "super_admin"]);
      }
    });

    it("refuses a client joining another user's room and reports bad input with an error event", async () => {
      const socket = await connected(open({ auth: { token: hs({ sub: "u4" }) } }));
      const error = once(socket, "error");
      socket.emit("join_room", "user:u3");
      assert.deepEqual((await error)[0], { message: "Room not allowed: user:u3", event: "join_room" });
      const missing = once(socket, "error");
      socket.emit("room:join", {});
      assert.deepEqual((await missing)[0], { message: "roomId is required", event: "room:join" });
      assert.deepEqual(await socket.emitWithAck("join_room", "chat-1"), { success: true, room: "chat-1" });
    });

    it("relays typing to the others in the room", async () => {
      const a = await connected(open({ auth: { token: hs({ sub: "ta" }) } }));
      const b = await connected(open({ auth: { token: hs({ sub: "tb" }) } }));
      await a.emitWithAck("join_room", "chat-t");
      await b.emitWithAck("room:join", { roomId: "chat-t" });
      const typing = once(b, "typing");
      a.emit("typing", { roomId: "chat-t", isTyping: true });
      assert.deepEqual((await typing)[0], { userId: "ta", username: "", roomId: "chat-t", isTyping: true });
    });

    it("announces a user's first connection and last disconnection to presence:{id}", async () => {
      const watcher = await connected(open({ auth: { token: hs({ sub: "w" }) } }));
      await watcher.emitWithAck("presence:subscribe", "p1");
      const statuses = [];
      watcher.on("user:status", (s) => statuses.push(s));
      const t = hs({ sub: "p1" });
      const tab1 = await connected(open({ auth: { token: t } }));
      const tab2 = await connected(open({ auth: { token: t } }));
      await sleep(100);
      tab1.disconnect();
      await sleep(100);
      assert.deepEqual(statuses.map((s) => s.status), ["online"], "second tab and first close say nothing");
      tab2.disconnect();
      await sleep(150);
      assert.deepEqual(statuses.map((s) => [s.userId, s.status]), [["p1", "online"], ["p1", "offline"]]);
      assert.equal(typeof statuses[0].timestamp, "number");
    });
  });
}

describe("switchboard issuer, audience and presence to everyone", () => {
  it("checks iss and aud when configured", async () => {
    const server = await startServer("switchboard", ["--jwt-secret", SECRET, "--jwt-issuer", "auth.test", "--jwt-audience", "switchboard"]);
    try {
      const open = (claims) => io(server.url, { forceNew: true, reconnection: false, auth: { token: jwt.sign(claims, SECRET) } });
      const ok = open({ sub: "i1", iss: "auth.test", aud: ["other", "switchboard"] });
      await connected(ok);
      ok.disconnect();
      for (const claims of [{ sub: "i2", iss: "evil", aud: "switchboard" }, { sub: "i3", iss: "auth.test", aud: "other" }]) {
        const err = await connected(open(claims)).then(() => null, (e) => e);
        assert.equal(err?.data?.code, "INVALID_TOKEN");
      }
    } finally {
      await server.stop();
    }
  });

  it("sends user:status to everyone with PRESENCE_MODE=all", async () => {
    const server = await startServer("switchboard", ["--jwt-secret", SECRET], { env: { PRESENCE_MODE: "all" } });
    try {
      // Listening from the start: whether the watcher's own "online" comes
      // in the same read as its connect (and so before a listener added
      // after it) depends on the shard each socket lands on.
      const watcher = io(server.url, { forceNew: true, reconnection: false, auth: { token: hs({ sub: "watcher" }) } });
      const statuses = [];
      watcher.on("user:status", (s) => statuses.push([s.userId, s.status]));
      await connected(watcher);
      const user = io(server.url, { forceNew: true, reconnection: false, auth: { token: hs({ sub: "everyone-sees-me" }) } });
      await connected(user);
      user.disconnect();
      await sleep(150);
      assert.deepEqual(statuses, [
        ["watcher", "online"],
        ["everyone-sees-me", "online"],
        ["everyone-sees-me", "offline"],
      ]);
      watcher.disconnect();
    } finally {
      await server.stop();
    }
  });

  it("logs event payloads at debug level only", async () => {
    for (const [level, expected] of [["debug", true], ["info", false]]) {
      const server = await startServer("switchboard", ["--log-level", level]);
      try {
        const socket = io(server.url, { forceNew: true, reconnection: false });
        await connected(socket);
        socket.emit("join_room", "payload-marker-room");
        await sleep(100);
        assert.equal(server.stdout().includes("payload-marker-room"), expected, level);
        socket.disconnect();
      } finally {
        await server.stop();
      }
    }
  });
});

describe("switchboard anonymous mode", () => {
  it("accepts sockets without a token when no key is configured, in no user room", async () => {
    const server = await startServer("switchboard", []);
    try {
      const socket = io(server.url, { forceNew: true, reconnection: false });
      const hello = once(socket, "connected");
      await connected(socket);
      assert.equal((await hello)[0].userId, null);
      const users = await (await fetch(`${server.url}/connected-users`)).json();
      assert.deepEqual(users, { success: true, data: { count: 0, users: [] } });
      await server.output(/warn.*no JWT key configured.*anonymous/);
      socket.disconnect();
    } finally {
      await server.stop();
    }
  });

  it("connects an invalid token anonymously with AUTH_REQUIRED=false", async () => {
    const server = await startServer("switchboard", ["--jwt-secret", SECRET, "--auth-required", "false"]);
    try {
      const socket = io(server.url, { forceNew: true, reconnection: false, auth: { token: "garbage" } });
      const hello = once(socket, "connected");
      await connected(socket);
      assert.equal((await hello)[0].userId, null);
      socket.disconnect();
    } finally {
      await server.stop();
    }
  });
});
