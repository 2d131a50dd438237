import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCrossbarSource } from '../../src/readiness/crossbar-source.js';
import { isRealmgateError } from '../../src/errors.js';
import { crossbarConfig, RecordingSink, sourceContext, startMaster, WORKERS } from '../support/master-fixture.js';

test('master down: fail() with a reason, reconnect with backoff, recover after restart', async (t) => {
  const { master, key, url, port } = await startMaster(t);
  for (const w of WORKERS) master.startRoute('node1', w, 'realm1');
  const cfg = crossbarConfig(url, 'RG_KEY', { pollIntervalMs: 60_000, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } });
  const src = createCrossbarSource(cfg, sourceContext(), { env: { RG_KEY: key.seedHex } });
  t.after(() => src.destroy());
  const sink = new RecordingSink();
  src.start(sink);
  await sink.waitFor((s) => s.ready('realm1'), 'ready');

  await master.stop();
  await sink.waitFor((s) => !s.up, 'source down');
  // Several reconnect attempts fail while the master is away, each reported.
  await sink.waitFor((s) => s.failures().length >= 3, 'repeated failures while down');
  const reasons = sink.failures().map((e) => (e as Error).message);
  assert.ok(reasons.some((m) => /master session|unreachable|closed/.test(m)), reasons.join(' | '));
  assert.ok(sink.failures().every((e) => isRealmgateError(e)), 'every failure is a RealmgateError');
  assert.equal(sink.lastDetail.connected, false);

  // While the master is away a proxy worker restarts and loses its routes (nobody hears of it).
  master.setWorkerStatus('node1', WORKERS[1], null);
  master.setWorkerStatus('node1', WORKERS[1], 'started');
  const callsBeforeRestart = sink.calls.length;
  await master.listen({ port });
  await sink.waitFor((s) => s.up && s.lastDetail.connected === true && s.lastDetail.nodeState === 'online', 'reconnected and re-read');
  // Nothing known before the restart may make the realm ready: the fresh answer says worker 1 has no route.
  const after = sink.calls.slice(callsBeforeRestart);
  assert.equal(after.some((c) => (c.kind === 'snapshot' || c.kind === 'update') && c.realms.realm1 === true), false, 'never ready from stale knowledge');
  assert.equal(sink.ready('realm1'), false);
  // Resubscribed: the route event on the new session makes it ready.
  master.startRoute('node1', WORKERS[1], 'realm1');
  await sink.waitFor((s) => s.ready('realm1'), 'event on the new session');
  master.stopRoute('node1', WORKERS[0], 'realm1');
  await sink.waitFor((s) => !s.ready('realm1'), 'stop event on the new session');
  await src.close();
});
