// Needs the data plane's re-queue of an admitted client whose upstream connect is refused (issue 12,
// data-plane branch): a client admitted in the ~0.3 s between the node stopping and the master saying
// "offline" is tunnelled to the closed port. On the crossbar branch alone that client is lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { counts, failures, runScenario, sleep } from '../support/crossbar-scenario.js';

test('node restart: clients arriving before, during and after it all join through the gate and call; none refused, none lost', async () => {
  const r = await runScenario({ clients: 24, spreadMs: 4500 }, async (h) => {
    await sleep(800);
    h.mark('node-stop');
    // Down 1 s, back: procedures after 0.3 s, workers listening after 0.3 s more, routes 0.8 s later.
    await h.cluster.restartNode(1000);
  });
  const c = counts(r.gate);
  assert.equal(c.refused, 0, failures(r.gate));
  assert.equal(c.lost, 0, failures(r.gate));
  // A client in session when the node process died loses that session: no gate can prevent it.
  assert.ok(r.gate.filter((x) => x.kind === 'cut').every((x) => x.arrivedAt < r.marks.get('node-stop')!), failures(r.gate));
  assert.equal(c.ok + c.cut, 24);
  // The gate did see the node go (not ready) and come back (ready).
  const stop = r.marks.get('node-stop')!;
  assert.ok(r.changes.some((x) => !x.ready && x.at > stop), 'not ready after the stop');
  assert.equal(r.changes.at(-1)?.ready, true);
});
