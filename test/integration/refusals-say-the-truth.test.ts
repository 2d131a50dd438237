import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { startGate } from '../support/gate.js';
import { startEchoUpstream } from '../support/upstream.js';
import { connectWs } from '../support/ws-client.js';

function abortFor(url: string, realm: string): Promise<unknown[]> {
  const ws = new WebSocket(url, ['wamp.2.json'], { perMessageDeflate: false });
  ws.on('open', () => ws.send(JSON.stringify([1, realm, {}])));
  return new Promise((resolve, reject) => {
    ws.once('message', (d) => resolve(JSON.parse(d.toString()) as unknown[]));
    ws.once('error', reject);
  });
}

test('each refusal says what it is: not ready (retry), not served here (no retry), queue full, draining', async (t) => {
  const upstream = await startEchoUpstream(t);
  const g = await startGate(t, {
    upstream: { url: upstream.url },
    unknownRealm: 'reject',
    realms: [{ name: 'realm1', onNotReady: 'reject' }, { name: 'realm2', maxQueued: 0 }],
    realmFrom: ['query', 'hello'],
  });

  const notReady = await connectWs(`${g.wsUrl}/ws?realm=realm1`);
  assert.equal(notReady.status, 503);
  assert.equal(notReady.headers!['x-realmgate-reason'], 'realm_not_ready');
  assert.match(JSON.parse(notReady.body!).message, /realm "realm1" is not ready yet .* please retry connection/);

  const full = await connectWs(`${g.wsUrl}/ws?realm=realm2`);
  assert.equal(full.status, 503);
  assert.equal(full.headers!['x-realmgate-reason'], 'queue_full');
  assert.equal(JSON.parse(full.body!).message, 'too many clients are already waiting for realm "realm2" - please retry connection later');

  const notServed = await connectWs(`${g.wsUrl}/ws?realm=other`);
  assert.equal(notServed.status, 404);
  assert.equal(notServed.headers!['retry-after'], undefined);
  assert.equal(JSON.parse(notServed.body!).message, 'realm "other" is not served here');

  // HELLO mode: the same truths in the ABORT details.
  const abortNotServed = await abortFor(`${g.wsUrl}/ws`, 'other');
  assert.deepEqual(abortNotServed, [3, { message: 'realm "other" is not served here' }, 'wamp.error.no_such_realm']);
  const abortFull = await abortFor(`${g.wsUrl}/ws`, 'realm2');
  assert.deepEqual(abortFull, [3, { message: 'too many clients are already waiting for realm "realm2" - please retry connection later', retry_after: 5 }, 'wamp.error.no_such_realm']);

  g.gate.drain();
  await fetch(`${g.adminUrl}/drain`, { method: 'POST' }).catch(() => {});
  const draining = await connectWs(`${g.wsUrl}/ws?realm=realm2`);
  assert.equal(draining.status, 503);
  assert.equal(draining.headers!['x-realmgate-reason'], 'draining');
  assert.equal(JSON.parse(draining.body!).message, 'realmgate is draining (shutting down) - please retry connection');
});

test('unknownRealm reject without any realm hint and no HELLO mode: 404, not "shutting down"', async (t) => {
  const upstream = await startEchoUpstream(t);
  const g = await startGate(t, { upstream: { url: upstream.url }, unknownRealm: 'reject', realms: [{ name: 'realm1' }], realmFrom: ['query'] });
  const r = await connectWs(`${g.wsUrl}/ws`);
  assert.equal(r.status, 404);
  const body = JSON.parse(r.body!);
  assert.equal(body.error, 'realm_not_served');
  assert.doesNotMatch(body.message, /shutting down|retry/);
});
