import { test } from 'node:test';
import assert from 'node:assert/strict';
import { counts, failures, runScenario, sleep } from '../support/crossbar-scenario.js';

test('master restart while clients arrive: the gate reconnects and re-reads; every client joins and calls', async () => {
  let sessionsAfter = 0;
  const r = await runScenario({ clients: 20, spreadMs: 3000, source: { reconnect: { initialDelayMs: 100, maxDelayMs: 400 } } }, async (h) => {
    await sleep(500);
    const { port } = new URL(h.cluster.masterUrl);
    await h.cluster.master.stop();
    await sleep(1000);
    await h.cluster.master.listen({ port: Number(port) });
    const src = (): Record<string, unknown> => h.gate.registry.sources()[0]!.detail;
    const until = Date.now() + 5000;
    while (!(src().connected === true && src().nodeState === 'online') && Date.now() < until) await sleep(10);
    sessionsAfter = h.cluster.master.sessions();
  });
  const c = counts(r.gate);
  assert.equal(c.refused, 0, failures(r.gate));
  assert.equal(c.lost, 0, failures(r.gate));
  assert.equal(c.ok, 20);
  assert.equal(sessionsAfter, 1, 'reconnected to the restarted master');
});
