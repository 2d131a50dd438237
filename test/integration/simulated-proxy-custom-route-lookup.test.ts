// A custom hasRoute callback decides per realm and per worker (connection i → worker i % workers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedProxyTransport } from '../../src/simulator/proxy-transport.js';
import { rawHello } from '../support/wamp-clients.js';

test('a custom hasRoute decides per realm and worker', async (t) => {
  const seen: Array<[string, number]> = [];
  const proxy = new SimulatedProxyTransport({ workers: 3, hasRoute: (realm, worker) => { seen.push([realm, worker]); return worker === 2; } });
  t.after(() => proxy.destroy());
  const { wsUrl } = await proxy.listen();
  const replies: unknown[] = [];
  for (let i = 0; i < 3; i++) {
    const { reply, ws } = await rawHello(wsUrl, 'wamp.2.cbor', 'app.realm');
    t.after(() => ws.terminate());
    replies.push(reply[0]);
  }
  assert.deepEqual(replies, [3, 3, 2]);
  assert.deepEqual(seen, [['app.realm', 0], ['app.realm', 1], ['app.realm', 2]]);
});
