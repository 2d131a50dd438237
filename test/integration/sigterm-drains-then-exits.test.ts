import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateProcess } from '../support/gate-process.js';
import { startEchoUpstream } from '../support/upstream.js';
import { until } from '../support/wait.js';
import { connectWs, echo } from '../support/ws-client.js';

const base = (upstreamUrl: string, shutdown: object) => ({
  listen: { host: '127.0.0.1', port: 0 },
  admin: { host: '127.0.0.1', port: 0 },
  upstream: { url: upstreamUrl },
  realms: [{ name: 'realm1' }, { name: 'realm2' }],
  readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  shutdown,
});

test('SIGTERM: readiness 503 at once, held clients answered draining after delayMs, open tunnels finish, exit 0', async (t) => {
  const upstream = await startEchoUpstream(t);
  const gate = await startGateProcess(t, base(upstream.url, { delayMs: 400, drainTimeoutMs: 20_000 }));
  const ws = `ws://127.0.0.1:${gate.port}`;
  const tunnel = await connectWs(`${ws}/?realm=realm1`);
  assert.equal(tunnel.kind, 'open');
  const held = connectWs(`${ws}/?realm=realm2`);
  await until(async () => {
    const s = (await (await fetch(`http://127.0.0.1:${gate.adminPort}/status`)).json()) as { queues: { total: number } };
    return s.queues.total === 1;
  }, 'the realm2 client to be held');

  gate.child.kill('SIGTERM');
  await gate.waitForLog('draining: readiness now 503');
  const ready = await fetch(`http://127.0.0.1:${gate.adminPort}/health/ready`);
  assert.equal(ready.status, 503);
  assert.equal(((await ready.json()) as { draining: boolean }).draining, true);

  const refused = await held;
  assert.equal(refused.status, 503);
  assert.equal(refused.headers!['x-realmgate-reason'], 'draining');
  assert.equal((await echo(tunnel.ws!, 'still open')).toString(), 'still open', 'the tunnel outlives the delay');
  await gate.waitForLog('stopped accepting; waiting for tunnels');
  tunnel.ws!.close();
  const { code } = await gate.exited;
  assert.equal(code, 0);
  assert.ok(gate.lines.some((l) => l.msg === 'shutdown complete'));
});

test('SIGTERM: tunnels still open at drainTimeoutMs are closed and the process exits 0', async (t) => {
  const upstream = await startEchoUpstream(t);
  const gate = await startGateProcess(t, base(upstream.url, { delayMs: 0, drainTimeoutMs: 300 }));
  const tunnel = await connectWs(`ws://127.0.0.1:${gate.port}/?realm=realm1`);
  const closed = new Promise((r) => tunnel.ws!.once('close', r));
  gate.child.kill('SIGTERM');
  await gate.waitForLog('drain timeout: closing the remaining tunnels');
  await closed;
  assert.equal((await gate.exited).code, 0);
});

test('a second signal exits at once', async (t) => {
  const upstream = await startEchoUpstream(t);
  const gate = await startGateProcess(t, base(upstream.url, { delayMs: 60_000, drainTimeoutMs: 60_000 }));
  gate.child.kill('SIGTERM');
  await gate.waitForLog('shutting down');
  gate.child.kill('SIGINT');
  const { code } = await gate.exited;
  assert.equal(code, 2);
  assert.ok(gate.lines.some((l) => l.msg === 'second signal: exiting now'));
});
