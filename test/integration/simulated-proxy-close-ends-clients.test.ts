// close() on the simulated proxy is idempotent and ends open client sockets with 1001 (going away).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { SimulatedProxyTransport } from '../../src/simulator/proxy-transport.js';

test('close() is idempotent and ends open client sockets with 1001', async (t) => {
  const proxy = new SimulatedProxyTransport();
  t.after(() => proxy.destroy());
  const { wsUrl } = await proxy.listen();
  const ws = new WebSocket(wsUrl, ['wamp.2.json']);
  await new Promise((resolve) => ws.once('open', resolve));
  const closed = new Promise<number>((resolve) => ws.once('close', resolve));
  await Promise.all([proxy.close(), proxy.close()]);
  await proxy.close();
  assert.equal(await closed, 1001);
  proxy.destroy();
});
