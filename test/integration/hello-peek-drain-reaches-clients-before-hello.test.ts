import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { startGate } from '../support/gate.js';
import { metricValue } from '../support/raw-http.js';
import { startEchoUpstream } from '../support/upstream.js';
import { until } from '../support/wait.js';

test('POST /drain answers a HELLO-peek client that has not sent its HELLO yet: close 1001, counted draining', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { wsUrl, adminUrl, gate } = await startGate(t, {
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }],
    realmFrom: ['hello'],
  });
  const ws = new WebSocket(`${wsUrl}/ws`, ['wamp.2.json'], { perMessageDeflate: false });
  t.after(() => ws.terminate());
  await new Promise((r) => ws.once('open', r));
  const closed = new Promise<{ code: number; reason: string }>((r) => ws.once('close', (code, reason) => r({ code, reason: reason.toString() })));
  await fetch(`${adminUrl}/drain`, { method: 'POST' });
  assert.deepEqual(await closed, { code: 1001, reason: 'realmgate is draining' });
  await until(async () => metricValue(await (await fetch(`${adminUrl}/metrics`)).text(), 'realmgate_connections_total', { realm: '_unknown', outcome: 'draining' }) === 1, 'the draining outcome');
  assert.equal(gate.admission.total, 0);
});
