// Needs the data plane's re-queue of an admitted client whose upstream connect is refused (issue 12,
// data-plane branch): a client admitted in the ~0.3 s between the node stopping and the master saying
// "offline" is tunnelled to the closed port. On the crossbar branch alone that client is lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { counts, failures, runScenario, sleep } from '../support/crossbar-scenario.js';

// The measured incident was a 30 s outage; here 3 s (timings shortened ten-fold), same sequence.
test('node outage: clients arriving during a long outage are held, then all join and call; none refused, none lost', async () => {
  const r = await runScenario({ clients: 24, spreadMs: 5000, queueTimeoutMs: 20_000 }, async (h) => {
    await sleep(600);
    h.mark('node-stop');
    await h.cluster.stopNode();
    await sleep(3000);
    h.mark('node-start');
    await h.cluster.startNode();
  });
  const c = counts(r.gate);
  assert.equal(c.refused, 0, failures(r.gate));
  assert.equal(c.lost, 0, failures(r.gate));
  // A client in session when the node process died loses that session: no gate can prevent it.
  assert.ok(r.gate.filter((x) => x.kind === 'cut').every((x) => x.arrivedAt < r.marks.get('node-stop')!), failures(r.gate));
  assert.equal(c.ok + c.cut, 24);
  const stop = r.marks.get('node-stop')!;
  const notReady = r.changes.find((x) => !x.ready && x.at > stop);
  assert.ok(notReady, 'not ready during the outage');
  // Ready again only after the last route came back (never from what was known before the outage).
  const lastRoute = r.routes.filter((x) => x.started).at(-1)!;
  const readyAgain = r.changes.find((x) => x.ready && x.at > stop)!;
  assert.ok(readyAgain.at >= lastRoute.at, 'ready only once every worker routes again');
});
