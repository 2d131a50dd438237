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

  // A missing procedure (the node uplink has not forwarded the worker's API yet) is its own reason.
  master.failProcedure(ROUTES, 'wamp.error.no_such_procedure');
  await sink.waitFor((_s, c) => c?.kind === 'fail' && /procedure missing/.test((c.error as Error).message), 'procedure missing');

  master.failProcedure(ROUTES, null);
  await sink.waitFor((s) => s.up && s.ready('realm1'), 'recovered');
  await src.close();
});
