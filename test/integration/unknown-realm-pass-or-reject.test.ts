import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGate } from '../support/gate.js';
import { metricValue } from '../support/raw-http.js';
import { startEchoUpstream } from '../support/upstream.js';
import { connectWs } from '../support/ws-client.js';

test('unknownRealm pass tunnels a realm the gate does not guard, labelled _unknown', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { wsUrl, adminUrl } = await startGate(t, { upstream: { url: upstream.url }, unknownRealm: 'pass', realms: [{ name: 'realm1' }] });
  const r = await connectWs(`${wsUrl}/?realm=other`);
  assert.equal(r.kind, 'open');
  r.ws!.terminate();
  const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
  assert.equal(metricValue(metrics, 'realmgate_connections_total', { realm: '_unknown', outcome: 'forwarded' }), 1);
  assert.doesNotMatch(metrics, /realm="other"/, 'client-chosen names never become labels');
});

test('unknownRealm reject answers 404 realm_not_served: not served here, no retry guidance', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { wsUrl } = await startGate(t, { upstream: { url: upstream.url }, unknownRealm: 'reject', realms: [{ name: 'realm1' }] });
  const r = await connectWs(`${wsUrl}/?realm=other`);
  assert.equal(r.status, 404);
  const body = JSON.parse(r.body!);
  assert.equal(body.realm, 'other');
  assert.equal(body.error, 'realm_not_served');
  assert.equal(body.message, 'realm "other" is not served here');
  assert.equal(body.retryAfterSeconds, undefined);
  assert.doesNotMatch(r.body!, /retry|shutting down/);
  assert.equal(upstream.upgrades.length, 0);
});
