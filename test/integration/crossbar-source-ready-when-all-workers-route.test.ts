import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCrossbarSource } from '../../src/readiness/crossbar-source.js';
import { crossbarConfig, RecordingSink, sourceContext, startMaster, WORKERS } from '../support/master-fixture.js';

test('a realm is ready only when every started worker of the node has its route', async (t) => {
  const { master, key, url } = await startMaster(t);
  const env = { RG_KEY: key.seedHex };
  const src = createCrossbarSource(crossbarConfig(url, 'RG_KEY', { pollIntervalMs: 50, subscribe: false }), sourceContext(), { env });
  t.after(() => src.destroy());
  const sink = new RecordingSink();
  src.start(sink);

  await sink.waitFor((s) => s.up, 'first snapshot');
  assert.deepEqual(sink.state, { realm1: false, realm2: false }, 'discovered arealms start not ready');
  assert.deepEqual(sink.calls.find((c) => c.kind === 'discover'), sink.calls.find((c) => c.kind === 'discover' && c.realms.join() === 'realm1,realm2'));

  master.startRoute('node1', WORKERS[0], 'realm1');
  // Another node's worker having the route does not count for this node.
  master.startRoute('node2', 'cpw-9fbe067c-0', 'realm1');
  // Several more polls go by with only one of the two workers routed: still not ready.
  const pollsBefore = master.calls.filter((c) => c.endsWith('get_proxy_routes')).length;
  await sink.waitFor(() => master.calls.filter((c) => c.endsWith('get_proxy_routes')).length >= pollsBefore + 6, 'three more polls');
  assert.equal(sink.ready('realm1'), false, 'one of two workers routed must not be ready');
  assert.equal(sink.calls.some((c) => c.kind === 'snapshot' && c.realms.realm1 === true), false);

  master.startRoute('node1', WORKERS[1], 'realm1');
  await sink.waitFor((s) => s.ready('realm1'), 'realm1 ready after both workers routed');
  assert.equal(sink.ready('realm2'), false);

  // A worker that is not started does not hold readiness back...
  master.startRoute('node1', WORKERS[0], 'realm2');
  master.setWorkerStatus('node1', WORKERS[1], 'starting');
  await sink.waitFor((s) => s.ready('realm2'), 'realm2 ready with worker 1 not started');
  // ...and with no started worker at all nothing is ready.
  master.setWorkerStatus('node1', WORKERS[0], null);
  await sink.waitFor((s) => !s.ready('realm1') && !s.ready('realm2'), 'nothing ready without started workers');

  const detail = sink.lastDetail;
  assert.equal(detail.node, 'node1');
  assert.equal(detail.webclusterOid, '9fbe067c-5e4f-4d3c-8b2a-1a2b3c4d5e6f');
  assert.equal(detail.connected, true);
  assert.deepEqual((detail.workers as { id: string }[]).map((w) => w.id), [...WORKERS]);
  await src.close();
  await src.close(); // idempotent
});
