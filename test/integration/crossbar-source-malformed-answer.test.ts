import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCrossbarSource } from '../../src/readiness/crossbar-source.js';
import { ErrorCodes, isRealmgateError } from '../../src/errors.js';
import { crossbarConfig, RecordingSink, sourceContext, startMaster, WORKERS } from '../support/master-fixture.js';

const ROUTES = 'crossbarfabriccenter.remote.proxy.get_proxy_routes';

test('a malformed or failing answer fails the source naming the procedure; it recovers when fixed', async (t) => {
  const { master, key, url } = await startMaster(t);
  for (const w of WORKERS) master.startRoute('node1', w, 'realm1');
  master.failProcedure(ROUTES, 'malformed');
  const cfg = crossbarConfig(url, 'RG_KEY', { pollIntervalMs: 50, subscribe: false, reconnect: { initialDelayMs: 20, maxDelayMs: 50 } });
  const src = createCrossbarSource(cfg, sourceContext(), { env: { RG_KEY: key.seedHex } });
  t.after(() => src.destroy());
  const sink = new RecordingSink();
  src.start(sink);

  await sink.waitFor((s) => s.failures().length > 0, 'failure');
  const err = sink.failures()[0];
  assert.ok(isRealmgateError(err, ErrorCodes.SOURCE_MALFORMED), String(err));
  assert.match((err as Error).message, /get_proxy_routes/);
  assert.equal(sink.calls.some((c) => c.kind === 'snapshot'), false, 'no snapshot from a malformed answer');

  // Another answered WAMP error names the procedure and its URI.
  master.failProcedure(ROUTES, 'wamp.error.runtime_error');
  await sink.waitFor((_s, c) => c?.kind === 'fail' && /get_proxy_routes call failed \(wamp.error.runtime_error\)/.test((c.error as Error).message), 'answered error');

  master.failProcedure(ROUTES, null);
  await sink.waitFor((s) => s.up && s.ready('realm1'), 'recovered');
  await src.close();
});
