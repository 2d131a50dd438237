import { test } from 'node:test';
import assert from 'node:assert/strict';
import { counts, failures, runScenario, sleep } from '../support/crossbar-scenario.js';

test('one of two workers without routes for a while: clients through the gate join at least as often as direct ones', async () => {
  const r = await runScenario({ clients: 20, spreadMs: 3000, direct: true, partial: 'readmit', queueTimeoutMs: 2000 }, async (h) => {
    await sleep(300);
    h.mark('route-stop');
    h.cluster.stopRoute('realm1', 1);
    await sleep(4000); // longer than a client's hold (2 s): holding until every worker routes would time them out
    h.cluster.startRoute('realm1', 1);
  });
  const gate = counts(r.gate);
  const direct = counts(r.direct);
  assert.ok(direct.refused > 0, `direct clients meet the unrouted worker (${JSON.stringify(direct)})`);
  assert.ok(gate.ok >= direct.ok, `gate ${JSON.stringify(gate)} vs direct ${JSON.stringify(direct)}`);
  // A HELLO client whose every re-admission within its 2 s meets the unrouted worker is refused: rare, never more than direct.
  assert.ok(gate.refused < direct.refused, failures(r.gate));
  assert.equal(gate.lost, 0, failures(r.gate));
  // Every gate client arriving after the route stopped joined on the routed worker.
  const stop = r.marks.get('route-stop')!;
  assert.ok(r.gate.every((x) => x.kind !== 'ok' || x.arrivedAt < stop || x.worker === 'cpw-9fbe067c-0'));
});
