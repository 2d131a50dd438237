import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCrossbarSource } from '../../src/readiness/crossbar-source.js';
import { crossbarConfig, RecordingSink, sourceContext, startMaster, WORKERS } from '../support/master-fixture.js';

test('with roles configured, a realm is ready only when every started worker routes those roles', async (t) => {
  const { master, key, url } = await startMaster(t);
  for (const w of WORKERS) master.startRoute('node1', w, 'realm1', { anonymous: 'cnc_router1_w1' });
  const cfg = crossbarConfig(url, 'RG_KEY', { pollIntervalMs: 50, roles: ['anonymous', 'user'] });
  const src = createCrossbarSource(cfg, sourceContext(), { env: { RG_KEY: key.seedHex } });
  t.after(() => src.destroy());
  const sink = new RecordingSink();
  src.start(sink);
  await sink.waitFor((s) => s.up, 'snapshot');
  assert.equal(sink.ready('realm1'), false, 'role "user" has no route yet');
  assert.ok(master.calls.includes('crossbarfabriccenter.remote.proxy.list_proxy_realm_routes'));

  master.startRoute('node1', WORKERS[0], 'realm1', { user: 'cnc_router1_w1' });
  master.startRoute('node1', WORKERS[1], 'realm1', { user: 'cnc_router1_w1' });
  await sink.waitFor((s) => s.ready('realm1'), 'ready once both roles are routed on both workers');
  await src.close();
});
