import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGate } from '../support/gate.js';
import { metricValue } from '../support/raw-http.js';
import { startEchoUpstream } from '../support/upstream.js';
import { until } from '../support/wait.js';
import { connectWs } from '../support/ws-client.js';

test('health, per-realm health, status and metrics follow the registry; /drain turns readiness off', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { adminUrl, wsUrl, gate, httpUrl } = await startGate(t, {
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }, { name: 'optional', required: false }],
  });
  const get = async (path: string) => {
    const res = await fetch(`${adminUrl}${path}`);
    return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text() } as { status: number; body: any };
  };
  assert.deepEqual(await get('/health/live'), { status: 200, body: { status: 'ok' } });
  let ready = await get('/health/ready');
  assert.equal(ready.status, 503);
  assert.equal(ready.body.ready, false);
  assert.equal(ready.body.draining, false);
  assert.equal(ready.body.realms.realm1.ready, false);

  const held = connectWs(`${wsUrl}/?realm=realm1`);
  await until(() => gate.admission.depth('realm1') === 1, 'a held client');
  assert.equal((await get('/health/ready')).body.realms.realm1.queued, 1);
  assert.equal((await get('/status')).body.queues.total, 1);

  gate.registry.sinkFor('test', 'http').snapshot({ realm1: true });
  (await held).ws!.terminate();
  ready = await get('/health/ready');
  assert.equal(ready.status, 200, 'optional realms do not count');
  assert.equal(ready.body.realms.realm1.ready, true);
  assert.equal(ready.body.realms.realm1.source, 'test');
  assert.ok(!Number.isNaN(Date.parse(ready.body.realms.realm1.since)));
  assert.equal((await get('/health/ready/realm1')).status, 200);
  assert.equal((await get('/health/ready/optional')).status, 503);
  assert.equal((await get('/health/ready/nope')).status, 404);

  const status = (await get('/status')).body;
  assert.deepEqual(status.sources.map((s: { name: string }) => s.name).sort(), ['static', 'test']);
  assert.ok('lastSuccess' in status.sources[0] && 'lastError' in status.sources[0]);
  assert.ok('tunnels' in status && 'draining' in status && 'realms' in status);

  const metrics = (await get('/metrics')).body as string;
  for (const name of ['realmgate_realm_ready', 'realmgate_queue_depth', 'realmgate_queue_wait_seconds_bucket', 'realmgate_connections_total',
    'realmgate_tunnels_active', 'realmgate_source_up', 'realmgate_source_polls_total', 'realmgate_source_last_success_timestamp_seconds',
    'realmgate_draining', 'process_cpu_seconds_total', 'realmgate_queue_capacity']) {
    assert.match(metrics, new RegExp(`^${name}`, 'm'), name);
  }
  assert.equal(metricValue(metrics, 'realmgate_realm_ready', { realm: 'realm1' }), 1);
  assert.equal(metricValue(metrics, 'realmgate_realm_ready', { realm: 'optional' }), 0);
  assert.equal(metricValue(metrics, 'realmgate_source_up', { source: 'test' }), 1);
  assert.equal(metricValue(metrics, 'realmgate_connections_total', { realm: 'realm1', outcome: 'forwarded_after_wait' }), 1);
  assert.equal(metricValue(metrics, 'realmgate_draining'), 0);

  const drain = await fetch(`${adminUrl}/drain`, { method: 'POST' });
  assert.equal(drain.status, 202);
  ready = await get('/health/ready');
  assert.equal(ready.status, 503);
  assert.equal(ready.body.draining, true);
  assert.equal((await get('/health/ready/realm1')).status, 503);
  const refused = await connectWs(`${wsUrl}/?realm=realm1`);
  assert.equal(refused.status, 503);
  assert.equal(refused.headers!['x-realmgate-reason'], 'draining');
  assert.equal(metricValue((await get('/metrics')).body, 'realmgate_draining'), 1);
  assert.equal((await fetch(`${httpUrl}/`)).status, 200, 'plain HTTP is still forwarded while draining');
});
