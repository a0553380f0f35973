// RabbitMQ ingestion (issue 14), routing: every default rule (seed 002's
// handlers) reaches exactly the right tabs with the right event and payload
// and nobody else; a custom [[route]] from the --config TOML file; malformed
// JSON and an unroutable key go to the dead-letter queue and the consumer goes
// on. One private rabbitmq-server for the file (lib/rabbitmq.js).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import jwt from "jsonwebtoken";
import { io } from "socket.io-client";
import { startServer, until, sleep } from "../lib/server.js";
import { connected } from "../lib/targets.js";
import { startRabbit } from "../lib/rabbitmq.js";
import { scrape, value, assertPromtoolAccepts } from "../lib/metrics.js";

const SECRET = "ingest-test-secret";
const token = (claims) => jwt.sign(claims, SECRET, { algorithm: "HS256", expiresIn: "1h" });

async function health(server) {
  const res = await fetch(`${server.url}/health`);
  return res.json();
}

describe("RabbitMQ ingestion: routes", () => {
  let rmq, server, ch, dir;
  const tabs = {}; // name -> socket
  const got = {}; // name -> [[event, payload], ...]

  const open = async (name, claims) => {
    const s = io(server.url, {
      forceNew: true,
      reconnection: false,
      transports: ["websocket"],
      auth: { token: token(claims) },
    });
    got[name] = [];
    s.onAny((event, payload) => {
      if (event !== "connected" && event !== "user:status") got[name].push([event, payload]);
    });
    tabs[name] = s;
    await connected(s);
    return s;
  };

  const publish = (key, body, exchange = "events") =>
    ch.publish(exchange, key, Buffer.from(typeof body === "string" ? body : JSON.stringify(body)), {
      persistent: true,
      contentType: "application/json",
    });

  // Publishes one message and checks that each tab gets exactly `expected[tab]`
  // (events in any order) and the other tabs nothing.
  async function expectRouted(key, body, expected) {
    for (const name of Object.keys(got)) got[name].length = 0;
    publish(key, body);
    const want = (name) => (expected[name] || []).map((e) => (Array.isArray(e) ? e : [e, body]));
    await until(
      () => Object.keys(got).every((name) => got[name].length >= want(name).length),
      5000,
      `the emits of ${key}`,
    );
    await sleep(250); // anything extra would arrive by now
    const sort = (list) => [...list].sort((a, b) => a[0].localeCompare(b[0]));
    for (const name of Object.keys(got))
      assert.deepEqual(sort(got[name]), sort(want(name)), `${key}: what ${name} received`);
  }

  before(async () => {
    rmq = await startRabbit();
    console.log(`# rabbitmq-server started in ${rmq.startupMs} ms`);
    ch = await rmq.channel();
    // The dead-letter exchange and queue exist before the daemon declares its
    // queue with x-dead-letter-exchange.
    await ch.assertExchange("events.dlx", "fanout", { durable: true });
    await ch.assertQueue("dead", { durable: true });
    await ch.bindQueue("dead", "events.dlx", "");
    await ch.assertExchange("events", "topic", { durable: true });

    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sb-ingest-"));
    const config = path.join(dir, "switchboard.toml");
    fs.writeFileSync(
      config,
      [
        'log-level = "info"',
        'room-templates = "company:{companyId},shop:{shopIds}"',
        "",
        "[[route]]",
        'name = "shop.opened"',
        'pattern = "shop.opened"',
        'event = "shop:opened"',
        'to = ["shop:{shopId}"]',
        'payload = "data"',
        "",
      ].join("\n"),
    );
    server = await startServer("switchboard", ["--threads", "2", "--config", config], {
      env: {
        JWT_SECRET: SECRET,
        RABBITMQ_URL: rmq.url,
        RABBITMQ_DEAD_LETTER_EXCHANGE: "events.dlx",
      },
    });
    await until(async () => (await health(server)).ingest.state === "consuming", 10000, "the consumer");

    // alice has two tabs; carol watches order o1, product p1 and transfer t1.
    await open("alice1", { sub: "u1", companyId: "co1", shopIds: ["s1"] });
    await open("alice2", { sub: "u1", companyId: "co1", shopIds: ["s1"] });
    await open("bob", { sub: "u2", companyId: "co2", shopIds: ["s2"] });
    const carol = await open("carol", { sub: "u3" });
    await carol.timeout(3000).emitWithAck("subscribe_order", "o1");
    await carol.timeout(3000).emitWithAck("subscribe_inventory", "p1");
    await carol.timeout(3000).emitWithAck("join_room", "transfer:t1");
  });

  after(async () => {
    for (const s of Object.values(tabs)) s.disconnect();
    if (server) await server.stop();
    if (rmq) await rmq.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("order.created: the customer, the company, the shop and the order room", async () => {
    const alice = ["order:status_updated", "order:new_order", "order:shop_order"];
    await expectRouted(
      "order.created",
      { orderId: "o1", orderNumber: "ORD-1", customerId: "u1", companyId: "co1", shopId: "s1", status: "created" },
      { alice1: alice, alice2: alice, carol: ["order:update"] },
    );
  });

  it("order.shipped: status to the customer, update to the order room", async () => {
    await expectRouted(
      "order.shipped",
      { orderId: "o1", customerId: "u2", status: "shipped", message: "Your order #ORD-1 is now shipped" },
      { bob: ["order:status_updated"], carol: ["order:update"] },
    );
  });

  it("payment.success: payment:status_updated to the customer, payment:update to the order room", async () => {
    await expectRouted(
      "payment.success",
      { paymentId: "pa1", orderId: "o1", customerId: "u1", status: "paid" },
      { alice1: ["payment:status_updated"], alice2: ["payment:status_updated"], carol: ["payment:update"] },
    );
  });

  it("inventory.updated: company, shop and product subscribers", async () => {
    await expectRouted(
      "inventory.updated",
      { productId: "p1", quantity: 7, companyId: "co2", shopId: "s2" },
      { bob: ["inventory:updated", "inventory:shop_update"], carol: ["inventory:stock_changed"] },
    );
  });

  it("inventory.low_stock: the alert to company and shop (once per tab), inventory:alert to all", async () => {
    const alice = ["inventory:low_stock_alert", "inventory:alert"];
    await expectRouted(
      "inventory.low_stock",
      { productId: "p1", productName: "iPhone 15", quantity: 5, threshold: 10, severity: "warning",
        companyId: "co1", shopId: "s1" },
      { alice1: alice, alice2: alice, bob: ["inventory:alert"], carol: ["inventory:alert"] },
    );
  });

  it("inventory.out_of_stock is a low stock alert too", async () => {
    await expectRouted(
      "inventory.out_of_stock",
      { productId: "p9", quantity: 0, companyId: "co2" },
      { alice1: ["inventory:alert"], alice2: ["inventory:alert"], bob: ["inventory:low_stock_alert", "inventory:alert"],
        carol: ["inventory:alert"] },
    );
  });

  it("a stock transfer: transfer:status_update to the transfer room", async () => {
    await expectRouted("inventory.transfer_completed", { transferId: "t1", status: "completed" }, {
      carol: ["transfer:status_update"],
    });
  });

  it("notifications: notification:new to the user, notification:broadcast and announcement:new to all", async () => {
    await expectRouted("notification.created", { userId: "u2", type: "info", subject: "Hi", content: "x" }, {
      bob: ["notification:new"],
    });
    const all = (e) => ({ alice1: [e], alice2: [e], bob: [e], carol: [e] });
    await expectRouted("notification.broadcast", { type: "info", content: "to all" }, all("notification:broadcast"));
    await expectRouted(
      "notification.announcement",
      { type: "info", priority: "high", subject: "System Maintenance", content: "Tonight at 2 AM" },
      all("announcement:new"),
    );
  });

  it("determineEventType picks the handler when the key does not say", async () => {
    await expectRouted("company.event", { orderId: "o1", customerId: "u2" }, {
      bob: ["order:status_updated"],
      carol: ["order:update"],
    });
    await expectRouted("product.updated", { productId: "p1", quantity: 3 }, { carol: ["inventory:stock_changed"] });
  });

  it("a custom [[route]] of the --config file, with a payload field", async () => {
    await expectRouted("shop.opened", { shopId: "s2", data: { opens: "09:00" } }, {
      bob: [["shop:opened", { opens: "09:00" }]],
    });
  });

  it("malformed JSON and an unroutable key go to the dead-letter queue; the consumer goes on", async () => {
    const before = (await health(server)).ingest;
    await expectRouted("order.created", "{not json", {});
    await expectRouted("user.logged_in", { secretField: "do-not-log-me" }, {});
    const dead = [];
    await until(async () => {
      const m = await ch.get("dead", { noAck: true });
      if (m) dead.push([m.fields.routingKey, m.content.toString()]);
      return dead.length >= 2;
    }, 5000, "two dead letters");
    assert.deepEqual(dead.sort(), [["order.created", "{not json"], ["user.logged_in", '{"secretField":"do-not-log-me"}']]);
    // The consumer goes on.
    await expectRouted("notification.created", { userId: "u3", content: "still here" }, { carol: ["notification:new"] });
    const after = (await health(server)).ingest;
    assert.equal(after.state, "consuming");
    // /metrics says the same (loopback: no API key is configured here).
    const { text } = await scrape(server.port);
    assertPromtoolAccepts(text);
    assert.equal(value(text, 'switchboard_ingest_consumer_state{state="consuming"}'), 1);
    assert.equal(value(text, 'switchboard_ingest_rejected_total{cause="not_json"}'), after.rejected.notJson);
    assert.equal(value(text, 'switchboard_ingest_rejected_total{cause="unroutable"}'), after.rejected.unroutable);
    assert.equal(value(text, "switchboard_ingest_routed_total"), after.routed);
    assert.equal(after.rejected.notJson - before.rejected.notJson, 1);
    assert.equal(after.rejected.unroutable - before.rejected.unroutable, 1);
    assert.equal(after.routed - before.routed, 1);
    assert.equal(after.received - before.received, 3);
    // Logged with the routing key, never the payload (at info level).
    await server.output(/user\.logged_in/);
    assert.ok(!server.stdout().includes("do-not-log-me"), "no payload in the logs");
    assert.ok(!server.stdout().includes("{not json"), "no payload in the logs");
  });
});
