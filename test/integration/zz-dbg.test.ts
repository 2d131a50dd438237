import { test } from 'node:test';
import { createCrossbarSource } from '/work/main/src/readiness/crossbar-source.js';
import { crossbarConfig, RecordingSink, sourceContext, startMaster, WORKERS } from '/work/main/test/support/master-fixture.js';
test('dbg', async (t) => {
  const { master, key, url } = await startMaster(t);
  for (const w of WORKERS) master.startRoute('node1', w, 'realm1');
  master.failProcedure('crossbarfabriccenter.remote.node.get_worker', 'hang');
  const cfg = crossbarConfig(url, 'RG_KEY', { pollIntervalMs: 50, callTimeoutMs: 200, subscribe: false, reconnect: { initialDelayMs: 20, maxDelayMs: 50 } });
  const src = createCrossbarSource(cfg, sourceContext(), { env: { RG_KEY: key.seedHex } });
  const sink = new RecordingSink();
  src.start(sink);
  await sink.waitFor((s) => s.failures().length > 0, 'timeout failure');
  console.log((sink.failures()[0] as Error).message, master.sessions());
  master.failProcedure('crossbarfabriccenter.remote.node.get_worker', null);
  await sink.waitFor((s) => s.up && s.ready('realm1'), 'recovered');
  console.log('sessions', master.sessions(), sink.failures().map((e) => (e as Error).message));
  await src.close();
  for (let i = 0; i < 10; i++) { console.log('after close', master.sessions(), (master as any).router.stats()); await new Promise((r) => setTimeout(r, 200)); }
  master.destroy();
});
