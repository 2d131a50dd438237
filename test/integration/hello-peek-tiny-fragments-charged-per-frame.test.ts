import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FRAME_OVERHEAD_BYTES } from '../../src/proxy/peeked-client.js';
import { BUFFERED_BYTE_WEIGHT } from '../../src/proxy/budget.js';
import { encodeFrame, Opcode } from '../../src/wamp/ws-frames.js';
import { startGate } from '../support/gate.js';
import { metricValue } from '../support/raw-http.js';
import { openPeekClient, serverClose } from '../support/peek-client.js';
import { startEchoUpstream } from '../support/upstream.js';
import { until } from '../support/wait.js';

const frag = (opcode: number, byte: string, fin = false) => encodeFrame(opcode, Buffer.from(byte), { mask: true, fin });

test('one-byte fragments are charged per frame, not per wire byte, and cut at the per-connection cap', async (t) => {
  const upstream = await startEchoUpstream(t);
  const overhead = 4096;
  const g = await startGate(t, {
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }],
    realmFrom: ['hello'],
    limits: { connectionOverheadBytes: overhead },
  });
  const c = await openPeekClient(g.port);
  t.after(() => c.sock.destroy());
  const start = g.gate.budget.bytes;
  // 500 one-byte fragments: 3,500 wire bytes, but 500 frames.
  const frames = [frag(Opcode.TEXT, '[')];
  for (let i = 1; i < 500; i++) frames.push(frag(Opcode.CONTINUATION, ' '));
  const wire = Buffer.concat(frames);
  c.sock.write(wire);
  await until(() => g.gate.budget.bytes >= start + (wire.length + 500 * FRAME_OVERHEAD_BYTES) * BUFFERED_BYTE_WEIGHT, 'every frame charged with its overhead');
  assert.equal(g.gate.budget.bytes, start + (wire.length + 500 * FRAME_OVERHEAD_BYTES) * BUFFERED_BYTE_WEIGHT);

  // Keep going: the default hello.maxBytes (65,536) allows 2 × 65,536 + 1,024 of cost per connection,
  // which one-byte fragments reach after ~1,860 frames (13 KB on the wire), not after 130 KB.
  const more: Buffer[] = [];
  for (let i = 0; i < 3000; i++) more.push(frag(Opcode.CONTINUATION, ' '));
  c.sock.write(Buffer.concat(more));
  await c.closed;
  const cc = serverClose(c.received);
  assert.equal(cc?.code, 1009);
  assert.match(cc!.reason, /too much data before admission/);
  await until(() => g.gate.budget.bytes === 0 && g.gate.pending.size === 0, 'charge returned');
  const metrics = await (await fetch(`${g.adminUrl}/metrics`)).text();
  assert.equal(metricValue(metrics, 'realmgate_connections_total', { realm: '_unknown', outcome: 'bad_request' }), 1);
});

test('a HELLO in one-byte fragments, fed one byte per write, is still read and held', async (t) => {
  const upstream = await startEchoUpstream(t);
  const g = await startGate(t, { upstream: { url: upstream.url }, realms: [{ name: 'realm1' }], realmFrom: ['hello'] });
  const c = await openPeekClient(g.port);
  t.after(() => c.sock.destroy());
  const text = '[1, "realm1", {}]';
  const wire = Buffer.concat([...text].map((ch, i) => frag(i === 0 ? Opcode.TEXT : Opcode.CONTINUATION, ch, i === text.length - 1)));
  for (const b of wire) c.sock.write(Buffer.from([b]));
  await until(() => g.gate.admission.depth('realm1') === 1, 'held');
});
