import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedProxyTransport } from '../../src/simulator/proxy-transport.js';
import { startGate } from '../support/gate.js';
import { metricValue } from '../support/raw-http.js';
import { until } from '../support/wait.js';
import { autobahnRawSocketJoin, clientHandshake, RawClient, spFor } from '../support/rawsocket-clients.js';
import { encodeFrame } from '../../src/rawsocket/framing.js';
import { encodeMessage } from '../../src/wamp/serializers.js';

test('RawSocket: bad handshakes get the spec\'s error reply (or none for a wrong magic octet), bad frames a close; the gate keeps serving', async (t) => {
  const proxy = new SimulatedProxyTransport();
  t.after(() => proxy.destroy());
  const upstream = await proxy.listen();
  proxy.startRoute('realm1');
  const { port, adminUrl, gate, rawsocketPort } = await startGate(t, {
    upstream: { url: upstream.url },
    listen: { host: '127.0.0.1', port: 0, rawsocket: 0 },
    realms: [{ name: 'realm1' }],
    // A long HELLO deadline: every close below comes from the check under test, not from the timer.
    hello: { timeoutMs: 120_000, maxBytes: 4096 },
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  const dedicated = rawsocketPort!;

  async function exchange(p: number, bytes: number[] | Buffer, what: string): Promise<Buffer | undefined> {
    const c = await RawClient.connect(p);
    t.after(() => c.destroy());
    c.write(bytes);
    const reply = await c.handshakeReply();
    await c.closedP;
    assert.ok(c.closed, `${what}: closed`);
    return reply;
  }

  // Serializer 0, 4 (ubjson), 5 (flatbuffers), 15: "serializer unsupported" (E=1).
  for (const b1 of [0xf0, 0xf4, 0xf5, 0xff]) {
    assert.deepEqual([...(await exchange(port, [0x7f, b1, 0, 0], `serializer ${b1 & 15}`))!], [0x7f, 0x10, 0, 0]);
  }
  // Reserved octets set: "use of reserved bits" (E=3).
  assert.deepEqual([...(await exchange(port, [0x7f, 0xf1, 0x01, 0], 'reserved octet 3'))!], [0x7f, 0x30, 0, 0]);
  assert.deepEqual([...(await exchange(port, [0x7f, 0xf2, 0, 0x80], 'reserved octet 4'))!], [0x7f, 0x30, 0, 0]);
  // On the RawSocket-only port a wrong magic octet (here a TLS ClientHello) is not a RawSocket peer: closed, no reply.
  assert.equal(await exchange(dedicated, [0x16, 0x03, 0x01, 0x00], 'wrong magic'), undefined);

  // After a good handshake: a frame header with reserved bits, a reserved frame type.
  for (const head of [[0x08, 0, 0, 1], [0x03, 0, 0, 1], [0x80, 0, 0, 0]]) {
    const c = await RawClient.connect(port);
    t.after(() => c.destroy());
    c.write(Buffer.concat([clientHandshake('json'), Buffer.from(head), Buffer.from('x')]));
    await c.closedP;
  }

  // A 16 MiB length header sent slowly: refused on the header, nothing of it buffered.
  const slow = await RawClient.connect(port);
  t.after(() => slow.destroy());
  slow.write(clientHandshake('json'));
  await slow.handshakeReply();
  slow.write([0x00, 0xff, 0xff]);
  await new Promise((r) => setImmediate(r));
  slow.write([0xff]);
  // No payload byte is ever sent: the close can only come from the header check.
  await slow.closedP;

  // Not a HELLO: ABORT protocol_violation in the client's serializer, then close.
  const wrong = await RawClient.connect(port);
  t.after(() => wrong.destroy());
  wrong.write(Buffer.concat([clientHandshake('msgpack'), encodeFrame(0, encodeMessage(spFor('msgpack'), [48, 1, {}, 'com.x']))]));
  const abort = await wrong.nextMessage(spFor('msgpack'));
  assert.equal(abort[0], 3);
  assert.equal(abort[2], 'wamp.error.protocol_violation');
  await wrong.closedP;

  // A ping before HELLO is answered with a pong echoing its payload.
  const pinger = await RawClient.connect(port);
  t.after(() => pinger.destroy());
  pinger.write(Buffer.concat([clientHandshake('json'), encodeFrame(1, Buffer.from('are you there'))]));
  const pong = await pinger.nextFrame();
  assert.deepEqual([pong.type, pong.payload.toString()], [2, 'are you there']);
  pinger.destroy();

  // The handshake and HELLO a byte at a time: served as usual.
  const bytewise = await RawClient.connect(port);
  t.after(() => bytewise.destroy());
  const opening = Buffer.concat([clientHandshake('json'), encodeFrame(0, encodeMessage(spFor('json'), [1, 'realm1', { roles: { caller: {} } }]))]);
  for (const b of opening) {
    bytewise.write([b]);
    await new Promise((r) => setImmediate(r));
  }
  assert.equal((await bytewise.nextMessage(spFor('json')))[0], 2, 'WELCOME');
  bytewise.destroy();

  // And a real client: the gate still serves.
  const ok = await autobahnRawSocketJoin(port, 'realm1');
  assert.equal(ok.kind, 'joined');
  if (ok.kind === 'joined') ok.close();

  const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
  assert.equal(metricValue(metrics, 'realmgate_connections_total', { realm: '_unknown', outcome: 'bad_request' }), 4 + 2 + 1 + 3 + 1 + 1);
  // The closed clients' tunnels end when their sockets close (an event, not at once).
  await until(() => gate.tunnels.size === 0, 'every tunnel closed');
});

