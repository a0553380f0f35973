// Chat rooms with history (seed 001) on the memory store: the HTTP API, the
// client events (room:join, user:joined, message, typing, room:leave), the
// registry rooms' place in who may join, retention by count and age, and the
// C++ API from a worker thread (tests/fixtures/service_driver.cpp).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import jwt from "jsonwebtoken";
import { io } from "socket.io-client";
import { startServer, once, sleep, until } from "../lib/server.js";
import { connected, collect } from "../lib/targets.js";
import { api as apiWith, attempt } from "../lib/rooms.js";

const SECRET = "rooms-secret";
const KEY = "rooms-api-key";
const api = (server, method, path, body, key = KEY) => apiWith(server, method, path, body, key);

describe("chat rooms and history, memory store (daemon)", () => {
  let server;
  const sockets = [];
  const open = (sub) => {
    const s = io(server.url, { forceNew: true, reconnection: false, auth: { token: jwt.sign({ sub, name: `Name ${sub}` }, SECRET) } });
    sockets.push(s);
    return connected(s);
  };
  before(async () => {
    server = await startServer("switchboard", ["--threads", "2", "--jwt-secret", SECRET, "--api-key", KEY], {
      env: { CLIENT_ROOMS: "lobby", HISTORY_MAX_MESSAGES: "5", MESSAGE_MAX_LENGTH: "20" },
    });
  });
  after(async () => {
    sockets.forEach((s) => s.close());
    await server.stop();
  });

  it("creates, lists, gets and refuses rooms over the HTTP API, with the API key only", async () => {
    const made = await api(server, "POST", "/rooms", { name: "general", namespace: "chat", createdBy: "admin", metadata: { topic: "t" } });
    assert.equal(made.status, 201);
    const room = made.body.data;
    assert.match(room.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual({ ...room, id: 0, createdAt: 0 }, { id: 0, name: "general", namespace: "chat", createdBy: "admin", createdAt: 0, metadata: { topic: "t" }, memberCount: 0 });
    assert.ok(Math.abs(room.createdAt - Date.now()) < 5000);
    const other = (await api(server, "POST", "/rooms", { name: "random" })).body.data;
    assert.equal(other.namespace, "default");
    assert.equal(other.createdBy, null);
    const ids = (q) => api(server, "GET", `/rooms${q}`).then((r) => r.body.data.map((x) => x.id));
    assert.deepEqual((await ids("")).slice(-2), [room.id, other.id]);
    assert.deepEqual(await ids("?namespace=chat"), [room.id]);
    assert.deepEqual((await api(server, "GET", `/rooms/${room.id}`)).body.data, room);
    assert.equal((await api(server, "GET", "/rooms/nope")).status, 404);
    assert.equal((await api(server, "GET", `/rooms/${room.id}`, undefined, "wrong")).status, 401);
    assert.equal((await api(server, "POST", "/rooms", { name: "" })).status, 400);
    assert.equal((await api(server, "POST", "/rooms", { name: "x", metadata: 3 })).status, 400);
    assert.equal((await api(server, "GET", `/rooms/${room.id}/messages?limit=abc`)).status, 400);
    assert.equal((await api(server, "GET", `/rooms/${room.id}/messages?limit=5000`)).status, 400);
    assert.equal((await api(server, "POST", `/rooms/${room.id}/messages`, { content: "x", type: "video" })).status, 400);
    assert.equal((await api(server, "POST", `/rooms/nope/messages`, { content: "x" })).status, 404);
    assert.equal((await api(server, "DELETE", `/rooms/${other.id}`)).status, 200);
    assert.equal((await api(server, "DELETE", `/rooms/${other.id}`)).status, 404);
  });

  it("room:join a registry room (not in CLIENT_ROOMS), user:joined, message, typing, room:leave, user:left", async () => {
    const room = (await api(server, "POST", "/rooms", { name: "talk" })).body.data;
    const a = await open("ann");
    const b = await open("bob");
    assert.deepEqual(await attempt(a, "room:join", { roomId: "not-a-room" }), { error: "Room not allowed: not-a-room" });
    assert.deepEqual(await attempt(a, "message", { roomId: room.id, content: "hi" }), { error: `Not in room: ${room.id}` });
    assert.deepEqual(await attempt(a, "room:join", { roomId: room.id }), { ack: { success: true, room: room.id } });
    const joined = once(a, "user:joined");
    assert.deepEqual(await attempt(b, "room:join", { roomId: room.id }), { ack: { success: true, room: room.id } });
    const j = (await joined)[0];
    assert.deepEqual({ ...j, timestamp: 0 }, { userId: "bob", username: "Name bob", roomId: room.id, timestamp: 0 });
    assert.ok(Math.abs(j.timestamp - Date.now()) < 5000);

    // Validation: each refusal is an error event {message, event: "message"}.
    for (const [payload, error] of [
      ["just a string", "message must be an object {roomId, content, type}"],
      [{ content: "x" }, "roomId is required"],
      [{ roomId: room.id, content: "" }, "content must be a non-empty string"],
      [{ roomId: room.id, content: 42 }, "content must be a non-empty string"],
      [{ roomId: room.id, content: "x".repeat(21) }, "content is longer than 20 bytes"],
      [{ roomId: room.id, content: "x", type: "video" }, "type must be text, image or file"],
      [{ roomId: room.id, content: "x", type: "system" }, "type must be text, image or file"],
    ])
      assert.deepEqual(await attempt(a, "message", payload), { error }, JSON.stringify(payload));

    const atB = once(b, "message");
    const { ack } = await attempt(a, "message", { roomId: room.id, content: "hello bob", type: "text" });
    assert.deepEqual({ ...ack, id: 0, timestamp: 0 }, { id: 0, roomId: room.id, userId: "ann", username: "Name ann", content: "hello bob", type: "text", metadata: {}, timestamp: 0 });
    assert.deepEqual((await atB)[0], ack, "broadcast as stored, with the username");
    b.emit("message", { roomId: room.id, content: "pic", type: "image" }); // no ack asked: still stored
    await until(async () => (await api(server, "GET", `/rooms/${room.id}/messages`)).body.data.messages.length === 2);

    const typing = once(a, "typing");
    b.emit("typing", { roomId: room.id, isTyping: false });
    assert.deepEqual((await typing)[0], { userId: "bob", username: "Name bob", roomId: room.id, isTyping: false });

    const members = (await api(server, "GET", `/rooms/${room.id}/members`)).body.data;
    assert.deepEqual(members.map((m) => m.userId).sort(), ["ann", "bob"]);
    const stats = (await api(server, "GET", `/rooms/${room.id}/stats`)).body.data;
    assert.equal(stats.memberCount, 2);
    assert.equal(stats.messageCount, 2);
    assert.equal(stats.createdAt, room.createdAt);
    assert.ok(stats.lastActivity >= ack.timestamp);

    const left = once(a, "user:left");
    assert.deepEqual(await attempt(b, "room:leave", { roomId: room.id }), { ack: { success: true, room: room.id } });
    assert.deepEqual({ ...(await left)[0], timestamp: 0 }, { userId: "bob", username: "Name bob", roomId: room.id, timestamp: 0 });
    assert.deepEqual(await attempt(b, "message", { roomId: room.id, content: "x" }), { error: `Not in room: ${room.id}` });
  });

  it("pages history from the newest and keeps HISTORY_MAX_MESSAGES per room", async () => {
    const room = (await api(server, "POST", "/rooms", { name: "paged" })).body.data;
    const watcher = await open("wat");
    await attempt(watcher, "room:join", { roomId: room.id });
    const got = collect(watcher, "message");
    for (let i = 1; i <= 7; i++) {
      const r = await api(server, "POST", `/rooms/${room.id}/messages`, { content: `m${i}`, metadata: { n: i } });
      assert.equal(r.status, 201);
      assert.equal(r.body.data.type, "system");
      assert.equal(r.body.data.username, "system");
    }
    await until(() => got.length === 7);
    assert.deepEqual(got.map(([m]) => m.content), ["m1", "m2", "m3", "m4", "m5", "m6", "m7"]);
    const page = async (q) => (await api(server, "GET", `/rooms/${room.id}/messages${q}`)).body.data.messages.map((m) => m.content);
    assert.deepEqual(await page(""), ["m3", "m4", "m5", "m6", "m7"], "5 kept, oldest first");
    assert.deepEqual(await page("?limit=2"), ["m6", "m7"]);
    assert.deepEqual(await page("?limit=2&offset=2"), ["m4", "m5"]);
    assert.deepEqual(await page("?limit=2&offset=4"), ["m3"]);
    assert.deepEqual(await page("?limit=2&offset=9"), []);
    const [m7] = (await api(server, "GET", `/rooms/${room.id}/messages?limit=1`)).body.data.messages;
    assert.deepEqual(m7.metadata, { n: 7 });
    assert.equal((await api(server, "GET", `/rooms/${room.id}/stats`)).body.data.messageCount, 5);
  });

  it("deletes a room: its members leave it and its history goes", async () => {
    const room = (await api(server, "POST", "/rooms", { name: "doomed" })).body.data;
    const m = await open("mem");
    await attempt(m, "room:join", { roomId: room.id });
    await api(server, "POST", `/rooms/${room.id}/messages`, { content: "before" });
    assert.equal((await api(server, "DELETE", `/rooms/${room.id}`)).status, 200);
    assert.equal((await api(server, "GET", `/rooms/${room.id}/messages`)).status, 404);
    assert.equal((await api(server, "GET", `/rooms/${room.id}/stats`)).status, 404);
    const got = collect(m, "probe");
    await fetch(`${server.url}/emit`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ event: "probe", data: 1, to: { rooms: [room.id] } }),
    });
    await sleep(150);
    assert.equal(got.length, 0, "no longer in the room");
    assert.deepEqual(await attempt(m, "room:join", { roomId: room.id }), { error: `Room not allowed: ${room.id}` });
  });
});

