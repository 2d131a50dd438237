import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGate } from '../support/gate.js';
import { startFoxRouter } from '../support/fox-router.js';
import { until } from '../support/wait.js';
import { wampyJoin } from '../support/wamp-clients.js';

test('HELLO peek: wampy (json) is held, then joins a real router (fox-wamp) and does register + call', async (t) => {
  const fox = await startFoxRouter({ realms: ['realm1'] });
  t.after(() => fox.close());
  const { gate, wsUrl } = await startGate(t, {
    upstream: { url: `http://127.0.0.1:${fox.port}` },
    realms: [{ name: 'realm1' }],
    realmFrom: ['hello'],
  });
  const joining = wampyJoin(`${wsUrl}/ws`, 'realm1');
  await until(() => gate.admission.depth('realm1') === 1, 'wampy to be held');
  gate.registry.sinkFor('test', 'http').snapshot({ realm1: true });
  const callee = await joining;
  t.after(() => callee.disconnect());
  await callee.register('com.example.echo', ({ argsList }) => ({ argsList: [...(argsList ?? []), 'echoed'] }));
  const caller = await wampyJoin(`${wsUrl}/ws`, 'realm1');
  t.after(() => caller.disconnect());
  const res = (await caller.call('com.example.echo', ['x'])) as { argsList: unknown[] };
  assert.deepEqual(res.argsList, ['x', 'echoed']);
  assert.equal(gate.tunnels.size, 2);
});
