// The Socket.IO client bundle as Node's serveClient serves it: the files of
// the pinned socket.io-client package, byte for byte, with an ETag (304 on a
// revalidation) and gzip when the client asks; SERVE_CLIENT=false turns it off.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { startServer } from "../lib/server.js";

// The test's own copy of the package (tests/e2e/package.json pins it), not the daemon's.
const require = createRequire(import.meta.url);
const dist = path.join(path.dirname(require.resolve("socket.io-client/package.json")), "dist");
const files = ["socket.io.js", "socket.io.min.js", "socket.io.esm.min.js", "socket.io.js.map", "socket.io.min.js.map",
  "socket.io.esm.min.js.map"];

async function get(server, file, headers = {}) {
  const res = await fetch(`${server.url}/socket.io/${file}`, { headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

describe("client bundle", () => {
  let server;
  before(async () => (server = await startServer("switchboard")));
  after(() => server.stop());

  it("serves each file of socket.io-client's dist/ byte for byte", async () => {
    for (const file of files) {
      // undici asks for gzip by default: ask for nothing to see the plain bytes.
      const r = await get(server, file, { "accept-encoding": "identity" });
      assert.equal(r.status, 200, file);
      assert.equal(r.headers.get("content-encoding"), null, file);
      assert.ok(r.body.equals(readFileSync(path.join(dist, file))), `${file}: not the npm package's bytes`);
      const type = file.endsWith(".map") ? "application/json" : "application/javascript";
      assert.equal(r.headers.get("content-type"), `${type}; charset=utf-8`, file);
      assert.equal(r.headers.get("cache-control"), "public, max-age=0");
    }
  });

  it("answers a revalidation with its ETag with 304 and no body", async () => {
    const first = await get(server, "socket.io.min.js");
    const etag = first.headers.get("etag");
    assert.match(etag, /^"[0-9a-f]{32}"$/);
    const again = await get(server, "socket.io.min.js", { "if-none-match": etag });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    const weak = await get(server, "socket.io.min.js", { "if-none-match": `W/${etag}` });
    assert.equal(weak.status, 304);
    // Another file has another tag: a stale one gets the bytes.
    const other = await get(server, "socket.io.js", { "if-none-match": etag, "accept-encoding": "identity" });
    assert.equal(other.status, 200);
    assert.notEqual(other.headers.get("etag"), etag);
  });

  it("gzips when the client accepts it, and the bytes inflate to the package's", async () => {
    const raw = await new Promise((resolve, reject) => {
      // fetch() inflates by itself: read the wire bytes with node:http.
      import("node:http").then(({ default: http }) =>
        http.get(`${server.url}/socket.io/socket.io.js`, { headers: { "accept-encoding": "gzip" } }, (res) => {
          const chunks = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        }).on("error", reject));
    });
    assert.equal(raw.headers["content-encoding"], "gzip");
    assert.equal(raw.headers.vary, "Accept-Encoding");
    const original = readFileSync(path.join(dist, "socket.io.js"));
    assert.ok(raw.body.length < original.length / 2, `gzip: ${raw.body.length} of ${original.length} bytes`);
    assert.ok(gunzipSync(raw.body).equals(original));
  });

  it("does not take the Engine.IO endpoint's requests or unknown names", async () => {
    assert.equal((await get(server, "socket.io.exe")).status, 404);
    const handshake = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`);
    assert.equal(handshake.status, 200);
    assert.match(await handshake.text(), /^0\{"sid"/);
  });

  it("is not served with SERVE_CLIENT=false", async () => {
    const off = await startServer("switchboard", [], { env: { SERVE_CLIENT: "false" } });
    try {
      const r = await get(off, "socket.io.min.js");
      // The Engine.IO endpoint answers, as Node's does with serveClient(false).
      assert.equal(r.status, 400);
      assert.doesNotMatch(r.body.toString(), /socket\.io/i);
    } finally {
      await off.stop();
    }
  });
});
