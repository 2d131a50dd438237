import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCrossbarSource } from '../../src/readiness/crossbar-source.js';
import { ErrorCodes, isRealmgateError } from '../../src/errors.js';
import { until } from '../support/wait.js';
import { crossbarConfig, RecordingSink, sourceContext, startMaster, WORKERS } from '../support/master-fixture.js';

test('a call the master never answers times out, the session is replaced, polling resumes', async (t) => {
  const { master, key, url } = await startMaster(t);
  for (const w of WORKERS) master.startRoute('node1', w, 'realm1');
  master.failProcedure('crossbarfabriccenter.remote.node.get_worker', 'hang');
  const cfg = crossbarConfig(url, 'RG_KEY', { pollIntervalMs: 50, callTimeoutMs: 200, subscribe: false, reconnect: { initialDelayMs: 20, maxDelayMs: 50 } });
  const src = createCrossbarSource(cfg, sourceContext(), { env: { RG_KEY: key.seedHex } });
  t.after(() => src.destroy());
  const sink = new RecordingSink();
  src.start(sink);

  await sink.waitFor((_s, c) => c?.kind === 'fail' && /get_worker timed out/.test((c.error as Error).message), 'timeout failure');
  const err = sink.failures().find((e) => /get_worker/.test((e as Error).message));
  assert.ok(isRealmgateError(err, ErrorCodes.SOURCE_TIMEOUT), String(err));
  assert.match((err as Error).message, /get_worker timed out after 200 ms/);
  assert.equal(sink.up, false);

  master.failProcedure('crossbarfabriccenter.remote.node.get_worker', null);
  await sink.waitFor((s) => s.up && s.ready('realm1'), 'recovered');
  // The hung session was dropped and a new one joined.
  assert.equal(master.sessions(), 1);
  await src.close();
  await until(() => master.sessions() === 0, 'session closed on close()', 5000);
});
