import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGate } from '../support/gate.js';
import { startEchoUpstream } from '../support/upstream.js';
import { until } from '../support/wait.js';
import { connectWs } from '../support/ws-client.js';

test('held clients reach the upstream in arrival order, paced by releasePerSecond', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { wsUrl, gate } = await startGate(t, {
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1', releasePerSecond: 50 }],
  });
  const pending = [];
  for (let i = 0; i < 6; i++) {
    pending.push(connectWs(`${wsUrl}/ws?realm=realm1&n=${i}`));
    await until(() => gate.admission.depth('realm1') === i + 1, `client ${i} held`);
  }
  gate.registry.sinkFor('test', 'http').snapshot({ realm1: true });
  // With 50/s in 100 ms ticks, the first batch is 5: one client is still held right after.
  assert.equal(gate.admission.depth('realm1'), 1);
  const results = await Promise.all(pending);
  for (const r of results) r.ws?.terminate();
  assert.ok(results.every((r) => r.kind === 'open'));
  await until(() => upstream.upgrades.length === 6, 'all six upgrades upstream');
  assert.deepEqual(upstream.upgrades.map((u) => new URL(u.url!, 'http://x').searchParams.get('n')), ['0', '1', '2', '3', '4', '5']);
});
