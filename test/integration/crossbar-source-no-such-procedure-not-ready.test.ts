import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCrossbarSource } from '../../src/readiness/crossbar-source.js';
import { crossbarConfig, RecordingSink, sourceContext, startMaster, WORKERS } from '../support/master-fixture.js';

test('remote.* answering no_such_procedure makes the node unreachable: not ready, polled again without backoff', async (t) => {
  const { master, key, url } = await startMaster(t);
  for (const w of WORKERS) master.startRoute('node1', w, 'realm1');
  // A huge backoff: if an answered error were backed off, the recovery below could not happen in time.
  const cfg = crossbarConfig(url, 'RG_KEY', { pollIntervalMs: 100, subscribe: false, reconnect: { initialDelayMs: 600_000, maxDelayMs: 600_000 } });
  const src = createCrossbarSource(cfg, sourceContext(), { env: { RG_KEY: key.seedHex } });
  t.after(() => src.destroy());
  const sink = new RecordingSink();
  src.start(sink);
  await sink.waitFor((s) => s.ready('realm1'), 'ready');

  // The node process stops; the master has not noticed yet (status still "online").
  master.stopNode('node1', 600_000);
  await sink.waitFor((s) => !s.ready('realm1'), 'not ready on no_such_procedure');
  await sink.waitFor((s) => s.lastDetail.nodeState === 'unreachable', 'nodeState unreachable');
  assert.deepEqual(sink.failures(), [], 'an answered error is an observation');
  assert.equal(sink.up, true);
  const callsBefore = master.calls.length;
  await sink.waitFor(() => master.calls.length >= callsBefore + 4, 'polled again while down');

  master.startNode('node1', 50);
  for (const w of WORKERS) master.startRoute('node1', w, 'realm1');
  await sink.waitFor((s) => s.ready('realm1') && s.lastDetail.nodeState === 'online', 'ready again without a backoff wait');
  assert.deepEqual(sink.failures(), []);
  await src.close();
});
