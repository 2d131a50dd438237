import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGate } from '../support/gate.js';
import { rawExchange, upgradeRequest } from '../support/raw-http.js';
import { freePort } from '../../reliability/clients.js';

// Defect found by the reliability suite's load check: 10,000 held clients released at once
// exhausted the upstream's accept backlog and the gate's file descriptors; the clients whose
// upstream connect failed got a 502 with no retry guidance. Now such a client is retried until
// its deadline (queueTimeoutMs), then answered 503 with Retry-After.
test('an upgrade whose upstream connect keeps failing gets 503 upstream_unavailable with Retry-After at its deadline', async (t) => {
  const { port } = await startGate(t, {
    upstream: { url: `http://127.0.0.1:${await freePort()}` },
    realms: [{ name: 'realm1', retryAfterSeconds: 7, queueTimeoutMs: 300 }],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  const { text } = await rawExchange(port, upgradeRequest('/ws?realm=realm1'));
  assert.match(text, /^HTTP\/1\.1 503 /);
  assert.match(text, /\r\nRetry-After: 7\r\n/);
  assert.match(text, /\r\nX-Realmgate-Reason: upstream_unavailable\r\n/);
  const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { error: string; retryAfterSeconds: number };
  assert.equal(body.error, 'upstream_unavailable');
  assert.equal(body.retryAfterSeconds, 7);
});
