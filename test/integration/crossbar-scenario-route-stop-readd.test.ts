import { test } from 'node:test';
import assert from 'node:assert/strict';
import { counts, failures, runScenario, sleep } from '../support/crossbar-scenario.js';

test('a route stopped on one worker and re-added by the arealm monitor: every client joins and calls; none refused, none lost', async () => {
  const r = await runScenario({ clients: 24, spreadMs: 3500 }, async (h) => {
    await sleep(500);
    h.mark('route-stop');
    await h.cluster.stopRouteAndReadd('realm1', 1, 1500);
  });
  const c = counts(r.gate);
  assert.equal(c.refused, 0, failures(r.gate));
  assert.equal(c.lost, 0, failures(r.gate));
  assert.equal(c.ok, 24);
  assert.ok(r.changes.some((x) => !x.ready), 'the gate saw the realm not fully routed');
});
