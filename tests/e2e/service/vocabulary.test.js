// A client written for seed 003's NestJS gateway, unchanged, against the
// daemon run with examples/config/nestjs-gateway.toml: it speaks only that
// gateway's names (joinRoom, typingStart, sendMessage, sendDirectMessage,
// presenceOnline, voice_channel_join, ...; newMessage, userTyping,
// newDirectMessage, userOnline, userOffline, voiceChannelUserJoined, error).
// Also: direct-message history over GET /users/:id/direct-messages/:other,
// the rate limit on relay events, and bad input answered with error {message, event}.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import jwt from "jsonwebtoken";
import { io } from "socket.io-client";
import { startServer, once, sleep, buildDir } from "../lib/server.js";
import { connected, collect } from "../lib/targets.js";
import { api as apiWith, attempt } from "../lib/rooms.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const CONFIG = path.resolve(here, "../../../examples/config/nestjs-gateway.toml");
const SECRET = "vocab-secret";
const KEY = "vocab-key";

describe("seed 003's vocabulary (examples/config/nestjs-gateway.toml)", () => {
  let server;
  const sockets = [];
  const open = (sub) => {
    const s = io(server.url, { forceNew: true, reconnection: false, auth: { token: jwt.sign({ sub, name: `Name ${sub}` }, SECRET) } });
    sockets.push(s);
    return connected(s);
  };
  const api = (method, p) => apiWith(server, method, p, undefined, KEY);
  const join = async (s, channelId) => assert.deepEqual(await s.timeout(3000).emitWithAck("joinRoom", { channelId }), { success: true, room: `channel:${channelId}` });
  // Resolves with the next error event of `event` on `s`.
  const errorOf = (s, event) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no error for ${event}`)), 3000);
      const on = (e) => {
        if (e.event !== event) return;
        clearTimeout(timer);
        s.off("error", on);
        resolve(e);
      };
      s.on("error", on);
    });

  before(async () => {
    server = await startServer("switchboard", ["--config", CONFIG, "--threads", "2", "--jwt-secret", SECRET, "--api-key", KEY], {
      env: { EVENT_RATE_LIMIT: "5", EVENT_RATE_BURST: "20" },
    });
  });
  after(async () => {
    sockets.forEach((s) => s.close());
    await server.stop();
  });

  it("joins a channel, types, and sends and receives newMessage", async () => {
    const [ann, ben] = await Promise.all([open("ann"), open("ben")]);
    await join(ann, "c1");
    await join(ben, "c1");
    const typing = once(ben, "userTyping");
    ann.emit("typingStart", { channelId: "c1" });
    assert.deepEqual((await typing)[0], { userId: "ann", username: "Name ann", roomId: "channel:c1", isTyping: true, channelId: "c1" });
    const stopped = once(ben, "userTyping");
    ann.emit("typingStop", "c1");
    assert.equal((await stopped)[0].isTyping, false);
    const got = once(ben, "newMessage");
    const mine = once(ann, "newMessage");
    const ack = await ann.timeout(3000).emitWithAck("sendMessage", { channelId: "c1", content: "hello" });
    const [message] = await got;
    assert.deepEqual((await mine)[0], message, "the sender's tab hears it too, as the gateway's sendToRoom does");
    assert.equal(ack.id, message.id);
    assert.deepEqual({ ...message, id: 0, timestamp: 0 }, {
      id: 0, roomId: "channel:c1", channelId: "c1", userId: "ann", username: "Name ann", content: "hello", type: "text", metadata: {}, timestamp: 0,
    });
    // Not a member of channel:c2; a reserved room; no channel at all.
    const notIn = errorOf(ann, "sendMessage");
    ann.emit("sendMessage", { channelId: "c2", content: "x" });
    assert.deepEqual(await notIn, { message: "Not in room: channel:c2", event: "sendMessage" });
    assert.deepEqual(await attempt(ann, "typingStart", {}), { error: "channelId is required" });
    assert.deepEqual(await attempt(ann, "leaveRoom", { channelId: "c1" }), { ack: { success: true, room: "channel:c1" } });
    assert.deepEqual(await attempt(ann, "typingStart", { channelId: "c1" }), { error: "Not in room: channel:c1" });
  });

  it("sends a direct message to every tab of the recipient and the sender's other tabs, and keeps the conversation", async () => {
    const [dee1, dee2, eve1, eve2] = await Promise.all([open("dee"), open("dee"), open("eve"), open("eve")]);
    const heard = { dee1: collect(dee1, "newDirectMessage"), dee2: collect(dee2, "newDirectMessage"), eve1: collect(eve1, "newDirectMessage"), eve2: collect(eve2, "newDirectMessage") };
    const ack = await dee1.timeout(3000).emitWithAck("sendDirectMessage", { toUserId: "eve", content: "psst" });
    assert.deepEqual({ ...ack, id: 0, timestamp: 0 }, {
      id: 0, roomId: ack.roomId, userId: "dee", username: "Name dee", toUserId: "eve", content: "psst", type: "text", metadata: {}, timestamp: 0,
    });
    const reply = await eve2.timeout(3000).emitWithAck("sendDirectMessage", { toUserId: "dee", content: "yes?" });
    await sleep(200);
    assert.deepEqual(heard.eve1.map(([m]) => m.content), ["psst", "yes?"]);
    assert.deepEqual(heard.eve2.map(([m]) => m.content), ["psst"], "the sending tab has its ack");
    assert.deepEqual(heard.dee2.map(([m]) => m.content), ["psst", "yes?"]);
    assert.deepEqual(heard.dee1.map(([m]) => m.content), ["yes?"]);
    assert.deepEqual(heard.eve1[0][0], ack);
    // The conversation, from either side, paged as room history.
    const history = await api("GET", "/users/eve/direct-messages/dee");
    assert.equal(history.status, 200);
    assert.deepEqual(history.body.data.messages, [ack, reply]);
    assert.deepEqual((await api("GET", "/users/dee/direct-messages/eve?limit=1")).body.data.messages, [reply]);
    assert.deepEqual((await api("GET", "/users/dee/direct-messages/eve?limit=1&offset=1")).body.data.messages, [ack]);
    assert.deepEqual((await api("GET", "/users/dee/direct-messages/nobody")).body.data.messages, []);
    assert.equal((await api("GET", "/users/dee/direct-messages/eve?limit=x")).status, 400);
    assert.equal((await apiWith(server, "GET", "/users/dee/direct-messages/eve", undefined, "wrong")).status, 401);
    // Bad direct messages.
    assert.deepEqual(await attempt(dee1, "sendDirectMessage", { toUserId: "dee", content: "me" }), { error: "Cannot send a direct message to yourself" });
    assert.deepEqual(await attempt(dee1, "sendDirectMessage", { content: "who" }), { error: "toUserId is required" });
    assert.deepEqual(await attempt(dee1, "sendDirectMessage", { toUserId: "eve", content: 5 }), { error: "content must be a non-empty string" });
    assert.deepEqual(await attempt(dee1, "sendDirectMessage", "eve"), { error: "sendDirectMessage must be an object {toUserId, content}" });
  });

  it("sends userOnline and userOffline to the user's subscribers and the user's own tabs", async () => {
    const watcher = await open("wat");
    assert.equal(await watcher.timeout(3000).emitWithAck("presenceOnline"), "ACK", "the gateway's heartbeat");
    assert.equal(await watcher.timeout(3000).emitWithAck("presenceOnline", { idle: true }), "ACK");
    assert.deepEqual(await watcher.timeout(3000).emitWithAck("presenceOnline", { userId: "fay" }), { success: true, room: "presence:fay" });
    const online = once(watcher, "userOnline");
    const fay = io(server.url, { forceNew: true, reconnection: false, auth: { token: jwt.sign({ sub: "fay", name: "Fay" }, SECRET) } });
    sockets.push(fay);
    const self = once(fay, "userOnline");
    const [status] = await online;
    assert.deepEqual({ ...status, timestamp: 0 }, { userId: "fay", username: "Fay", status: "online", timestamp: 0 });
    assert.equal((await self)[0].userId, "fay", "cross-device sync: the user's own room hears it");
    const offline = once(watcher, "userOffline");
    fay.close();
    assert.equal((await offline)[0].userId, "fay");
    assert.equal((await offline)[0].status, "offline");
  });

  it("relays the voice events by the rules, and refuses a non-member", async () => {
    const [gus, hal, ivy] = await Promise.all([open("gus"), open("hal"), open("ivy")]);
    await join(gus, "v1");
    await join(hal, "v1");
    const joined = once(hal, "voiceChannelUserJoined");
    assert.deepEqual(await gus.timeout(3000).emitWithAck("voice_channel_join", { channelId: "v1" }), { success: true });
    assert.deepEqual((await joined)[0], { channelId: "v1", userId: "gus", username: "Name gus" });
    // Only from inside the voice channel: hal is in the text channel only.
    const updated = once(hal, "voiceChannelUserUpdated");
    gus.emit("voice_state_update", { channelId: "v1", muted: true, userId: "forged" });
    assert.deepEqual((await updated)[0], { channelId: "v1", muted: true, userId: "gus", username: "Name gus" }, "the sender's id, not the payload's");
    assert.deepEqual(await attempt(hal, "voice_state_update", { channelId: "v1", muted: true }), { error: "Not in room: voice:v1" });
    // ivy is no member of channel:v1: the rule that requires it refuses her.
    assert.deepEqual(await attempt(ivy, "voice_channel_join", { channelId: "v1" }), { error: "Not in room: channel:v1" });
    assert.deepEqual(await attempt(gus, "voice_channel_join", {}), { error: "channelId is required" });
    assert.deepEqual(await attempt(gus, "voice_channel_join", { channelId: { x: 1 } }), { error: "channelId must be a non-empty string or number" });
    assert.deepEqual(await attempt(gus, "voice_channel_join", "v1"), { error: "voice_channel_join must be an object" });
    const left = once(hal, "voiceChannelUserLeft");
    gus.emit("voice_channel_leave", { channelId: "v1" });
    assert.equal((await left)[0].userId, "gus");
    assert.deepEqual(await attempt(gus, "voice_state_update", { channelId: "v1" }), { error: "Not in room: voice:v1" });
  });

  it("applies the event rate limit to relay events", async () => {
    const kim = await open("kim");
    await join(kim, "r1");
    const errors = collect(kim, "error");
    for (let i = 0; i < 30; i++) kim.emit("voice_state_update", { channelId: "r1" });
    await sleep(300);
    const limited = errors.filter(([e]) => e.message === "Rate limit exceeded");
    assert.ok(limited.length >= 5, `rate-limited: ${limited.length}`);
    assert.equal(limited[0][0].event, "voice_state_update");
  });
});

describe("a bad [events] or [[relay]] table", () => {
  it("is refused at start, naming the file and the key", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sb-vocab-"));
    const run = (text) => {
      const file = path.join(dir, "vocab.toml");
      writeFileSync(file, text);
      return spawnSync(path.join(buildDir, "switchboard"), ["--config", file], { encoding: "utf8" });
    };
    const typo = run('[events.client]\njoin_room = { names = ["joinRoom"], rooom = "channel:{channelId}" }\n');
    assert.equal(typo.status, 2);
    assert.match(typo.stderr, /vocab\.toml: events\.client\.join_room\.rooom: unknown key/);
    const relay = run('[[relay]]\non = "wave"\nemit = "waved"\n');
    assert.equal(relay.status, 2);
    assert.match(relay.stderr, /vocab\.toml: \[\[relay\]\] #1: 'emit' and 'to' go together/);
  });
});

describe("a relay rule that asks the join rules, with the sender included", () => {
  let server;
  const sockets = [];
  before(async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "sb-relay-")), "relay.toml");
    writeFileSync(file, [
      'client-rooms = "stage:open*"',
      "[events.server]",
      'error = "exception"',
      "[[relay]]",
      'on = "wave"',
      'join = "stage:{stageId}"',
      'emit = "waved"',
      'to = "stage:{stageId}"',
      "include_sender = true",
      'require = "authorizer"',
      "",
    ].join("\n"));
    server = await startServer("switchboard", ["--config", file, "--jwt-secret", SECRET]);
  });
  after(async () => {
    sockets.forEach((s) => s.close());
    await server.stop();
  });

  it("joins and emits to the sender too when the join rules allow the room, and refuses it otherwise", async () => {
    const s = io(server.url, { forceNew: true, reconnection: false, auth: { token: jwt.sign({ sub: "lee", name: "Lee" }, SECRET) } });
    sockets.push(s);
    await connected(s);
    const waved = once(s, "waved");
    assert.deepEqual(await s.timeout(3000).emitWithAck("wave", { stageId: "open1", hand: "left" }), { success: true });
    assert.deepEqual((await waved)[0], { stageId: "open1", hand: "left", userId: "lee", username: "Lee" });
    const refused = once(s, "exception");
    s.emit("wave", { stageId: "closed" });
    assert.deepEqual((await refused)[0], { message: "Room not allowed: stage:closed", event: "wave" }, "the configured error event");
  });
});
