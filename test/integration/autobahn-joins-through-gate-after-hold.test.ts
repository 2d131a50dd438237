import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedProxyTransport } from '../../src/simulator/proxy-transport.js';
import { startControlPlane } from '../support/upstream.js';
import { startGate } from '../support/gate.js';
import { until } from '../support/wait.js';
import { autobahnJoin, JoinRefused } from '../support/wamp-clients.js';

test('autobahn-js with ?realm= is held while routes are missing, then joins and calls through the gate', async (t) => {
  const proxy = new SimulatedProxyTransport();
  t.after(() => proxy.destroy());
  const upstream = await proxy.listen();
  const cp = await startControlPlane(t, { realm1: false });
  const { gate, wsUrl } = await startGate(t, {
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }],
    readiness: { sources: [{ type: 'http', url: cp.url, intervalMs: 20 }] },
  });

  // Direct to the upstream, the race is visible: Crossbar's refusal.
  await assert.rejects(autobahnJoin(upstream.wsUrl, 'realm1'), (err: JoinRefused) => err.reason === 'wamp.error.no_such_realm');

  const joining = autobahnJoin(`${wsUrl}/ws?realm=realm1`, 'realm1');
  await until(() => gate.admission.depth('realm1') === 1, 'autobahn to be held');
  proxy.startRoute('realm1');
  cp.set({ realm1: true });
  const { session, close } = await joining;
  t.after(close);
  await session.register('com.example.add', (args: unknown[]) => (args[0] as number) + (args[1] as number));
  const result = await session.call('com.example.add', [2, 3]);
  assert.equal(result, 5);
  assert.equal(proxy.stats().refusals, 1, 'only the direct client was refused');
});
