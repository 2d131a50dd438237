import { test } from 'node:test';
import assert from 'node:assert/strict';
import { counts, failures, runScenario, sleep } from '../support/crossbar-scenario.js';

test('fresh start in discovery mode (realms: []): clients arriving before the arealm is known are held, none pass to an unrouted worker', async () => {
  const r = await runScenario({ clients: 24, spreadMs: 4000, listRealm: false, fresh: true }, async (h) => {
    await sleep(300);
    // The webcluster monitor starts the workers (port open, no routes), then start_arealm: RUNNING before routes.
    await h.cluster.startNode();
    h.mark('arealm-start');
    await h.cluster.startArealm('realm1');
  });
  const c = counts(r.gate);
  assert.equal(c.refused, 0, failures(r.gate));
  assert.equal(c.lost, 0, failures(r.gate));
  assert.equal(c.ok, 24);
  assert.equal(r.changes.at(-1)?.ready, true);
});
