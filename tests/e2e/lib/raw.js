// Raw Engine.IO over HTTP and WebSocket, for checking the wire itself.
import assert from "node:assert/strict";
import WebSocket from "ws";

export const RS = "\x1e";

export function eioUrl(base, query, path = "/engine.io/") {
  return `${base}${path}?${new URLSearchParams(query)}`;
}

export async function handshake(base, extra = {}, path) {
  const res = await fetch(eioUrl(base, { EIO: "4", transport: "polling", ...extra }, path));
  const body = await res.text();
  if (res.status !== 200 || body[0] !== "0") throw new Error(`handshake failed: ${res.status} ${body}`);
  return { res, open: JSON.parse(body.slice(1)) };
}

export async function poll(base, sid, path) {
  const res = await fetch(eioUrl(base, { EIO: "4", transport: "polling", sid }, path));
  return { status: res.status, body: await res.text(), headers: res.headers };
}

export async function post(base, sid, body, path) {
  const res = await fetch(eioUrl(base, { EIO: "4", transport: "polling", sid }, path), { method: "POST", body });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

// A WebSocket that records every frame it receives.
export function openWs(url) {
  const ws = new WebSocket(url);
  ws.frames = [];
  ws.waiters = [];
  ws.on("message", (data, isBinary) => {
    const frame = isBinary ? Buffer.from(data) : data.toString();
    ws.frames.push(frame);
    for (const w of ws.waiters.splice(0)) w();
  });
  ws.closed = new Promise((r) => ws.on("close", (code, reason) => r({ code, reason: reason.toString() })));
  ws.on("error", () => {});
  return ws;
}

// Waits until `ws` (anything with `frames` and `waiters` arrays, its reader
// calling every waiter on new frames) has received `count` frames in all.
export function frames(ws, count, ms = 5000) {
  return new Promise((resolve, reject) => {
    const got = () => JSON.stringify(ws.frames).slice(0, 2000);
    const timer = setTimeout(() => reject(new Error(`got ${ws.frames.length} frames, wanted ${count}: ${got()}`)), ms);
    const check = () => {
      if (ws.frames.length >= count) {
        clearTimeout(timer);
        resolve(ws.frames.slice(0, count));
      } else ws.waiters.push(check);
    };
    check();
  });
}

export function opened(ws) {
  return new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("unexpected-response", (_, res) => reject(new Error(`unexpected response ${res.statusCode}`)));
    ws.once("error", reject);
  });
}

// Fetches `url` and checks the Engine.IO error answer: status and JSON {code, message}.
export async function expectError(url, init, status, code, message) {
  const res = await fetch(url, init);
  assert.equal(res.status, status);
  assert.match(res.headers.get("content-type"), /application\/json/);
  assert.deepEqual(await res.json(), { code, message });
}
