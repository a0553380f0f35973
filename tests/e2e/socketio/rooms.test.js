// Rooms, broadcast operators and the server-wide utilities, with several real clients.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { targets, connected, request, collect, withServer, perNode } from "../lib/targets.js";
import { once, sleep } from "../lib/server.js";
import { handshake, poll, post } from "../lib/raw.js";

for (const target of targets) {
  describe(`Socket.IO rooms and broadcast against ${target.name}`, () => {
    const ctx = withServer({ before, after }, target);
    async function three() {
      const all = [];
      for (let i = 0; i < 3; i++) all.push(await connected(ctx.open("/", { auth: { n: i } })));
      return all;
    }
    // Waits long enough for a packet that should NOT arrive to have arrived.
    const settle = () => sleep(150);


    it("puts every socket in the room of its own id", async () => {
      const [a] = await three();
      assert.deepEqual(await request(a, "rooms"), [a.id]);
    });

    it("joins and leaves one or many rooms", async () => {
      const [a] = await three();
      await request(a, "join", "r1");
      await request(a, "join", ["r2", "r3"]);
      assert.deepEqual(await request(a, "rooms"), [a.id, "r1", "r2", "r3"].sort());
      await request(a, "leave", "r2");
      assert.deepEqual(await request(a, "rooms"), [a.id, "r1", "r3"].sort());
    });

    it("broadcasts to a room, to several rooms once each, and except rooms", async () => {
      const [a, b, c] = await three();
      await request(a, "join", ["x", "y"]);
      await request(b, "join", ["y"]);
      await request(c, "join", ["z"]);
      const got = [a, b, c].map((s) => collect(s, "news"));
      await request(c, "emit", { to: ["x", "y"], event: "news", args: [1] });
      await request(c, "emit", { to: ["y", "z"], except: ["x"], event: "news", args: [2] });
      await request(c, "emit", { except: ["y"], event: "news", args: [3] });
      await settle();
      assert.deepEqual(got[0], [[1]], "a: in x and y, once; excluded by x; excluded by y");
      assert.deepEqual(got[1], [[1], [2]]);
      assert.deepEqual(got[2], [[2], [3]]);
    });

    // Switchboard delivers the broadcasts of one turn to the same target
    // together; the order must stay as if each had been delivered at once.
    it("keeps the order of broadcasts, direct emits and room changes made in one turn", async () => {
      const [a, b, c] = await three();
      await request(a, "join", "r");
      await request(b, "join", "r");
      const got = [a, b, c].map((s) => collect(s, "e"));
      const toR = (n) => ({ emit: { to: ["r"], event: "e", args: [n] } });
      await request(a, "steps", [
        toR(1),
        { direct: { event: "e", args: [2] } },
        toR(3),
        toR(4),
        { leave: "r" },
        toR(5),
        { join: "s" },
        { emit: { to: ["s"], event: "e", args: [6] } },
        { emit: { to: ["r"], except: ["nobody"], event: "e", args: [7] } },
        toR(8),
        { emit: { event: "e", args: [9] } },
        toR(10),
        { join: "r" },
        toR(11),
      ]);
      await settle();
      assert.deepEqual(got[0], [[1], [2], [3], [4], [6], [9], [11]]);
      assert.deepEqual(got[1], [[1], [3], [4], [5], [7], [8], [9], [10], [11]]);
      assert.deepEqual(got[2], [[9]]);
    });

    it("delivers a burst to a room in order, each packet once", async () => {
      const [a, b, c] = await three();
      for (const s of [a, b, c]) await request(s, "join", "burst");
      const got = [a, b, c].map((s) => collect(s, "n"));
      const steps = Array.from({ length: 50 }, (_, i) => ({ emit: { to: ["burst"], event: "n", args: [i] } }));
      await request(c, "steps", steps);
      await settle();
      for (const g of got) assert.deepEqual(g, steps.map((_, i) => [i]));
    });

    it("broadcasts from a socket to everyone but the sender", async () => {
      const [a, b, c] = await three();
      const got = [a, b, c].map((s) => collect(s, "hello"));
      await request(a, "join", "room");
      await request(b, "join", "room");
      await request(a, "emit", { fromSocket: true, event: "hello", args: ["all"] });
      await request(a, "emit", { fromSocket: true, to: ["room"], event: "hello", args: ["room"] });
      await settle();
      assert.deepEqual(got[0], []);
      assert.ok(got[1].some((x) => x[0] === "all") && got[1].some((x) => x[0] === "room"));
      assert.ok(got[2].some((x) => x[0] === "all") && !got[2].some((x) => x[0] === "room"));
    });

    it("emits on the namespace to every socket, local and volatile included", {
      skip: perNode(target, "local reaches this node's sockets only (cluster/mixed_cluster.test.js checks it)"),
    }, async () => {
      const [a, b] = await three();
      const got = [a, b].map((s) => collect(s, "all"));
      await request(a, "emit", { event: "all", args: ["plain"] });
      await request(a, "emit", { local: true, event: "all", args: ["local"] });
      await settle();
      for (const g of got) assert.deepEqual(g, [["plain"], ["local"]]);
      // An idle WebSocket can take a volatile packet now: it is delivered.
      await request(a, "emit", { volatile: true, event: "all", args: ["volatile"] });
      await settle();
      for (const g of got) assert.deepEqual(g.at(-1), ["volatile"]);
    });

    it("drops a volatile packet for a polling client with no GET waiting", async () => {
      const [a] = await three();
      const { open } = await handshake(ctx.server.url, {}, "/socket.io/");
      await post(ctx.server.url, open.sid, "40", "/socket.io/");
      const first = await poll(ctx.server.url, open.sid, "/socket.io/"); // the CONNECT answer and "auth"
      assert.match(first.body, /^40\{"sid"/);
      // No GET is pending now.
      await request(a, "emit", { volatile: true, event: "v", args: [1] });
      await request(a, "emit", { event: "n", args: [2] });
      await settle();
      const next = await poll(ctx.server.url, open.sid, "/socket.io/");
      assert.match(next.body, /42\["n",2\]/);
      assert.doesNotMatch(next.body, /"v"/);
    });

    it("leaves rooms on disconnect", async () => {
      const [a, b] = await three();
      await request(a, "join", "gone");
      a.disconnect();
      await sleep(100);
      const inRoom = await request(b, "fetch-sockets", { to: ["gone"] });
      assert.deepEqual(inRoom, []);
    });

    it("fetches sockets with their handshake, rooms and data", async () => {
      const [a, b] = await three();
      await request(a, "join", "fetch-room");
      await request(b, "join", "fetch-room");
      await request(a, "set-data", { user: "ann" });
      const found = await request(a, "fetch-sockets", { to: ["fetch-room"] });
      assert.deepEqual(found.map((s) => s.id), [a.id, b.id].sort());
      const ann = found.find((s) => s.id === a.id);
      assert.deepEqual(ann.data, { user: "ann" });
      assert.deepEqual(ann.rooms, [a.id, "fetch-room"].sort());
      assert.deepEqual(ann.auth, { n: 0 });
    });

    it("emits to a fetched socket", async () => {
      const [a, b] = await three();
      const got = collect(b, "remote");
      const count = await request(a, "remote-emit", { to: [b.id], event: "remote", args: ["hi"] });
      assert.equal(count, 1);
      await settle();
      assert.deepEqual(got, [["hi"]]);
    });

    it("joins, leaves and disconnects fetched sockets", async () => {
      const [a, b, c] = await three();
      assert.equal(await request(c, "remote-op", { to: [a.id], op: "join", room: "fetched" }), 1);
      assert.deepEqual(await request(a, "rooms"), [a.id, "fetched"].sort());
      await request(c, "remote-op", { to: [a.id], op: "leave", room: "fetched" });
      assert.deepEqual(await request(a, "rooms"), [a.id]);
      const gone = once(b, "disconnect");
      await request(c, "remote-op", { to: [b.id], op: "disconnect", close: true });
      assert.equal((await gone)[0], "io server disconnect");
    });

    it("makes sockets join and leave rooms server-side", async () => {
      const [a, b, c] = await three();
      await request(a, "join", "src");
      await request(b, "join", "src");
      await request(c, "sockets-join", { to: ["src"], rooms: ["dst"] });
      await sleep(50);
      assert.deepEqual((await request(c, "fetch-sockets", { to: ["dst"] })).map((s) => s.id), [a.id, b.id].sort());
      await request(c, "sockets-leave", { to: ["dst"], rooms: ["dst"] });
      await sleep(50);
      assert.deepEqual(await request(c, "fetch-sockets", { to: ["dst"] }), []);
    });

    it("disconnects sockets server-side", async () => {
      const [a, b, c] = await three();
      await request(b, "join", "kick");
      const gone = once(b, "disconnect");
      c.emit("disconnect-sockets", { to: ["kick"], close: false });
      assert.equal((await gone)[0], "io server disconnect");
      assert.equal(a.connected, true);
    });

    it("collects every answer of a broadcast with ack", async () => {
      const [a, b, c] = await three();
      for (const [i, s] of [a, b, c].entries()) s.on("poll", (ack) => ack(`answer-${i}`));
      await request(a, "join", "ack-room");
      await request(b, "join", "ack-room");
      const result = await request(c, "broadcast-with-ack", { to: ["ack-room"], event: "poll", timeout: 1000 });
      assert.equal(result.err, null);
      assert.deepEqual(result.responses.sort(), ["answer-0", "answer-1"]);
    });

    it("reports a broadcast ack timeout with the answers that came", async () => {
      const [a, b, c] = await three();
      a.on("slow-poll", (ack) => ack("quick"));
      b.on("slow-poll", () => {});
      await request(a, "join", "slow");
      await request(b, "join", "slow");
      const result = await request(c, "broadcast-with-ack", { to: ["slow"], event: "slow-poll", timeout: 200 });
      assert.equal(result.err, "operation has timed out");
      assert.deepEqual(result.responses, ["quick"]);
    });

    it("answers a broadcast with ack to nobody at once", async () => {
      const [a] = await three();
      const result = await request(a, "broadcast-with-ack", { to: ["empty-room"], event: "x", timeout: 1000 });
      assert.deepEqual(result, { err: null, responses: [] });
    });

    it("serverSideEmit on a single node reaches no other server", { skip: perNode(target, "a cluster has other servers") }, async () => {
      const [a] = await three();
      const result = await Promise.race([request(a, "server-side-emit"), sleep(500).then(() => "no answer")]);
      assert.ok(result === "no answer" || (result.err === null && result.responses.length === 0), JSON.stringify(result));
    });
  });
}
