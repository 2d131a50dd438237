import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCrossbarSource } from '../../src/readiness/crossbar-source.js';
import { crossbarConfig, RecordingSink, sourceContext, startMaster } from '../support/master-fixture.js';

test('discovers the STARTING/RUNNING arealms of this webcluster only', async (t) => {
  const { master, key, url } = await startMaster(t, {
    arealms: [
      { name: 'app1', status: 'RUNNING' },
      { name: 'app2', status: 'STARTING' },
      { name: 'stopped', status: 'STOPPED' },
      { name: 'elsewhere', status: 'RUNNING', webclusterOid: '11111111-2222-4333-8444-555555555555' },
      { name: 'unplaced', status: 'RUNNING', webclusterOid: null },
    ],
  });
  const cfg = crossbarConfig(url, 'RG_KEY', { pollIntervalMs: 30, subscribe: false });
  const src = createCrossbarSource(cfg, sourceContext(), { env: { RG_KEY: key.seedHex }, discoverEveryMs: 30 });
  t.after(() => src.destroy());
  const sink = new RecordingSink();
  src.start(sink);

  await sink.waitFor((_s, c) => c?.kind === 'discover', 'discovery');
  const first = sink.calls.find((c) => c.kind === 'discover');
  assert.deepEqual(first?.kind === 'discover' && first.realms, ['app1', 'app2']);
  await sink.waitFor((s) => s.up, 'snapshot');
  assert.deepEqual(sink.state, { app1: false, app2: false });
  assert.ok(master.calls.includes('crossbarfabriccenter.mrealm.arealm.list_arealms'));

  master.setArealmStatus('stopped', 'STARTING');
  await sink.waitFor((_s, c) => c?.kind === 'discover' && c.realms.includes('stopped'), 'rediscovery after start_arealm');
  await sink.waitFor((s) => 'stopped' in s.state, 'snapshot covers the new realm');

  // With discovery off (the config lists its realms) there is no discover() and no arealm calls.
  const quiet = createCrossbarSource(cfg, sourceContext(), { env: { RG_KEY: key.seedHex }, discover: false, name: 'quiet' });
  t.after(() => quiet.destroy());
  const sink2 = new RecordingSink();
  quiet.start(sink2);
  await sink2.waitFor((s) => s.up, 'snapshot without discovery');
  assert.equal(sink2.calls.some((c) => c.kind === 'discover'), false);
  assert.deepEqual(sink2.state, {});
  await Promise.all([src.close(), quiet.close()]);
});
