import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adminPost } from '../support/admin-post.js';
import { startGate } from '../support/gate.js';
import { startEchoUpstream } from '../support/upstream.js';

test('/health/ready/<realm> of a ready realm during a drain answers 503 with reason "draining", not "ready (source static)"', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { adminUrl } = await startGate(t, {
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  const before = await fetch(`${adminUrl}/health/ready/realm1`);
  assert.equal(before.status, 200);
  assert.match(((await before.json()) as { reason: string }).reason, /^ready/);

  assert.equal((await adminPost(adminUrl, '/drain')).status, 202);
  const during = await fetch(`${adminUrl}/health/ready/realm1`);
  assert.equal(during.status, 503);
  const body = (await during.json()) as { ready: boolean; draining: boolean; reason: string; realmReady: boolean; realmReason: string };
  assert.equal(body.ready, false);
  assert.equal(body.draining, true);
  assert.match(body.reason, /^draining/);
  assert.doesNotMatch(body.reason, /ready/);
  assert.equal(body.realmReady, true, 'the realm itself is still ready: shown apart');
  assert.match(body.realmReason, /^ready/);

  assert.equal((await adminPost(adminUrl, '/undrain')).status, 200);
  const after = (await (await fetch(`${adminUrl}/health/ready/realm1`)).json()) as { reason: string; realmReady?: boolean };
  assert.match(after.reason, /^ready/);
  assert.equal(after.realmReady, undefined);
});
