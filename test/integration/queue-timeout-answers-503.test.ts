import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGate } from '../support/gate.js';
import { metricValue } from '../support/raw-http.js';
import { startEchoUpstream } from '../support/upstream.js';
import { connectWs } from '../support/ws-client.js';

test('a client held past queueTimeoutMs gets 503 queue_timeout with Retry-After', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { wsUrl, adminUrl, gate } = await startGate(t, {
    upstream: { url: upstream.url },
    defaults: { queueTimeoutMs: 150, retryAfterSeconds: 3 },
    realms: [{ name: 'realm1' }],
  });
  const res = await connectWs(`${wsUrl}/ws?realm=realm1`);
  assert.equal(res.kind, 'refused');
  assert.equal(res.status, 503);
  assert.equal(res.headers!['x-realmgate-reason'], 'queue_timeout');
  assert.equal(res.headers!['retry-after'], '3');
  assert.equal(JSON.parse(res.body!).error, 'queue_timeout');
  assert.equal(gate.admission.total, 0);
  const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
  assert.equal(metricValue(metrics, 'realmgate_connections_total', { realm: 'realm1', outcome: 'queue_timeout' }), 1);
  assert.equal(metricValue(metrics, 'realmgate_queue_wait_seconds_count', { realm: 'realm1' }), 1);
  assert.equal(upstream.upgrades.length, 0);
});
