import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adminPost } from '../support/admin-post.js';
import { startGate } from '../support/gate.js';
import { startEchoUpstream } from '../support/upstream.js';

test('POST /undrain while shutting down (SIGTERM / close()) answers 409 and the gate keeps draining', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { adminUrl, gate } = await startGate(t, {
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
    shutdown: { delayMs: 60_000, drainTimeoutMs: 100 },
  });
  assert.equal((await adminPost(adminUrl, '/drain')).status, 202);
  const closing = gate.close();
  const res = await adminPost(adminUrl, '/undrain');
  assert.equal(res.status, 409);
  assert.equal(res.body.error, 'shutting_down');
  const live = (await (await fetch(`${adminUrl}/health/live`)).json()) as { drainedBy: string };
  assert.equal(live.drainedBy, 'shutdown', 'the admin drain became the shutdown drain');
  assert.equal((await fetch(`${adminUrl}/health/ready`)).status, 503);
  gate.destroy();
  void closing.catch(() => {}); // close() waits out delayMs; destroy() has already cut everything
});
