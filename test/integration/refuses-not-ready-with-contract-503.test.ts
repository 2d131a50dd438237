import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGate } from '../support/gate.js';
import { metricValue, rawExchange, upgradeRequest } from '../support/raw-http.js';
import { startEchoUpstream } from '../support/upstream.js';

test('onNotReady reject answers the exact 503 of the contract at once', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { port, adminUrl } = await startGate(t, {
    upstream: { url: upstream.url },
    realms: [{ name: 'realm2', onNotReady: 'reject', retryAfterSeconds: 7 }],
    readiness: { sources: [{ type: 'static', notReady: ['realm2'] }] },
  });
  const { text, closed } = await rawExchange(port, upgradeRequest('/ws?realm=realm2'));
  const [head, body] = text.split('\r\n\r\n');
  const lines = head!.split('\r\n');
  assert.equal(lines[0], 'HTTP/1.1 503 Service Unavailable');
  assert.ok(lines.includes('Retry-After: 7'));
  assert.ok(lines.includes('Connection: close'));
  assert.ok(lines.includes('X-Realmgate-Reason: realm_not_ready'));
  assert.ok(lines.includes('Content-Type: application/json'));
  assert.deepEqual(JSON.parse(body!), {
    error: 'realm_not_ready',
    realm: 'realm2',
    message: 'realm "realm2" is not ready yet - proxy routes may still be initializing, please retry connection',
    retryAfterSeconds: 7,
  });
  assert.ok(closed, 'the socket is closed after the answer');
  assert.equal(upstream.upgrades.length, 0);
  const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
  assert.equal(metricValue(metrics, 'realmgate_connections_total', { realm: 'realm2', outcome: 'rejected_not_ready' }), 1);
});
