import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateProcess } from '../support/gate-process.js';
import { startEchoUpstream } from '../support/upstream.js';
import { until } from '../support/wait.js';

test('a probe source with 50 realms runs its rounds with a clean stderr (no MaxListenersExceededWarning)', async (t) => {
  // All 50 probes of a round are in flight at once, each listening for the round's cancellation.
  const upstream = await startEchoUpstream(t);
  const realms = Array.from({ length: 50 }, (_, i) => ({ name: `realm${i}` }));
  const gate = await startGateProcess(t, {
    listen: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    upstream: { url: upstream.url },
    realms,
    readiness: { sources: [{ type: 'probe', intervalMs: 20, timeoutMs: 100 }] },
    shutdown: { delayMs: 0, drainTimeoutMs: 100 },
  });
  await until(() => upstream.upgrades.length >= 150, 'three probe rounds of 50 realms to reach the upstream', 20_000);
  gate.child.kill('SIGTERM');
  assert.equal((await gate.exited).code, 0);
  assert.equal(gate.stderr(), '', 'stderr stays clean');
});
