// A real socket.io-client against a program of tests/package/: asserts the
// connection, RealtimeService's "connected" event and one event with an ack
// there and back, over polling and then WebSocket. Usage: node client.js PORT
'use strict';
const path = require('node:path');
const assert = require('node:assert/strict');
const { io } = require(path.join(__dirname, '../e2e/node_modules/socket.io-client'));

const port = Number(process.argv[2]);
const fail = (message) => {
  console.error(`client: FAILED: ${message}`);
  process.exit(1);
};
const timer = setTimeout(() => fail('no answer within 10 s'), 10_000);

async function session(transports) {
  const socket = io(`http://127.0.0.1:${port}`, { transports, reconnection: false, forceNew: true });
  socket.on('connect_error', (e) => fail(`connect_error ${e.message}`));
  const welcome = await new Promise((resolve) => socket.once('connected', resolve));
  assert.equal(welcome.socketId, socket.id, '"connected" names the socket');
  const payload = { n: 42, text: 'héllo', list: [1, 'two', null] };
  const reply = await socket.timeout(5000).emitWithAck('echo', payload);
  assert.deepEqual(reply, payload, 'the ack carries the event back');
  const transport = socket.io.engine.transport.name;
  socket.close();
  return transport;
}

(async () => {
  for (const transports of [['polling'], ['websocket']]) {
    const used = await session(transports);
    assert.equal(used, transports[0]);
    console.log(`client: ${used}: connected, "connected" event, echo and its ack`);
  }
  clearTimeout(timer);
})().catch((e) => fail(e.stack || e));
