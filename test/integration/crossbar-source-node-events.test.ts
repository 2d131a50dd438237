import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCrossbarSource } from '../../src/readiness/crossbar-source.js';
import { crossbarConfig, RecordingSink, sourceContext, startMaster, WORKERS } from '../support/master-fixture.js';

test('node and worker events alone (no status checks, polls 10 min apart) follow a node restart', async (t) => {
  const { master, key, url } = await startMaster(t);
  for (const w of WORKERS) master.startRoute('node1', w, 'realm1');
  const cfg = crossbarConfig(url, 'RG_KEY', { pollIntervalMs: 600_000, nodeCheckIntervalMs: 0 });
  const src = createCrossbarSource(cfg, sourceContext(), { env: { RG_KEY: key.seedHex } });
  t.after(() => src.destroy());
  const sink = new RecordingSink();
  src.start(sink);
  await sink.waitFor((s) => s.ready('realm1'), 'ready');

  master.stopNode('node1', 20); // on_node_shutdown 20 ms later
  await sink.waitFor((s) => !s.ready('realm1') && s.lastDetail.nodeState === 'offline', 'on_node_shutdown → not ready');

  // on_node_ready kicks a poll; the procedures are missing for 100 ms, polled every 500 ms while down.
  master.startNode('node1', 100);
  await sink.waitFor((s) => s.lastDetail.nodeState === 'online', 'online again after a short-interval poll');
  assert.equal(sink.ready('realm1'), false);
  // on_worker_ready: the restarted workers listen without routes.
  for (const w of WORKERS) master.startWorker('node1', w, 'started');
  await sink.waitFor((s) => (s.lastDetail.workers as { status: string | null; routes: string[] | null }[]).every((w) => w.status === 'started' && w.routes?.length === 0), 'workers restarted, no routes');
  assert.equal(sink.ready('realm1'), false);
  master.startRoute('node1', WORKERS[0], 'realm1');
  master.startRoute('node1', WORKERS[1], 'realm1');
  await sink.waitFor((s) => s.ready('realm1'), 'route events → ready');
  assert.deepEqual(sink.failures(), []);
  await src.close();
});
