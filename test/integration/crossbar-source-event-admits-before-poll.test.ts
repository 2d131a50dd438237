import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCrossbarSource } from '../../src/readiness/crossbar-source.js';
import { crossbarConfig, RecordingSink, sourceContext, startMaster, WORKERS } from '../support/master-fixture.js';

test('route events make a realm ready without waiting for the next poll', async (t) => {
  const { master, key, url } = await startMaster(t);
  // A poll interval far beyond the test's own timeout: only the event path can flip the realm.
  const cfg = crossbarConfig(url, 'RG_KEY', { pollIntervalMs: 600_000 });
  const src = createCrossbarSource(cfg, sourceContext(), { env: { RG_KEY: key.seedHex } });
  t.after(() => src.destroy());
  const sink = new RecordingSink();
  src.start(sink);
  await sink.waitFor((s) => s.up, 'first snapshot');
  const snapshots = () => sink.calls.filter((c) => c.kind === 'snapshot').length;

  // Events for another node's workers are ignored.
  master.startRoute('node2', 'cpw-9fbe067c-0', 'realm1');
  // One of two workers: an update arrives, but says not ready.
  master.startRoute('node1', WORKERS[0], 'realm1');
  await sink.waitFor((_s, c) => (c?.kind === 'update' || c?.kind === 'snapshot') && c.realms.realm1 === false, 'update for one worker');
  assert.equal(sink.ready('realm1'), false);

  master.startRoute('node1', WORKERS[1], 'realm1');
  await sink.waitFor((_s, c) => (c?.kind === 'update' || c?.kind === 'snapshot') && c.realms.realm1 === true, 'event-driven ready');
  assert.equal(sink.ready('realm1'), true);
  // The event also triggered re-polls, and they agree with it (no flap back to not ready).
  await sink.waitFor(() => snapshots() >= 3, 're-poll after events');
  assert.equal(sink.ready('realm1'), true);
  assert.equal(
    sink.calls.some((c, i) => i > sink.calls.findIndex((x) => (x.kind === 'update' || x.kind === 'snapshot') && x.realms.realm1 === true) && (c.kind === 'snapshot' || c.kind === 'update') && c.realms.realm1 === false),
    false,
    'no flap back after the realm turned ready',
  );
});
