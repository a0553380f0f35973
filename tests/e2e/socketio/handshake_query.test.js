// socket.handshake.query and .url as the server reads them, with each
// parameter first, in the middle and last in the query string (a raw
// client: socket.io-client always puts its own parameters last).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { targets } from "../lib/targets.js";
import { RS, poll, post } from "../lib/raw.js";

// A raw Socket.IO session over polling whose handshake has `query`.
async function rawSession(base, query) {
  const res = await fetch(`${base}/socket.io/?${query}`);
  const body = await res.text();
  assert.equal(body[0], "0", body);
  const { sid } = JSON.parse(body.slice(1));
  await post(base, sid, "40", "/socket.io/");
  assert.match((await poll(base, sid, "/socket.io/")).body, /^40\{"sid"/);
  return sid;
}

async function handshakeOf(base, query) {
  const sid = await rawSession(base, query);
  await post(base, sid, '421["handshake"]', "/socket.io/");
  const reply = (await poll(base, sid, "/socket.io/")).body.split(RS).find((p) => p.startsWith("431"));
  assert.ok(reply, "no ack");
  await post(base, sid, "1", "/socket.io/");
  return JSON.parse(reply.slice(3))[0];
}

const eio = "EIO=4&transport=polling";
const cases = [
  ["first", `token=abc.def-ghi&${eio}&x=1`],
  ["middle", `EIO=4&token=abc.def-ghi&transport=polling`],
  ["last", `${eio}&x=1&token=abc.def-ghi`],
];

for (const target of targets) {
  describe(`socket.handshake.query, ${target.name}`, () => {
    let server;
    before(async () => (server = await target.start()));
    after(async () => server.stop());

    for (const [position, query] of cases) {
      it(`reads a parameter in ${position} position exactly`, async () => {
        const h = await handshakeOf(server.url, query);
        assert.equal(h.query.token, "abc.def-ghi");
        assert.equal(h.query.EIO, "4");
        assert.equal(h.query.transport, "polling");
        assert.equal(h.url, `/socket.io/?${query}`);
      });
    }

    it("decodes escapes and '+', keeps a broken escape as sent, and keeps the last of a repeated key", async () => {
      const h = await handshakeOf(server.url, `${eio}&name=two+words%21&bad=%zz&r=1&r=2`);
      assert.equal(h.query.name, "two words!");
      assert.equal(h.query.bad, "%zz");
      assert.equal(h.query.r, "2");
    });
  });
}
