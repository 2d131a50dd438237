import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGate } from '../support/gate.js';
import { startEchoUpstream } from '../support/upstream.js';
import { until } from '../support/wait.js';
import { connectWs } from '../support/ws-client.js';

test('past maxQueued per realm and maxQueuedTotal, clients get 503 queue_full; the held ones are admitted later', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { wsUrl, gate } = await startGate(t, {
    upstream: { url: upstream.url },
    maxQueuedTotal: 3,
    realms: [{ name: 'a', maxQueued: 2 }, { name: 'b' }],
  });
  const held = [connectWs(`${wsUrl}/?realm=a`), connectWs(`${wsUrl}/?realm=a`)];
  await until(() => gate.admission.depth('a') === 2, 'two held for a');
  const overA = await connectWs(`${wsUrl}/?realm=a`);
  assert.equal(overA.status, 503);
  assert.equal(overA.headers!['x-realmgate-reason'], 'queue_full');
  const heldB = connectWs(`${wsUrl}/?realm=b`);
  await until(() => gate.admission.total === 3, 'three held in total');
  const overTotal = await connectWs(`${wsUrl}/?realm=b`);
  assert.equal(overTotal.headers!['x-realmgate-reason'], 'queue_full', 'the total cap applies across realms');
  // Readiness arrives through a registry sink, as any source would write it.
  gate.registry.sinkFor('test', 'static').snapshot({ a: true, b: true });
  for (const r of await Promise.all([...held, heldB])) {
    assert.equal(r.kind, 'open', r.body);
    r.ws!.terminate();
  }
});
