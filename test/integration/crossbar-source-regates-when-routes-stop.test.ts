import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCrossbarSource } from '../../src/readiness/crossbar-source.js';
import { crossbarConfig, RecordingSink, sourceContext, startMaster, WORKERS } from '../support/master-fixture.js';

test('routes that vanish make the realm not ready again, by event and by poll', async (t) => {
  const { master, key, url } = await startMaster(t);
  for (const w of WORKERS) master.startRoute('node1', w, 'realm1');
  const src = createCrossbarSource(crossbarConfig(url, 'RG_KEY', { pollIntervalMs: 600_000 }), sourceContext(), { env: { RG_KEY: key.seedHex } });
  t.after(() => src.destroy());
  const sink = new RecordingSink();
  src.start(sink);
  await sink.waitFor((s) => s.ready('realm1'), 'ready at start');

  // Event path: a worker's route stops (worker restarted, routes lost).
  master.stopRoute('node1', WORKERS[1], 'realm1');
  await sink.waitFor((s) => !s.ready('realm1'), 'not ready after route stopped');
  assert.ok(sink.calls.some((c) => (c.kind === 'update' || c.kind === 'snapshot') && c.realms.realm1 === false));

  // Back, then gone without any event (the worker process died): only a poll can see it.
  master.startRoute('node1', WORKERS[1], 'realm1');
  await sink.waitFor((s) => s.ready('realm1'), 'ready again');
  t.diagnostic('now removing routes silently');
  const silent = createCrossbarSource(crossbarConfig(url, 'RG_KEY', { pollIntervalMs: 50, subscribe: false, name: 'poller' }), sourceContext(), { env: { RG_KEY: key.seedHex } });
  t.after(() => silent.destroy());
  const sink2 = new RecordingSink();
  silent.start(sink2);
  await sink2.waitFor((s) => s.ready('realm1'), 'poller sees ready');
  master.setWorkerStatus('node1', WORKERS[0], null);
  master.setWorkerStatus('node1', WORKERS[0], 'started'); // restarted worker: no routes
  await sink2.waitFor((s) => !s.ready('realm1'), 'poll notices the lost routes');
  await Promise.all([src.close(), silent.close()]);
});
