import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { setImmediate as tick } from 'node:timers/promises';
import { startGate } from '../support/gate.js';

test('with RawSocket sniffing in front, HTTP connections are still tracked by node:http: destroy() cuts one mid-request', async (t) => {
  const { gate, port } = await startGate(t, { upstream: { url: 'http://127.0.0.1:1' } });
  // A request head that never ends: node:http holds it, and cuts it on destroy() only if its tracking runs
  // (it starts on the http.Server's own 'listening', which the first-byte listener has to stand in for).
  const s = net.connect({ port, host: '127.0.0.1' });
  t.after(() => s.destroy());
  s.on('error', () => {});
  await new Promise<void>((r) => s.once('connect', () => r()));
  s.write('GET / HTTP/1.1\r\nHost: x\r\n');
  // No event tells that the bytes reached the parser; a few loop turns let the loopback write land.
  for (let i = 0; i < 20; i++) await tick();
  const closed = new Promise<void>((r) => s.once('close', () => r()));
  gate.destroy();
  await closed;
  assert.ok(s.destroyed);
});
