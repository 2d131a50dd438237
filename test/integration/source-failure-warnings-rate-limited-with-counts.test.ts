import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGate } from '../support/gate.js';
import { ManualClock } from '../support/manual-clock.js';
import { startControlPlane, startEchoUpstream } from '../support/upstream.js';
import { until } from '../support/wait.js';

test('a failing http source warns once, then once per 30 s with failures and suppressed counts, never quoting its ?token=', async (t) => {
  const upstream = await startEchoUpstream(t);
  const plane = await startControlPlane(t, { realm1: true });
  plane.setStatus(500);
  const clock = new ManualClock();
  const { gate, logs } = await startGate(t, {
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }],
    readiness: { sources: [{ type: 'http', url: `${plane.url}?token=SOURCETOKEN42`, intervalMs: 5000 }] },
  }, { clock });
  const errors = () => gate.registry.sources()[0]!.polls.error;
  const warnings = () => logs.filter((l) => l.msg === 'readiness source "http" failed');
  await until(() => errors() === 1, 'the first failed poll');
  assert.equal(warnings().length, 1, 'the first failure is logged at once');
  assert.equal(warnings()[0]!.failures, 1);
  assert.equal(warnings()[0]!.suppressed, 0);

  // Six more failures 5 s apart: the one at +30 s is the next line, standing for the five before it.
  for (let n = 2; n <= 7; n++) {
    clock.advance(5000);
    await until(() => errors() === n, `failed poll ${n}`);
    assert.equal(warnings().length, n < 7 ? 1 : 2, `after failure ${n}`);
  }
  const second = warnings()[1]!;
  assert.equal(second.failures, 7);
  assert.equal(second.suppressed, 5);
  assert.equal(second.failingForMs, 30_000);

  plane.setStatus(200);
  clock.advance(5000);
  const back = await until(() => logs.find((l) => l.msg === 'readiness source "http" is answering again'), 'the recovery line');
  assert.equal(back.failures, 7);
  assert.equal(back.failedForMs, 35_000);
  assert.equal(gate.registry.isReady('realm1'), true);

  // A new failure run starts a new budget: logged at once again.
  plane.setStatus(503);
  clock.advance(5000);
  await until(() => warnings().length === 3, 'the first failure of the next run');
  assert.equal(warnings()[2]!.failures, 1);
  const text = JSON.stringify(logs);
  assert.ok(!text.includes('SOURCETOKEN42'), 'the source URL token is never logged');
  assert.match(String(warnings()[0]!.err), /token=\[redacted\]/);
});
