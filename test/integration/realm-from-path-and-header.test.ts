import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGate } from '../support/gate.js';
import { startEchoUpstream } from '../support/upstream.js';
import { until } from '../support/wait.js';
import { connectWs } from '../support/ws-client.js';

test('the realm comes from a configured path, then the X-Wamp-Realm header, in realmFrom order', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { wsUrl, gate } = await startGate(t, {
    upstream: { url: upstream.url },
    realmFrom: ['path', 'header'],
    realms: [{ name: 'realm1', paths: ['/ws/realm1'] }, { name: 'realm2' }],
  });
  const byPath = connectWs(`${wsUrl}/ws/realm1/`);
  await until(() => gate.admission.depth('realm1') === 1, 'held by path (trailing slash ignored)');
  const byHeader = connectWs(`${wsUrl}/ws`, undefined, { headers: { 'X-Wamp-Realm': 'realm2' } });
  await until(() => gate.admission.depth('realm2') === 1, 'held by header');
  const bad = await connectWs(`${wsUrl}/ws`, undefined, { headers: { 'X-Wamp-Realm': 'bad realm' } });
  assert.equal(bad.status, 400, 'an invalid realm name is a bad request');
  gate.registry.sinkFor('test', 'http').snapshot({ realm1: true, realm2: true });
  for (const r of await Promise.all([byPath, byHeader])) {
    assert.equal(r.kind, 'open');
    r.ws!.terminate();
  }
  assert.deepEqual(upstream.upgrades.map((u) => u.url).sort(), ['/ws', '/ws/realm1/']);
});
