import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedProxyTransport } from '../../src/simulator/proxy-transport.js';
import { rawExchange, upgradeRequest } from '../support/raw-http.js';

// Defect found by the reliability suite's bad-input check (forwarded through the gate): a request
// target such as `//////////` made `new URL()` throw inside the simulated proxy's request handler,
// killing its process. It now answers 404 like any other unknown path.
test('the simulated proxy answers 404 to request targets new URL() cannot parse, and keeps serving', async (t) => {
  const proxy = new SimulatedProxyTransport();
  t.after(() => proxy.destroy());
  const { port } = await proxy.listen();
  const plain = await rawExchange(port, 'GET ////////// HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.match(plain.text, /^HTTP\/1\.1 404 /);
  const upgrade = await rawExchange(port, upgradeRequest('//////////', { 'Sec-WebSocket-Protocol': 'wamp.2.json' }));
  assert.match(upgrade.text, /^HTTP\/1\.1 404 /);
  const ok = await rawExchange(port, 'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.match(ok.text, /^HTTP\/1\.1 200 /);
});
