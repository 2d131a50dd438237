import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSigtermWithTunnels, runSlowHello, runUpstreamRefusing } from '../../reliability/faults-gate.js';

test('upstream refusing connections: every client retried to its deadline, then answered (503 / ABORT close 1000), fds back', async () => {
  const r = await runUpstreamRefusing(40);
  assert.ok(r.pass, JSON.stringify(r.figures));
});

test('a HELLO sent one byte per second does not hold the gate and is closed 1008 at hello.timeoutMs', async () => {
  const r = await runSlowHello({ timeoutMs: 2500, others: 5 });
  assert.ok(r.pass, JSON.stringify(r.figures));
  assert.equal(r.figures.slowCloseCode, 1008);
});

test('SIGTERM with 100 open tunnels: all closed, exit 0 within delayMs + drainTimeoutMs', async () => {
  const r = await runSigtermWithTunnels({ tunnels: 100, delayMs: 300, drainTimeoutMs: 1000, held: 5 });
  assert.ok(r.pass, JSON.stringify(r.figures));
  assert.equal(r.figures.exitCode, 0);
});
