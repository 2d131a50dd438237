import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCrossbarSource } from '../../src/readiness/crossbar-source.js';
import { crossbarConfig, RecordingSink, sourceContext, startMaster, WORKERS } from '../support/master-fixture.js';

test('a node the master reports offline makes its realms not ready as an observation, not a failure; back only with routes', async (t) => {
  const { master, key, url } = await startMaster(t);
  for (const w of WORKERS) master.startRoute('node1', w, 'realm1');
  // No events: only the status check between polls can see the node go.
  const cfg = crossbarConfig(url, 'RG_KEY', { pollIntervalMs: 200, nodeCheckIntervalMs: 50, subscribe: false });
  const src = createCrossbarSource(cfg, sourceContext(), { env: { RG_KEY: key.seedHex } });
  t.after(() => src.destroy());
  const sink = new RecordingSink();
  src.start(sink);
  await sink.waitFor((s) => s.ready('realm1'), 'ready');

  master.stopNode('node1', 0);
  await sink.waitFor((s) => !s.ready('realm1'), 'not ready once the node is offline');
  assert.equal(sink.up, true, 'the source is up: an offline node is knowledge');
  assert.deepEqual(sink.failures(), [], 'no source failure for an answered status');
  await sink.waitFor((s) => s.lastDetail.nodeState === 'offline', 'nodeState offline in /status detail');

  // Back: procedures answered after 100 ms, workers started without routes (the race again).
  master.startNode('node1', 100);
  await sink.waitFor((s) => s.lastDetail.nodeState === 'online', 'node online again');
  for (const w of WORKERS) master.startWorker('node1', w, 'started');
  await sink.waitFor((s) => (s.lastDetail.workers as { status: string | null }[]).every((w) => w.status === 'started'), 'workers seen started');
  assert.equal(sink.ready('realm1'), false, 'started workers without routes are not ready');
  master.startRoute('node1', WORKERS[0], 'realm1');
  await sink.waitFor((s) => (s.lastDetail.workers as { routes: string[] | null }[])[0]?.routes?.includes('realm1') === true, 'worker 0 routed');
  assert.equal(sink.ready('realm1'), false, 'one of two workers is not enough');
  master.startRoute('node1', WORKERS[1], 'realm1');
  await sink.waitFor((s) => s.ready('realm1'), 'ready with every started worker routed');
  assert.deepEqual(sink.failures(), []);
  await src.close();
});
