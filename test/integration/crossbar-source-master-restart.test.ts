import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCrossbarSource } from '../../src/readiness/crossbar-source.js';
import { isRealmgateError } from '../../src/errors.js';
import { crossbarConfig, RecordingSink, sourceContext, startMaster, WORKERS } from '../support/master-fixture.js';

test('master down: fail() with a reason, reconnect with backoff, recover after restart', async (t) => {
  const { master, key, url, port } = await startMaster(t);
  for (const w of WORKERS) master.startRoute('node1', w, 'realm1');
  const cfg = crossbarConfig(url, 'RG_KEY', { pollIntervalMs: 100, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } });
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

  // The master's state survives its restart (routes live in the proxies); the source picks it up.
  await master.listen({ port });
  const failuresBefore = sink.failures().length;
  await sink.waitFor((s) => s.up && s.ready('realm1'), 'recovered after restart');
  assert.equal(sink.lastDetail.connected, true);
  // And events flow on the new session.
  master.stopRoute('node1', WORKERS[0], 'realm1');
  await sink.waitFor((s) => !s.ready('realm1'), 'event on the new session');
  assert.ok(sink.failures().length >= failuresBefore);
  await src.close();
});
