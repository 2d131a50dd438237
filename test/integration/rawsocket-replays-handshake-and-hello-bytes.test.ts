import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startGate } from '../support/gate.js';
import { clientHandshake, RawClient, spFor } from '../support/rawsocket-clients.js';
import { encodeFrame } from '../../src/rawsocket/framing.js';
import { encodeMessage } from '../../src/wamp/serializers.js';

/**
 * A RawSocket upstream that records what it receives and answers the handshake with `reply`,
 * then WELCOME; it echoes every later byte back.
 */
async function recordingUpstream(t: import('node:test').TestContext, reply: (hs: Buffer) => Buffer) {
  const received: Buffer[] = [];
  const server = net.createServer((s) => {
    s.on('error', () => {});
    let got = Buffer.alloc(0);
    let welcomed = false;
    s.on('data', (chunk: Buffer) => {
      received.push(chunk);
      got = Buffer.concat([got, chunk]);
      if (got.length === chunk.length && got.length >= 4) s.write(reply(got.subarray(0, 4)));
      if (!welcomed && got.length >= 8 && got.length >= 8 + got.readUIntBE(5, 3)) {
        welcomed = true;
        const sp = spFor((['', 'json', 'msgpack', 'cbor'] as const)[got[1]! & 15] as 'json');
        s.write(encodeFrame(0, encodeMessage(sp, [2, 4242, { realm: 'realm1', roles: { broker: {} } }])));
        const rest = got.subarray(8 + got.readUIntBE(5, 3));
        if (rest.length > 0) s.write(rest);
      } else if (welcomed && chunk.length > 0 && got.length > chunk.length) {
        s.write(chunk);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  return { port: (server.address() as net.AddressInfo).port, received: () => Buffer.concat(received) };
}

test('RawSocket admission: the upstream gets the client\'s own handshake (its max length kept) and HELLO bytes; frames sent while held follow; pings stay with the gate', async (t) => {
  const up = await recordingUpstream(t, (hs) => Buffer.from([0x7f, 0xf0 | (hs[1]! & 15), 0, 0]));
  const { gate, port } = await startGate(t, {
    upstream: { url: 'http://127.0.0.1:1', rawsocketUrl: `tcp://127.0.0.1:${up.port}` },
    realms: [{ name: 'realm1' }],
  });
  const sp = spFor('msgpack');
  const c = await RawClient.connect(port);
  t.after(() => c.destroy());
  // L = 0: the client accepts at most 512-byte messages from anyone.
  const handshake = clientHandshake('msgpack', 0);
  const hello = encodeFrame(0, encodeMessage(sp, [1, 'realm1', { roles: { subscriber: {} } }]));
  const early = encodeFrame(0, encodeMessage(sp, [32, 1, {}, 'com.example.topic']));
  c.write(handshake);
  assert.deepEqual([...(await c.handshakeReply())!], [0x7f, 0xf2, 0, 0]);
  c.write(hello);
  c.write(encodeFrame(1, Buffer.from('ping while held')));
  c.write(early);
  const pong = await c.nextFrame();
  assert.equal(pong.type, 2);
  assert.equal(gate.admission.depth('realm1'), 1);

  gate.registry.sinkFor('test', 'http').snapshot({ realm1: true });
  const welcome = await c.nextMessage(sp);
  assert.deepEqual(welcome.slice(0, 2), [2, 4242], 'the upstream\'s WELCOME (and not its handshake reply) reaches the client');
  // The upstream echoes what follows the HELLO: the SUBSCRIBE sent while held, and nothing else.
  assert.deepEqual(await c.nextMessage(sp), [32, 1, {}, 'com.example.topic']);
  assert.deepEqual(up.received(), Buffer.concat([handshake, hello, early]), 'byte for byte: handshake, HELLO, held frames; the ping was not forwarded');
  assert.equal(gate.tunnels.size, 1);
});

test('RawSocket admission: an upstream that refuses the handshake (error reply) closes the client, outcome upstream_error', async (t) => {
  const up = await recordingUpstream(t, () => Buffer.from([0x7f, 0x40, 0, 0]));
  const { gate, port, adminUrl, logs } = await startGate(t, {
    upstream: { url: 'http://127.0.0.1:1', rawsocketUrl: `tcp://127.0.0.1:${up.port}` },
    realms: [{ name: 'realm1' }],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  const c = await RawClient.connect(port);
  t.after(() => c.destroy());
  c.write(clientHandshake('json'));
  c.hello(spFor('json'), 'realm1');
  await c.closedP;
  const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
  assert.match(metrics, /realmgate_connections_total\{realm="realm1",outcome="upstream_error"\} 1/);
  assert.ok(logs.some((l) => /upstream unavailable/.test(l.msg) && /maximum connection count/.test(String(l.err))), 'the log says why');
  assert.equal(gate.tunnels.size + gate.tunnels.connecting, 0);
});
