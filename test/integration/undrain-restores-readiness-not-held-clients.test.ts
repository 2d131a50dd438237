import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adminPost } from '../support/admin-post.js';
import { startGate } from '../support/gate.js';
import { metricValue } from '../support/raw-http.js';
import { startEchoUpstream } from '../support/upstream.js';
import { until } from '../support/wait.js';
import { connectWs } from '../support/ws-client.js';

test('POST /undrain after /drain: readiness and admission come back, liveness said why it was out, held clients stay answered', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { adminUrl, wsUrl, gate } = await startGate(t, {
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }, { name: 'realm2', required: false }],
    readiness: { combine: 'any', sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  const held = connectWs(`${wsUrl}/?realm=realm2`);
  await until(() => gate.admission.depth('realm2') === 1, 'a held realm2 client');

  assert.equal((await adminPost(adminUrl, '/drain')).status, 202);
  const refused = await held;
  assert.equal(refused.status, 503);
  assert.equal(refused.headers!['x-realmgate-reason'], 'draining');
  const live = await fetch(`${adminUrl}/health/live`);
  assert.equal(live.status, 200, 'a drained gate is alive: a restart would cut the tunnels the drain lets finish');
  const liveBody = (await live.json()) as { status: string; draining: boolean; drainedBy: string; drainingSince: string; message: string };
  assert.equal(liveBody.status, 'ok');
  assert.equal(liveBody.draining, true);
  assert.equal(liveBody.drainedBy, 'admin');
  assert.ok(!Number.isNaN(Date.parse(liveBody.drainingSince)));
  assert.match(liveBody.message, /undrain/);
  assert.equal((await fetch(`${adminUrl}/health/ready`)).status, 503);
  assert.equal((await connectWs(`${wsUrl}/?realm=realm1`)).status, 503, 'new clients refused while drained');

  const undrain = await adminPost(adminUrl, '/undrain');
  assert.equal(undrain.status, 200);
  assert.deepEqual(undrain.body, { draining: false });
  assert.equal((await adminPost(adminUrl, '/undrain')).status, 200, 'idempotent');
  const ready = await fetch(`${adminUrl}/health/ready`);
  assert.equal(ready.status, 200);
  assert.equal(((await ready.json()) as { draining: boolean }).draining, false);
  assert.deepEqual(await (await fetch(`${adminUrl}/health/live`)).json(), { status: 'ok' });
  assert.equal(metricValue(await (await fetch(`${adminUrl}/metrics`)).text(), 'realmgate_draining'), 0);
  const admitted = await connectWs(`${wsUrl}/?realm=realm1`);
  assert.equal(admitted.kind, 'open', 'new clients admitted again');
  admitted.ws!.terminate();
  assert.equal(gate.admission.depth('realm2'), 0, 'the client answered "draining" is not brought back');
  const heldAgain = connectWs(`${wsUrl}/?realm=realm2`);
  await until(() => gate.admission.depth('realm2') === 1, 'a new realm2 client is held again, not refused');
  gate.registry.sinkFor('test', 'http').snapshot({ realm2: true });
  const released = await heldAgain;
  assert.equal(released.kind, 'open');
  released.ws!.terminate();
});