describe("history retention by age (HISTORY_MAX_AGE)", () => {
  it("drops messages older than HISTORY_MAX_AGE seconds", async () => {
    const server = await startServer("switchboard", ["--api-key", KEY], { env: { HISTORY_MAX_AGE: "1" } });
    try {
      const room = (await api(server, "POST", "/rooms", { name: "short" })).body.data;
      await api(server, "POST", `/rooms/${room.id}/messages`, { content: "old" });
      await sleep(600);
      await api(server, "POST", `/rooms/${room.id}/messages`, { content: "new" });
      const contents = async () => (await api(server, "GET", `/rooms/${room.id}/messages`)).body.data.messages.map((m) => m.content);
      assert.deepEqual(await contents(), ["old", "new"]);
      await sleep(600);
      assert.deepEqual(await contents(), ["new"]);
      await sleep(600);
      assert.deepEqual(await contents(), []);
    } finally {
      await server.stop();
    }
  });
});

describe("rooms and history from C++ (RealtimeService from a worker thread)", () => {
  let server, admin;
  const sockets = [];
  const open = (sub) => {
    const auth = sub ? { token: jwt.sign({ sub, name: `Name ${sub}` }, "driver-secret") } : {};
    const s = io(server.url, { forceNew: true, reconnection: false, auth });
    sockets.push(s);
    return connected(s);
  };
  const call = (method, args = {}) => admin.timeout(3000).emitWithAck("call", { method, ...args });
  before(async () => {
    server = await startServer("service-driver", ["--threads", "2"]);
    admin = await open(null);
  });
  after(async () => {
    sockets.forEach((s) => s.close());
    await server.stop();
  });

  it("asks the C++ join authorizer (an asynchronous hook) about rooms no pattern lists, never about reserved rooms", async () => {
    const w = await open("w1");
    assert.deepEqual(await attempt(w, "subscribe_order", 5), { ack: { success: true, room: "order:5" } });
    await server.output(/hook authorize w1 order:5/);
    assert.deepEqual(await attempt(w, "join_room", "deny:secret"), { error: "Room not allowed: deny:secret" });
    assert.deepEqual(await attempt(w, "join_room", "user:w2"), { error: "Room not allowed: user:w2" });
    assert.doesNotMatch(server.stdout(), /hook authorize w1 user:w2/);
  });

  it("create_room, get_room, list_rooms, join_room, get_room_members, send_message, get_room_messages, get_room_stats, leave_room, delete_room, and the hooks", async () => {
    const room = await call("createRoom", { name: "cpp", namespace: "chat", createdBy: "u1", metadata: { a: 1 } });
    assert.equal(room.name, "cpp");
    assert.equal(room.namespace, "chat");
    assert.deepEqual(room.metadata, { a: 1 });
    assert.deepEqual(await call("getRoom", { room: room.id }), room);
    assert.equal(await call("getRoom", { room: "nope" }), null);
    assert.ok((await call("listRooms", { namespace: "chat" })).some((r) => r.id === room.id));
    assert.deepEqual(await call("listRooms", { namespace: "none" }), []);

    const u = await open("u1");
    const v = await open("u2");
    await u.emitWithAck("room:join", { roomId: room.id });
    const joined = once(u, "user:joined");
    assert.equal(await call("joinRoom", { socket: v.id, room: room.id }), true);
    assert.equal((await joined)[0].userId, "u2");
    await server.output(new RegExp(`hook room:join u2 ${room.id}`));
    assert.equal(await call("joinRoom", { socket: v.id, room: "nope" }), false);
    await until(async () => (await call("getRoomMembers", { room: room.id })).length === 2);

    const atV = once(v, "message");
    const m = await call("sendMessage", { room: room.id, user: "u1", content: "from C++", type: "file" });
    assert.equal(m.username, "Name u1");
    assert.equal(m.type, "file");
    assert.deepEqual((await atV)[0], m);
    await server.output(new RegExp(`hook message ${room.id} from C\\+\\+`));
    assert.equal(await call("sendMessage", { room: "nope", user: "u1", content: "x" }), null);
    for (let i = 0; i < 3; i++) await call("sendMessage", { room: room.id, user: "u2", content: `n${i}` });
    assert.deepEqual((await call("getRoomMessages", { room: room.id, limit: 2 })).map((x) => x.content), ["n1", "n2"]);
    assert.deepEqual((await call("getRoomMessages", { room: room.id, limit: 2, offset: 2 })).map((x) => x.content), ["from C++", "n0"]);
    const stats = await call("getRoomStats", { room: room.id });
    assert.equal(stats.memberCount, 2);
    assert.equal(stats.messageCount, 4);
    assert.equal(stats.createdAt, room.createdAt);

    const left = once(u, "user:left");
    assert.equal(await call("leaveRoom", { socket: v.id, room: room.id }), true);
    assert.equal((await left)[0].userId, "u2");
    await server.output(new RegExp(`hook room:leave u2 ${room.id}`));
    assert.equal(await call("deleteRoom", { room: room.id }), true);
    assert.equal(await call("getRoom", { room: room.id }), null);
    assert.deepEqual(await call("getRoomMessages", { room: room.id }), []);
    assert.equal(await call("getRoomStats", { room: room.id }), null);
    assert.deepEqual(await call("getRoomMembers", { room: room.id }), []);
    assert.equal(await call("deleteRoom", { room: room.id }), false);
  });

  it("send_direct_message and get_direct_messages (the blocking form) from the worker thread", async () => {
    const [d1, d2] = await Promise.all([open("d1"), open("d2")]);
    const atD2 = once(d2, "newDirectMessage");
    const atD1 = once(d1, "newDirectMessage");
    const m = await call("sendDirectMessage", { from: "d1", to: "d2", content: "from C++" });
    assert.equal(m.username, "Name d1");
    assert.equal(m.toUserId, "d2");
    assert.deepEqual((await atD2)[0], m);
    assert.deepEqual((await atD1)[0], m, "the sender's tabs: none sent it here");
    await call("sendDirectMessage", { from: "d2", to: "d1", content: "back" });
    assert.deepEqual((await call("getDirectMessages", { a: "d2", b: "d1" })).map((x) => x.content), ["from C++", "back"]);
    assert.deepEqual((await call("getDirectMessages", { a: "d1", b: "d2", limit: 1, offset: 1 })).map((x) => x.content), ["from C++"]);
    assert.equal(await call("sendDirectMessage", { from: "d1", to: "d1", content: "self" }), null);
  });
});
