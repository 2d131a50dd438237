// With two proxy workers sharing the port and a route only on worker 0, connections alternate
// between workers (as SO_REUSEPORT spreads them), so every second connection is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedProxyTransport } from '../../src/simulator/proxy-transport.js';
import { autobahnJoin, JoinRefused, rawHello } from '../support/wamp-clients.js';

test('workers: 2 with a route only on worker 0 refuses every second connection', async (t) => {
  const proxy = new SimulatedProxyTransport({ workers: 2, webclusterOid8: 'abcdef01' });
  t.after(() => proxy.destroy());
  const { wsUrl } = await proxy.listen();
  proxy.startRoute('realm1', 0);
  assert.deepEqual(proxy.routes(0), ['realm1']);
  assert.deepEqual(proxy.routes(1), []);

  const outcomes: string[] = [];
  for (let i = 0; i < 6; i++) {
    try {
      const joined = await autobahnJoin(wsUrl, 'realm1', i % 3 === 0 ? 'json' : i % 3 === 1 ? 'msgpack' : 'cbor');
      const extra = joined.details['authextra'] as Record<string, unknown>;
      outcomes.push(`welcome ${String(extra['x_cb_proxy_worker'])}`);
      joined.close();
    } catch (err) {
      assert.ok(err instanceof JoinRefused, String(err));
      outcomes.push(`refused ${err.reason}`);
    }
  }
  assert.deepEqual(outcomes, [
    'welcome cpw-abcdef01-0', 'refused wamp.error.no_such_realm',
    'welcome cpw-abcdef01-0', 'refused wamp.error.no_such_realm',
    'welcome cpw-abcdef01-0', 'refused wamp.error.no_such_realm',
  ]);
  assert.deepEqual(proxy.stats(), { connections: 6, welcomes: 3, refusals: 3 });

  // Once worker 1 has the route too, nothing is refused; stopRoute takes it away again.
  proxy.startRoute('realm1', 1);
  for (let i = 0; i < 2; i++) (await autobahnJoin(wsUrl, 'realm1')).close();
  proxy.stopRoute('realm1');
  const { reply, ws } = await rawHello(wsUrl, 'wamp.2.json', 'realm1');
  t.after(() => ws.terminate());
  assert.equal(reply[2], 'wamp.error.no_such_realm');
});
